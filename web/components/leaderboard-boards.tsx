import { formatSignedCredits } from '../lib/credits'
import { curatorPath, formatBrier, formatLogScore, formatSkill, signColour } from '../lib/curator'
import type { LeaderboardRowView } from '../server/queries/market'
import type { SkillBoardView } from '../server/queries/skill'
import type { LeaderboardBy } from './leaderboard-tabs'

const th = 'px-2 py-2 text-xs font-medium tracking-wide text-zinc-600 uppercase dark:text-zinc-400'
const td = 'px-2 py-2.5 text-right tabular-nums'
const nameLink =
  'rounded-sm text-zinc-900 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:text-zinc-100'
const textLink = 'text-sky-700 underline dark:text-sky-400'

/**
 * A curator's name: the handle Curia knows, else the DID; untrusted text, so a text node only. It links to their
 * page, telling it which board it came from (`?from=skill`), so the page's way back returns to that board.
 */
function CuratorName({ did, handle, from }: { did: string; handle: string | null; from: LeaderboardBy }) {
  const path = curatorPath(did)
  const name = <bdi>{handle ? `@${handle}` : did}</bdi>
  return path ? (
    <a href={from === 'skill' ? `${path}?from=skill` : path} className={nameLink}>
      {name}
    </a>
  ) : (
    name
  )
}

function microSign(micro: string): number {
  const value = BigInt(micro)
  return value > 0n ? 1 : value < 0n ? -1 : 0
}

/**
 * Curators by trading profit, marked to market: a position not yet settled at today's price, a settled one at what
 * settlement paid (`profitLeaderboard`). A curator's own page shows realised profit, settled markets only.
 */
export function ProfitBoard({ rows }: { rows: LeaderboardRowView[] }) {
  return (
    <>
      <p className="mt-4 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
        Curators by trading profit, open positions included: what each position is worth less what was spent
        on it. Shares in a market not yet settled count at today’s price; a settled market counts what
        settlement paid (1 credit a share on the side the jury took, or the stake back if the market was
        void). Forecasting well is how credits are earned here.
      </p>
      <p className="mt-2 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
        A curator’s own page shows their realised profit instead: settled markets only.
      </p>
      {rows.length === 0 ? (
        <p className="mt-6 text-sm text-zinc-600 dark:text-zinc-400">No one has traded yet.</p>
      ) : (
        <ol className="mt-5 divide-y divide-zinc-100 dark:divide-zinc-900" data-testid="leaderboard">
          {rows.map((r) => (
            <li key={r.did} className="flex items-center gap-3 py-2.5 text-sm" data-did={r.did}>
              <span className="w-7 shrink-0 text-right text-zinc-600 dark:text-zinc-400 tabular-nums">
                {r.rank}
              </span>
              <span className="min-w-0 flex-1 truncate font-medium">
                <CuratorName did={r.did} handle={r.handle} from="profit" />
              </span>
              <span className="shrink-0 text-xs text-zinc-600 dark:text-zinc-400">
                {r.markets} {r.markets === 1 ? 'market' : 'markets'}
              </span>
              <span
                className={`w-24 shrink-0 text-right font-medium tabular-nums ${signColour(microSign(r.profitMicro))}`}
              >
                {formatSignedCredits(r.profitMicro, { column: true })}
              </span>
            </li>
          ))}
        </ol>
      )}
    </>
  )
}

/** Curators by Brier skill against the market, with their Brier and log scores. */
export function SkillBoard({ board }: { board: SkillBoardView }) {
  const { minMarkets, defaultMinMarkets, rows } = board
  return (
    <>
      <p className="mt-4 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
        Curators by how much their forecasts beat the prices they traded against, scored on markets the jury
        ruled on. A trade’s forecast is the YES price it left behind.
      </p>
      <dl className="mt-3 grid max-w-prose gap-1 text-xs text-zinc-600 dark:text-zinc-400">
        <div>
          <dt className="inline font-medium text-zinc-700 dark:text-zinc-300">Skill:</dt>{' '}
          <dd className="inline">
            how much smaller their Brier is than the market’s before they traded; above 0% they moved prices
            toward the verdict.
          </dd>
        </div>
        <div>
          <dt className="inline font-medium text-zinc-700 dark:text-zinc-300">Brier:</dt>{' '}
          <dd className="inline">mean squared error of their forecasts: 0 is perfect, 0.25 a coin flip.</dd>
        </div>
        <div>
          <dt className="inline font-medium text-zinc-700 dark:text-zinc-300">Log score:</dt>{' '}
          <dd className="inline">
            mean log of the chance they gave what happened: 0 is perfect, −0.693 a coin flip.
          </dd>
        </div>
      </dl>
      <p
        className="mt-3 max-w-prose text-sm text-zinc-600 dark:text-zinc-400"
        data-testid="skill-min-markets"
      >
        {minMarkets === 1 ? (
          <>Everyone with a scored market is shown, however few. </>
        ) : (
          <>
            Only curators with at least {minMarkets} scored markets are ranked, so one lucky call cannot top
            the board.{' '}
          </>
        )}
        {minMarkets === defaultMinMarkets ? (
          <a href="/leaderboard?by=skill&min=1" className={textLink}>
            Include everyone
          </a>
        ) : (
          <a href="/leaderboard?by=skill" className={textLink}>
            Back to at least {defaultMinMarkets}
          </a>
        )}
      </p>
      {rows.length === 0 ? (
        <p className="mt-6 text-sm text-zinc-600 dark:text-zinc-400" data-testid="skill-board-empty">
          {minMarkets === 1
            ? 'No market anyone traded has been settled by the jury yet.'
            : `No curator has ${minMarkets} markets settled by the jury yet.`}
        </p>
      ) : (
        <div className="mt-4 overflow-x-auto">
          <table className="w-full text-sm" data-testid="skill-board">
            <caption className="sr-only">
              Curators by skill, with markets scored, Brier score and log score
            </caption>
            <thead className="border-b border-zinc-200 dark:border-zinc-800">
              <tr>
                <th scope="col" className={`${th} w-8 text-right`}>
                  <span className="sr-only">Rank</span>#
                </th>
                <th scope="col" className={`${th} text-left`}>
                  Curator
                </th>
                <th scope="col" className={`${th} text-right`}>
                  Markets
                </th>
                <th scope="col" className={`${th} text-right`}>
                  Brier
                </th>
                <th scope="col" className={`${th} hidden text-right sm:table-cell`}>
                  Log
                </th>
                <th scope="col" className={`${th} text-right`}>
                  Skill
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-900">
              {rows.map((r) => (
                <tr key={r.did} data-testid="skill-row" data-did={r.did}>
                  <td className={`${td} text-zinc-600 dark:text-zinc-400`}>{r.rank}</td>
                  {/* w-full + max-w-0: the name column takes what is left and truncates, so the figures always fit. */}
                  <td className="w-full max-w-0 truncate px-2 py-2.5 font-medium">
                    <CuratorName did={r.did} handle={r.handle} from="skill" />
                  </td>
                  <td className={td} data-testid="skill-row-markets">
                    {r.markets}
                  </td>
                  <td className={td} data-testid="skill-row-brier">
                    {formatBrier(r.brier)}
                  </td>
                  <td className={`${td} hidden sm:table-cell`} data-testid="skill-row-log">
                    {formatLogScore(r.logScore)}
                  </td>
                  <td
                    className={`${td} font-medium ${signColour(Math.round(r.skill * 100))}`}
                    data-testid="skill-row-skill"
                  >
                    {formatSkill(r.skill)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}
