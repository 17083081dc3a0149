import type { Metadata } from 'next'
import { connection } from 'next/server'
import { formatSignedCredits } from '../../lib/credits'
import { getWebServices } from '../../server/db'
import { loadLeaderboard } from '../../server/queries/market'

export const metadata: Metadata = { title: 'Leaderboard — Curia' }

export default async function LeaderboardPage() {
  await connection()
  const rows = await loadLeaderboard(await getWebServices().database)
  return (
    <div className="px-4 py-6 sm:px-6">
      <h1 className="font-serif text-2xl font-semibold tracking-tight">Leaderboard</h1>
      <p className="mt-2 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
        Curators by trading profit: open positions at today’s prices, settled ones at what they paid, minus
        what was spent. Forecasting well is how credits are earned here.
      </p>
      {rows.length === 0 ? (
        <p className="mt-6 text-sm text-zinc-500 dark:text-zinc-400">No one has traded yet.</p>
      ) : (
        <ol className="mt-5 divide-y divide-zinc-100 dark:divide-zinc-900" data-testid="leaderboard">
          {rows.map((r) => (
            <li key={r.did} className="flex items-center gap-3 py-2.5 text-sm">
              <span className="w-7 shrink-0 text-right text-zinc-500 tabular-nums">{r.rank}</span>
              <bdi className="min-w-0 flex-1 truncate font-medium">{r.handle ? `@${r.handle}` : r.did}</bdi>
              <span className="shrink-0 text-xs text-zinc-500 dark:text-zinc-400">
                {r.markets} {r.markets === 1 ? 'market' : 'markets'}
              </span>
              <span
                className={`w-24 shrink-0 text-right font-medium tabular-nums ${
                  BigInt(r.profitMicro) > 0n
                    ? 'text-emerald-700 dark:text-emerald-400'
                    : BigInt(r.profitMicro) < 0n
                      ? 'text-rose-700 dark:text-rose-400'
                      : ''
                }`}
              >
                {formatSignedCredits(r.profitMicro)}
              </span>
            </li>
          ))}
        </ol>
      )}
    </div>
  )
}
