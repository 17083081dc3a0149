import type { FeedExternalView, FeedPostRef } from '../lib/feed-types'
import { ExternalIcon, QuoteIcon, VideoIcon } from './icons'
import { focusRing } from '../lib/styles'

const cardBox =
  'mt-3 block overflow-hidden rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-950'

/** A link card. A card whose URL is not http(s) is still shown, but it is not a link. */
export function ExternalCard({ external }: { external: FeedExternalView }) {
  const body = (
    <>
      {external.thumbUrl ? (
        <img
          src={external.thumbUrl}
          alt=""
          loading="lazy"
          decoding="async"
          referrerPolicy="no-referrer"
          className="aspect-[1.91/1] w-full border-b border-zinc-200 bg-zinc-100 object-cover dark:border-zinc-800 dark:bg-zinc-900"
        />
      ) : null}
      <span className="block px-3 py-2.5">
        {external.domain ? (
          <span className="flex items-center gap-1 text-xs text-zinc-600 dark:text-zinc-400">
            <ExternalIcon width={12} height={12} />
            {external.domain}
          </span>
        ) : null}
        <span className="mt-0.5 line-clamp-2 block font-semibold text-zinc-900 dark:text-zinc-100">
          {external.title || external.domain || 'Link'}
        </span>
        {external.description ? (
          <span className="mt-0.5 line-clamp-2 block text-sm text-zinc-600 dark:text-zinc-400">
            {external.description}
          </span>
        ) : null}
      </span>
    </>
  )
  if (!external.href) return <div className={cardBox}>{body}</div>
  return (
    <a
      href={external.href}
      target="_blank"
      rel="noopener noreferrer nofollow ugc"
      className={`${cardBox} ${focusRing} transition-colors hover:bg-zinc-50 dark:hover:bg-zinc-900`}
    >
      {body}
    </a>
  )
}

/** A quoted post. Only its URI is indexed, so the card says so and links to it rather than rendering it. */
export function QuoteRef({ quote }: { quote: FeedPostRef }) {
  const inner = (
    <>
      <QuoteIcon width={16} height={16} className="shrink-0" />
      <span>Quotes a post</span>
      {quote.bskyUrl ? <span className="ml-auto text-sky-700 dark:text-sky-400">View on Bluesky</span> : null}
    </>
  )
  const box = `${cardBox} flex items-center gap-2 px-3 py-2.5 text-sm text-zinc-600 dark:text-zinc-400`
  if (!quote.bskyUrl) return <div className={box}>{inner}</div>
  return (
    <a
      href={quote.bskyUrl}
      target="_blank"
      rel="noopener noreferrer"
      className={`${box} ${focusRing} transition-colors hover:bg-zinc-50 dark:hover:bg-zinc-900`}
    >
      {inner}
    </a>
  )
}

export function VideoRef({ bskyUrl }: { bskyUrl: string }) {
  return (
    <a
      href={bskyUrl}
      target="_blank"
      rel="noopener noreferrer"
      className={`${cardBox} ${focusRing} flex items-center gap-2 px-3 py-2.5 text-sm text-zinc-600 transition-colors hover:bg-zinc-50 dark:text-zinc-400 dark:hover:bg-zinc-900`}
    >
      <VideoIcon width={16} height={16} className="shrink-0" />
      <span>Video</span>
      <span className="ml-auto text-sky-700 dark:text-sky-400">Watch on Bluesky</span>
    </a>
  )
}
