import { formatPercent } from '../lib/credits'
import { CLOSED_MARKET_WORDS, type MarketBadgeView } from '../lib/market-types'
import { focusRing } from '../lib/styles'

/**
 * A post card's market line: the YES probability with a thin bar, and how many curators have traded. It links to
 * the post's page (chart, trading). Without a market, an invitation to open one.
 */
export function MarketBadge({ market, path }: { market: MarketBadgeView | null; path: string }) {
  if (!market) {
    return (
      <a
        href={path}
        data-testid="market-badge"
        className={`mt-3 inline-flex items-center gap-1.5 rounded-full border border-dashed border-zinc-300 px-3 py-1 text-sm text-zinc-600 hover:border-zinc-400 hover:text-zinc-900 dark:border-zinc-700 dark:text-zinc-400 dark:hover:text-zinc-100 ${focusRing}`}
      >
        No market yet · Forecast it
      </a>
    )
  }
  const traders = `${market.traderCount} ${market.traderCount === 1 ? 'trader' : 'traders'}`
  const closed = market.status === 'open' ? null : CLOSED_MARKET_WORDS[market.status]
  if (market.yesPrice === null) {
    // Sealed from close until the jury rules: jurors judge the post, not the market.
    return (
      <a
        href={path}
        data-testid="market-badge"
        className={`mt-3 inline-flex items-center gap-1.5 rounded-full border border-zinc-200 bg-zinc-50 px-3 py-1 text-sm text-zinc-600 hover:border-zinc-300 hover:bg-white hover:text-zinc-900 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-950 dark:hover:text-zinc-100 ${focusRing}`}
      >
        <span data-testid="market-price">Awaiting the jury</span>
        <span data-testid="market-traders">· {traders}</span>
      </a>
    )
  }
  const pct = Math.round(market.yesPrice * 1000) / 10
  if (market.traderCount === 0) {
    // The opening price (50%) is nobody's forecast: say so, rather than show a coin flip as the curators' view.
    return (
      <a
        href={path}
        data-testid="market-badge"
        className={`mt-3 inline-flex items-center gap-1.5 rounded-full border border-zinc-200 bg-zinc-50 px-3 py-1 text-sm text-zinc-600 hover:border-zinc-300 hover:bg-white hover:text-zinc-900 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-950 dark:hover:text-zinc-100 ${focusRing}`}
      >
        <span data-testid="market-price">No forecasts yet</span>
        <span data-testid="market-traders">· {closed ?? 'be the first'}</span>
      </a>
    )
  }
  return (
    <a
      href={path}
      data-testid="market-badge"
      className={`group mt-3 flex max-w-sm items-center gap-3 rounded-xl border border-zinc-200 bg-zinc-50 px-3 py-2 text-sm transition-colors hover:border-zinc-300 hover:bg-white dark:border-zinc-800 dark:bg-zinc-900 dark:hover:border-zinc-700 dark:hover:bg-zinc-950 ${focusRing}`}
    >
      <span
        className="shrink-0 font-semibold text-emerald-700 tabular-nums dark:text-emerald-400"
        data-testid="market-price"
      >
        {formatPercent(market.yesPrice)} YES
      </span>
      {/* The link's name is its text (what it says is what a screen reader and voice control call it), completed
          for those who cannot see the bar. */}
      <span className="sr-only">, the chance the jury endorses this post;</span>
      <span
        aria-hidden="true"
        className="h-1.5 min-w-12 flex-1 overflow-hidden rounded-full bg-rose-200 dark:bg-rose-950"
      >
        <span className="block h-full rounded-full bg-emerald-500" style={{ width: `${pct}%` }} />
      </span>
      <span className="shrink-0 text-zinc-600 tabular-nums dark:text-zinc-400" data-testid="market-traders">
        {traders}
        {closed ? ` · ${closed}` : ''}
      </span>
      <span className="sr-only">. Open the market.</span>
    </a>
  )
}
