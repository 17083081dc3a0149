import type { Metadata } from 'next'
import { formatCredits, formatPercent, formatSignedCredits } from '../../lib/credits'
import { curatorPath } from '../../lib/curator'
import { CLOSED_MARKET_WORDS } from '../../lib/market-types'
import { RelativeTime } from '../../components/relative-time'
import { FaucetPanel } from '../../components/jury/faucet-panel'
import { SignInPrompt } from '../../components/sign-in-prompt'
import { getSession } from '../../server/auth/session'
import { getWebConfig } from '../../server/config'
import { getWebServices } from '../../server/db'
import { artifactManifest } from '../../server/jury/artifacts'
import { loadFaucetView } from '../../server/jury/faucet'
import { loadPortfolio } from '../../server/queries/market'

export const metadata: Metadata = { title: 'Portfolio — Curia' }

const th = 'px-2 py-2 text-left text-xs font-medium tracking-wide text-zinc-600 uppercase dark:text-zinc-400'
const td = 'px-2 py-2.5 align-top tabular-nums'

export default async function PortfolioPage() {
  const session = await getSession()
  if (!session) {
    return (
      <SignInPrompt
        title="Portfolio"
        text="Sign in to see your credits and positions."
        returnTo="/portfolio"
      />
    )
  }
  const database = await getWebServices().database
  const [portfolio, faucet] = await Promise.all([
    loadPortfolio(database, session.did),
    loadFaucetView(database, {
      did: session.did,
      amountMicro: getWebConfig().ledger.humanGrantMicro,
      artifacts: artifactManifest,
    }),
  ])
  const nowMs = Date.now()
  const { viewer } = portfolio

  return (
    <div className="px-4 py-6 sm:px-6">
      <h1 className="font-serif text-2xl font-semibold tracking-tight">Portfolio</h1>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
        <bdi>@{viewer.handle ?? viewer.did}</bdi> ·{' '}
        <a
          href={curatorPath(viewer.did) ?? '/leaderboard?by=skill'}
          className="text-sky-700 underline underline-offset-2 dark:text-sky-400"
        >
          Your skill and calibration
        </a>
      </p>
      <dl className="mt-5 grid grid-cols-2 gap-3">
        <div className="rounded-xl border border-zinc-200 p-4 dark:border-zinc-800">
          <dt className="text-xs text-zinc-600 dark:text-zinc-400">Balance</dt>
          <dd className="mt-1 text-2xl font-semibold tabular-nums" data-testid="portfolio-balance">
            {formatCredits(viewer.balanceMicro)}
          </dd>
          {BigInt(viewer.heldMicro) > 0n ? (
            <dd className="mt-1 text-xs text-zinc-600 dark:text-zinc-400" data-testid="portfolio-held">
              {formatCredits(viewer.heldMicro)} of this is profit from sales, held until those markets settle
              (a voided market takes its profit back for its other traders).
            </dd>
          ) : null}
        </div>
        <div className="rounded-xl border border-zinc-200 p-4 dark:border-zinc-800">
          <dt className="text-xs text-zinc-600 dark:text-zinc-400">Positions, marked to market</dt>
          <dd className="mt-1 text-2xl font-semibold tabular-nums">
            {formatCredits(portfolio.positionsValueMicro)}
          </dd>
        </div>
      </dl>

      {faucet ? (
        <div className="mt-5 scroll-mt-20" id="human-grant">
          <FaucetPanel view={faucet} did={session.did} />
        </div>
      ) : null}

      <section aria-labelledby="positions-heading" className="mt-8">
        <h2 id="positions-heading" className="text-base font-semibold">
          Positions
        </h2>
        {portfolio.positions.length === 0 ? (
          <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
            No positions yet. Find a post in the{' '}
            <a href="/" className="text-sky-700 underline dark:text-sky-400">
              feed
            </a>{' '}
            and forecast it.
          </p>
        ) : (
          <div className="mt-2 overflow-x-auto">
            <table className="w-full min-w-[34rem] text-sm" data-testid="positions">
              <thead className="border-b border-zinc-200 dark:border-zinc-800">
                <tr>
                  <th scope="col" className={th}>
                    Post
                  </th>
                  <th scope="col" className={`${th} text-right`}>
                    YES
                  </th>
                  <th scope="col" className={`${th} text-right`}>
                    NO
                  </th>
                  <th scope="col" className={`${th} text-right`}>
                    Price
                  </th>
                  <th scope="col" className={`${th} text-right`}>
                    Value
                  </th>
                  <th scope="col" className={`${th} text-right`}>
                    Profit
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100 dark:divide-zinc-900">
                {portfolio.positions.map((p) => (
                  <tr key={p.marketId} data-testid="position-row" data-market-id={p.marketId}>
                    <td className="max-w-[16rem] px-2 py-2.5 align-top">
                      {p.path ? (
                        <a
                          href={p.path}
                          className="line-clamp-2 text-zinc-900 hover:underline dark:text-zinc-100"
                        >
                          {p.postText}
                        </a>
                      ) : (
                        <span className="line-clamp-2">{p.postText}</span>
                      )}
                      <span className="text-xs text-zinc-600 dark:text-zinc-400">
                        {p.authorHandle ? <bdi>@{p.authorHandle}</bdi> : null}
                        {p.status !== 'open' ? ` · ${CLOSED_MARKET_WORDS[p.status]}` : ''}
                      </span>
                    </td>
                    <td className={`${td} text-right`}>
                      {formatCredits(p.yesSharesMicro, 2, { column: true })}
                    </td>
                    <td className={`${td} text-right`}>
                      {formatCredits(p.noSharesMicro, 2, { column: true })}
                    </td>
                    <td className={`${td} text-right`}>{formatPercent(p.yesPrice)}</td>
                    <td className={`${td} text-right`}>{formatCredits(p.valueMicro, 2, { column: true })}</td>
                    <td className={`${td} text-right ${profitColour(p.profitMicro)}`}>
                      {formatSignedCredits(p.profitMicro, { column: true })}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="trades-heading" className="mt-8">
        <h2 id="trades-heading" className="text-base font-semibold">
          Your trades
        </h2>
        {portfolio.trades.length === 0 ? (
          <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">No trades yet.</p>
        ) : (
          <ol className="mt-2 divide-y divide-zinc-100 dark:divide-zinc-900" data-testid="portfolio-trades">
            {portfolio.trades.map((t) => (
              <li key={t.tradeId} className="py-2 text-sm">
                <div className="flex flex-wrap items-baseline gap-x-2">
                  <span>
                    {t.side === 'buy' ? 'Bought' : 'Sold'}{' '}
                    <span className="tabular-nums">{formatCredits(t.sharesMicro)}</span>{' '}
                    {t.outcome.toUpperCase()} for{' '}
                    <span className="tabular-nums">{formatCredits(t.moneyMicro)}</span> credits
                  </span>
                  <span className="text-zinc-600 tabular-nums dark:text-zinc-400">
                    {formatPercent(t.yesPriceBefore)} → {formatPercent(t.yesPriceAfter)}
                  </span>
                  <RelativeTime
                    iso={t.createdAt}
                    nowMs={nowMs}
                    className="ml-auto text-xs text-zinc-600 dark:text-zinc-400"
                  />
                </div>
                {t.path ? (
                  <a
                    href={t.path}
                    className="line-clamp-1 text-xs text-sky-700 hover:underline dark:text-sky-400"
                  >
                    {t.postText}
                  </a>
                ) : null}
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  )
}

function profitColour(micro: string): string {
  const value = BigInt(micro)
  if (value > 0n) return 'text-emerald-700 dark:text-emerald-400'
  if (value < 0n) return 'text-rose-700 dark:text-rose-400'
  return ''
}
