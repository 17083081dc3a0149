import type { Metadata } from 'next'
import { notFound } from 'next/navigation'
import { cache } from 'react'
import { OpenMarketForm } from '../../../../components/open-market-form'
import { PostCard } from '../../../../components/post-card'
import { PriceChart } from '../../../../components/price-chart'
import { TradeList } from '../../../../components/trade-list'
import { SettlementNote } from '../../../../components/settlement-note'
import { TradePanel, TradingClosedNote } from '../../../../components/trade-panel'
import { formatCredits, formatPercent } from '../../../../lib/credits'
import { formatAbsoluteTime } from '../../../../lib/format'
import { isPriced } from '../../../../lib/market-types'
import { signInPath } from '../../../../lib/sign-in-path'
import { postPageMetadata } from '../../../../lib/post-metadata'
import { postUriFromPath } from '../../../../lib/post-path'
import { getSession, getViewer } from '../../../../server/auth/session'
import { getWebConfig } from '../../../../server/config'
import { getWebServices } from '../../../../server/db'
import { loadPostPage } from '../../../../server/queries/market'

/**
 * One load per request, shared by the page and its metadata (React's `cache` is per request): the post, its market
 * and the viewer's holding.
 */
const loadPage = cache(async (did: string, rkey: string) => {
  const postUri = postUriFromPath(safeDecode(did), safeDecode(rkey))
  if (!postUri) return null
  const config = getWebConfig()
  const [session, database] = await Promise.all([getSession(), getWebServices().database])
  return loadPostPage(
    {
      database,
      urls: config,
      rules: {
        positionCapMicro: config.market.positionCapMicro,
        maxAmountMicro: config.market.maxAmountMicro,
        openFeeMicro: config.market.openFeeMicro,
      },
    },
    { postUri, viewerDid: session?.did ?? null },
  )
})

export async function generateMetadata({
  params,
}: {
  params: Promise<{ did: string; rkey: string }>
}): Promise<Metadata> {
  const { did, rkey } = await params
  const page = await loadPage(did, rkey)
  if (!page) return { title: 'Post not found — Curia' }
  const path = page.post?.path ?? `/post/${did}/${rkey}`
  return postPageMetadata(page, new URL(path, getWebConfig().publicUrl).toString())
}

/**
 * One post and its market: the question, the price now and over time, trading, and the trade history. The trade
 * panel quotes in the browser with the same pure function the server decides with, on the state loaded here.
 */
export default async function PostPage({ params }: { params: Promise<{ did: string; rkey: string }> }) {
  const { did, rkey } = await params
  const [page, viewer] = await Promise.all([loadPage(did, rkey), getViewer()])
  if (!page) notFound()
  const nowMs = Date.now()
  const { market } = page

  return (
    <>
      <div className="border-b border-zinc-200 px-4 py-3 sm:px-5 dark:border-zinc-800">
        <a href="/" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
          ← Feed
        </a>
      </div>
      {page.post ? (
        <PostCard post={page.post} nowMs={nowMs} showMarket={false} />
      ) : (
        <p className="px-5 py-6 text-sm text-zinc-600 dark:text-zinc-400">
          This post is not stored in Curia (it may have been deleted).
          {market
            ? ' Its market stands: if it is sampled, the jury judges the post as it was when the market opened.'
            : null}
        </p>
      )}

      <section
        aria-labelledby="market-heading"
        className="border-t border-zinc-200 px-4 py-5 sm:px-5 dark:border-zinc-800"
      >
        <h1 id="market-heading" className="font-serif text-xl font-semibold tracking-tight">
          If this post is sampled, will the jury endorse it?
        </h1>
        {market ? (
          <>
            <div className="mt-3 flex flex-wrap items-end gap-x-6 gap-y-2">
              {market.yesPrice === null ? (
                <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="market-price-sealed">
                  <span className="block text-2xl font-semibold text-zinc-900 dark:text-zinc-100">
                    Awaiting the jury
                  </span>
                  The price, its chart and the trades stay sealed until the jury rules, so that jurors judge
                  the post and not the market.
                </p>
              ) : (
                <p>
                  <span
                    className="text-4xl font-semibold text-emerald-700 tabular-nums dark:text-emerald-400"
                    data-testid="market-yes-price"
                  >
                    {formatPercent(market.yesPrice)}
                  </span>{' '}
                  <span className="text-sm text-zinc-600 dark:text-zinc-400">
                    {market.status !== 'open'
                      ? 'YES when trading closed'
                      : market.traderCount === 0
                        ? 'YES, the opening price: nobody has traded yet'
                        : 'YES'}
                  </span>
                </p>
              )}
              <dl className="flex flex-wrap gap-x-5 gap-y-1 text-sm text-zinc-600 dark:text-zinc-400">
                <div>
                  <dt className="sr-only">Traders</dt>
                  <dd data-testid="market-trader-count">
                    {market.traderCount} {market.traderCount === 1 ? 'trader' : 'traders'}
                  </dd>
                </div>
                <div>
                  <dt className="sr-only">Volume</dt>
                  <dd>{formatCredits(market.volumeMicro)} credits traded</dd>
                </div>
                <div>
                  <dt className="sr-only">Closes</dt>
                  <dd>
                    <ClosesAt closesAt={market.closesAt} status={market.status} nowMs={nowMs} />
                  </dd>
                </div>
              </dl>
            </div>
            {isPriced(market) ? (
              <PriceChart points={page.pricePoints} nowMs={nowMs} closesAtMs={Date.parse(market.closesAt)} />
            ) : null}
            {page.settlement ? (
              <SettlementNote settlement={page.settlement} />
            ) : !isPriced(market) ? (
              <TradingClosedNote />
            ) : (
              <TradePanel
                market={market}
                viewer={viewer}
                holding={page.holding}
                rules={page.rules}
                signInHref={signInPath(`/post/${did}/${rkey}`)}
              />
            )}
          </>
        ) : (
          <div className="mt-3 space-y-3 text-sm text-zinc-600 dark:text-zinc-400">
            <p>No market on this post yet. Open one and be the first to forecast it.</p>
            {viewer ? (
              <OpenMarketForm fixedPostUri={page.postUri} feeMicro={page.openFeeMicro} />
            ) : (
              <a
                href={signInPath(`/post/${did}/${rkey}`)}
                className="inline-block rounded-full bg-zinc-900 px-4 py-2 font-medium text-white dark:bg-zinc-100 dark:text-zinc-900"
              >
                Sign in to open a market
              </a>
            )}
          </div>
        )}
      </section>

      {market && isPriced(market) ? (
        <section
          aria-labelledby="history-heading"
          className="border-t border-zinc-200 px-4 py-5 sm:px-5 dark:border-zinc-800"
        >
          <h2 id="history-heading" className="text-base font-semibold">
            Trades
          </h2>
          <TradeList trades={page.trades} nowMs={nowMs} />
        </section>
      ) : null}
    </>
  )
}

function ClosesAt({ closesAt, status, nowMs }: { closesAt: string; status: string; nowMs: number }) {
  const title = formatAbsoluteTime(closesAt)
  if (status === 'settled') return <span title={title}>Settled by the jury</span>
  if (status === 'void') return <span title={title}>No verdict: every trader refunded</span>
  if (status !== 'open' || Date.parse(closesAt) <= nowMs) return <span title={title}>Trading closed</span>
  const hoursLeft = Math.max(0, (Date.parse(closesAt) - nowMs) / 3_600_000)
  const left = hoursLeft >= 1 ? `${Math.floor(hoursLeft)} h` : `${Math.ceil(hoursLeft * 60)} min`
  return (
    <time dateTime={closesAt} title={title}>
      Closes in {left}
    </time>
  )
}

/** Path segments may arrive percent-encoded (`did%3Aplc%3A...`); a malformed escape is simply not a post. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return ''
  }
}
