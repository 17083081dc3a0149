import type { Metadata } from 'next'
import { notFound } from 'next/navigation'
import { connection } from 'next/server'
import type { ReactNode } from 'react'
import { CalibrationChart } from '../../../components/calibration-chart'
import { profileUrl } from '../../../lib/bsky-urls'
import { formatPercent, formatSignedCredits } from '../../../lib/credits'
import { binRange, formatBrier, formatLogScore, formatSkill, signColour } from '../../../lib/curator'
import { getSession } from '../../../server/auth/session'
import { getWebServices } from '../../../server/db'
import { didFromPathSegment, loadCuratorPage } from '../../../server/queries/skill'

export const metadata: Metadata = { title: 'Curator — Curia' }

const th = 'px-2 py-2 text-xs font-medium tracking-wide text-zinc-600 uppercase dark:text-zinc-400'
const td = 'px-2 py-2 text-right tabular-nums'

/**
 * A curator's record: realised profit over settled and void markets (the leaderboard's profit also counts open
 * positions at today's prices, and each says which it is), skill scores over the markets the jury ruled on (each
 * with a line saying what it means), and calibration as a chart and as a table. Anything in the URL that is not a
 * curator's DID is a 404. `?from=skill` (the skill board's links) sends the way back to that board; otherwise it
 * goes to the profit board.
 */
export default async function CuratorPage({
  params,
  searchParams,
}: {
  params: Promise<{ did: string }>
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  await connection()
  const fromSkill = (await searchParams).from === 'skill'
  const did = didFromPathSegment((await params).did)
  if (!did) notFound()
  const [view, session] = await Promise.all([
    getWebServices().database.then((database) => loadCuratorPage(database, did)),
    getSession(),
  ])
  if (!view) notFound()
  const isViewer = session?.did === view.did
  const profile = profileUrl(view.did)
  const profitMicro = BigInt(view.profitMicro)
  const scored = view.calibration.filter((b) => b.count > 0)

  return (
    <div className="px-4 py-6 sm:px-6">
      <a
        href={fromSkill ? '/leaderboard?by=skill' : '/leaderboard?by=profit'}
        className="text-sm text-sky-700 hover:underline dark:text-sky-400"
        data-testid="curator-back"
      >
        ← Leaderboard
      </a>
      <div className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1">
        <h1
          className="min-w-0 font-serif text-2xl font-semibold tracking-tight break-words"
          data-testid="curator-name"
        >
          <bdi>{view.handle ? `@${view.handle}` : view.did}</bdi>
        </h1>
        {isViewer ? (
          <span className="rounded-full bg-sky-100 px-2.5 py-0.5 text-xs font-medium text-sky-900 dark:bg-sky-950 dark:text-sky-200">
            You
          </span>
        ) : null}
      </div>
      <p className="mt-1 text-xs break-all text-zinc-600 dark:text-zinc-400">
        <span data-testid="curator-did">{view.did}</span>
        {profile ? (
          <>
            {' · '}
            <a
              href={profile}
              target="_blank"
              rel="noopener noreferrer"
              className="text-sky-700 underline underline-offset-2 dark:text-sky-400"
            >
              Bluesky profile
            </a>
          </>
        ) : null}
        {isViewer ? (
          <>
            {' · '}
            <a href="/portfolio" className="text-sky-700 underline underline-offset-2 dark:text-sky-400">
              Your portfolio
            </a>
          </>
        ) : null}
      </p>

      <dl className="mt-5 grid grid-cols-2 gap-2 sm:gap-3">
        <Stat
          label="Realised profit"
          testId="curator-profit"
          value={
            <span className={signColour(profitMicro > 0n ? 1 : profitMicro < 0n ? -1 : 0)}>
              {formatSignedCredits(view.profitMicro)}
            </span>
          }
          note={`${
            view.settledPositions === 0
              ? 'Nothing they hold has settled yet.'
              : `What settlement paid minus what was spent, over ${view.settledPositions} settled or void ${
                  view.settledPositions === 1 ? 'market' : 'markets'
                }.`
          } Open positions are left out; the leaderboard’s profit counts them at today’s prices.`}
        />
        <Stat
          label="Markets scored"
          testId="curator-markets"
          value={view.markets}
          note="Markets they traded that the jury ruled on (void ones score nothing)."
        />
        {view.markets > 0 ? (
          <>
            <Stat
              label="Skill against the market"
              testId="curator-skill"
              value={
                <span className={signColour(Math.round((view.skill ?? 0) * 100))}>
                  {formatSkill(view.skill)}
                </span>
              }
              note="1 − Brier ÷ reference Brier: above 0% their trades moved prices toward the verdict."
            />
            <Stat
              label="Brier score"
              testId="curator-brier"
              value={formatBrier(view.brier)}
              note="Mean squared error of their forecasts: 0 is perfect, 0.25 a coin flip."
            />
            <Stat
              label="Log score"
              testId="curator-log"
              value={formatLogScore(view.logScore)}
              note="Mean log of the chance they gave what happened: 0 is perfect, −0.693 a coin flip."
            />
            <Stat
              label="Reference Brier"
              testId="curator-reference"
              value={formatBrier(view.referenceBrier)}
              note="The market’s own Brier at the prices they found, before their first trade."
            />
          </>
        ) : null}
      </dl>

      <section aria-labelledby="calibration-heading" className="mt-8">
        <h2 id="calibration-heading" className="text-base font-semibold">
          Calibration
        </h2>
        {view.markets === 0 ? (
          <p
            className="mt-2 max-w-prose text-sm text-zinc-600 dark:text-zinc-400"
            data-testid="curator-empty"
          >
            {view.settledPositions > 0
              ? 'The markets of theirs that have settled so far were void (not sampled, or no verdict), so there is nothing to score yet.'
              : 'Nothing this curator forecast has been settled by the jury yet. Scores and calibration appear once a market they traded is settled on a verdict.'}
          </p>
        ) : (
          <>
            <p className="mt-1 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
              A trade’s forecast is the YES price it left behind. For each range of their forecasts, how often
              the jury endorsed the post: a well-calibrated curator’s 70% comes true about 70% of the time, on
              the diagonal.
            </p>
            <CalibrationChart bins={view.calibration} />
            <div className="mt-4 overflow-x-auto">
              <table className="w-full text-sm" data-testid="calibration-table">
                <caption className="sr-only">Calibration by forecast range</caption>
                <thead className="border-b border-zinc-200 dark:border-zinc-800">
                  <tr>
                    <th scope="col" className={`${th} text-left`}>
                      Forecast
                    </th>
                    <th scope="col" className={`${th} text-right`}>
                      Markets
                    </th>
                    <th scope="col" className={`${th} text-right`}>
                      Mean
                    </th>
                    <th scope="col" className={`${th} text-right`}>
                      Endorsed
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-zinc-100 dark:divide-zinc-900">
                  {scored.map((b) => (
                    <tr
                      key={b.lower}
                      data-testid="calibration-row"
                      data-lower={b.lower}
                      data-count={b.count}
                      data-yes-frequency={b.yesFrequency ?? ''}
                    >
                      <th scope="row" className="px-2 py-2 text-left font-normal tabular-nums">
                        {binRange(b)}
                      </th>
                      <td className={td}>{b.count}</td>
                      <td className={td}>{b.meanForecast === null ? '—' : formatPercent(b.meanForecast)}</td>
                      <td className={td}>
                        {b.yesFrequency === null ? '—' : formatPercent(b.yesFrequency)}
                        <span className="text-xs text-zinc-600 dark:text-zinc-400">
                          {' '}
                          ({Math.round((b.yesFrequency ?? 0) * b.count)} of {b.count})
                        </span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
    </div>
  )
}

function Stat({
  label,
  value,
  note,
  testId,
}: {
  label: string
  value: ReactNode
  note: string
  testId: string
}) {
  return (
    <div className="rounded-xl border border-zinc-200 p-3 sm:p-4 dark:border-zinc-800">
      <dt className="text-xs text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="mt-1 text-xl font-semibold tabular-nums sm:text-2xl" data-testid={testId}>
        {value}
      </dd>
      <dd className="mt-1 text-xs leading-snug text-zinc-600 dark:text-zinc-400">{note}</dd>
    </div>
  )
}
