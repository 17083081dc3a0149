import { formatCredits, formatPercent } from '../lib/credits'
import type { TradeView } from '../lib/market-types'
import { RelativeTime } from './relative-time'

/** A market's trades, newest first, as a list a screen reader walks like the chart's data. */
export function TradeList({ trades, nowMs }: { trades: TradeView[]; nowMs: number }) {
  if (trades.length === 0) {
    return <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">No trades yet.</p>
  }
  return (
    <ol className="mt-2 divide-y divide-zinc-100 dark:divide-zinc-900" data-testid="trade-list">
      {trades.map((t) => {
        const who = t.handle ? `@${t.handle}` : `${t.did.slice(0, 18)}…`
        return (
          <li key={t.tradeId} className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5 py-2 text-sm">
            <bdi className="max-w-[12rem] truncate font-medium text-zinc-900 dark:text-zinc-100">{who}</bdi>{' '}
            <span
              className={
                t.side === 'buy' ? 'text-zinc-700 dark:text-zinc-300' : 'text-zinc-600 dark:text-zinc-400'
              }
            >
              {t.side === 'buy' ? 'bought' : 'sold'}{' '}
              <span className="tabular-nums">{formatCredits(t.sharesMicro)}</span>{' '}
              <span
                className={
                  t.outcome === 'yes'
                    ? 'font-medium text-emerald-700 dark:text-emerald-400'
                    : 'font-medium text-rose-700 dark:text-rose-400'
                }
              >
                {t.outcome.toUpperCase()}
              </span>{' '}
              for <span className="tabular-nums">{formatCredits(t.moneyMicro)}</span> credits
            </span>{' '}
            <span className="text-zinc-600 tabular-nums dark:text-zinc-400">
              {formatPercent(t.yesPriceBefore)} → {formatPercent(t.yesPriceAfter)}
            </span>{' '}
            <RelativeTime
              iso={t.createdAt}
              nowMs={nowMs}
              className="ml-auto text-xs text-zinc-600 dark:text-zinc-400"
            />
          </li>
        )
      })}
    </ol>
  )
}
