import type { Metadata } from 'next'
import { formatPercent } from './credits'
import type { FeedPostView } from './feed-types'
import { excerpt } from './format'
import type { MarketView } from './market-types'

/**
 * What a post page says about itself to link previews (Bluesky's link cards, other sites' unfurls, the browser
 * tab): who wrote it, what it says, and what Curia's market thinks of it. Pure. The text is untrusted; Next.js
 * escapes it into attributes, and it is cut to one line here.
 */
export function postPageMetadata(
  page: { post: FeedPostView | null; market: MarketView | null },
  url: string,
): Metadata {
  const { post, market } = page
  const author = post
    ? (post.author.displayName ?? (post.author.handle ? `@${post.author.handle}` : 'A Bluesky account'))
    : null
  const text = post ? excerpt(post.text, 100) : ''
  const title = !post ? 'A post on Curia' : text ? `${author}: “${text}”` : `A post by ${author}`
  const description = marketLine(market)
  const image = post?.images[0]
  return {
    title: `${title} — Curia`,
    description,
    openGraph: {
      title,
      description,
      url,
      siteName: 'Curia',
      type: 'article',
      ...(image ? { images: [{ url: image.url, alt: excerpt(image.alt, 300) }] } : {}),
    },
    twitter: { card: image ? 'summary_large_image' : 'summary', title, description },
  }
}

function marketLine(market: MarketView | null): string {
  if (!market)
    return 'No market on this post yet: open one on Curia and forecast whether the jury will endorse it.'
  const traders = `${market.traderCount} ${market.traderCount === 1 ? 'trader' : 'traders'}`
  if (market.status === 'void')
    return `The jury reached no verdict on this post; its ${traders} got their credits back.`
  // A closed market's price is sealed until the jury rules (`isPriceSealed`).
  if (market.yesPrice === null)
    return `Trading closed (${traders}); the price stays sealed until the jury's next round rules on it.`
  const pct = formatPercent(market.yesPrice)
  if (market.status === 'settled')
    return `Settled by Curia's jury after trading closed at ${pct} YES (${traders}).`
  if (market.traderCount === 0)
    return 'A market is open on this post and nobody has forecast it yet: be the first, on Curia.'
  return `Curia's curators put it at ${pct} that the jury will endorse this post (${traders}). Trading is open.`
}
