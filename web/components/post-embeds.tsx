import type { FeedAuthorView, FeedExternalView, FeedPostRef } from '../lib/feed-types'
import { focusRing } from '../lib/styles'
import { Avatar } from './avatar'
import { ExternalIcon, QuoteIcon, VideoIcon } from './icons'
import { RelativeTime } from './relative-time'

const cardBox =
  'mt-3 block overflow-hidden rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-950'
/** The post replied to sits between the "Reply to" line and the reply's text, on a tinted ground. */
const parentBox =
  'mt-2 block overflow-hidden rounded-xl border border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900'

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

/**
 * A post shown inside another: the post it quotes, or the post it replies to, when Curia has it (author, time,
 * plain text, image thumbnails). The whole box is one link to that post on bsky.app, so nothing inside it is
 * interactive: its text's links are text here, its images thumbnails with their alt text. A quoted post Curia does
 * not have is a line that says a post is quoted; a missing parent shows nothing (the "Reply to" line names it).
 */
export function ReferencedPost({
  reference,
  kind,
  nowMs,
}: {
  reference: FeedPostRef
  kind: 'quote' | 'parent'
  nowMs: number
}) {
  const { post, author } = reference
  if (!(post && author) && kind === 'parent') return null
  const inner =
    post && author ? (
      <span className="block px-3 py-2.5">
        <span className="sr-only">{kind === 'quote' ? 'Quoted post: ' : 'In reply to: '}</span>
        <span className="flex min-w-0 items-center gap-1.5 text-sm leading-snug">
          <Avatar did={author.did} name={authorName(author)} url={author.avatarUrl} small />
          <span className="min-w-0 shrink truncate font-semibold text-zinc-900 dark:text-zinc-100">
            <bdi>{authorName(author)}</bdi>
          </span>
          <HandleThenDot handle={author.displayName ? author.handle : null} />
          <RelativeTime
            iso={post.createdAt}
            nowMs={nowMs}
            className="shrink-0 text-zinc-600 dark:text-zinc-400"
          />
        </span>
        {post.text ? (
          <span
            className={`mt-1 block text-[15px] break-words whitespace-pre-wrap text-zinc-900 dark:text-zinc-100 ${kind === 'quote' ? 'line-clamp-6' : 'line-clamp-4'}`}
          >
            {post.text}
          </span>
        ) : null}
        {post.images.length > 0 ? (
          <span className="mt-2 flex gap-1">
            {post.images.map((image, i) => (
              // A plain <img>: blobs are served by the configured CDN or PDS, not re-encoded by this server.
              <img
                key={i}
                src={image.url}
                alt={image.alt}
                loading="lazy"
                decoding="async"
                referrerPolicy="no-referrer"
                className="size-20 rounded-lg border border-zinc-200 bg-zinc-100 object-cover dark:border-zinc-800 dark:bg-zinc-900"
              />
            ))}
          </span>
        ) : null}
      </span>
    ) : (
      <span className="flex items-center gap-2 px-3 py-2.5 text-sm text-zinc-600 dark:text-zinc-400">
        <QuoteIcon width={16} height={16} className="shrink-0" />
        <span>Quotes a post</span>
        {reference.bskyUrl ? (
          <span className="ml-auto text-sky-700 dark:text-sky-400">View on Bluesky</span>
        ) : null}
      </span>
    )
  const box = kind === 'quote' ? cardBox : parentBox
  const testId = kind === 'quote' ? 'quote' : 'reply-parent'
  if (!reference.bskyUrl)
    return (
      <div className={box} data-testid={testId}>
        {inner}
      </div>
    )
  return (
    <a
      href={reference.bskyUrl}
      target="_blank"
      rel="noopener noreferrer"
      data-testid={testId}
      className={`${box} ${focusRing} transition-colors hover:bg-zinc-100 dark:hover:bg-zinc-800`}
    >
      {inner}
    </a>
  )
}

/** How a post's author is named: display name, else handle, else DID. */
export function authorName(author: FeedAuthorView): string {
  return author.displayName ?? author.handle ?? author.did
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

/** The `@handle ·` between an author's name and the time (the handle only when the name is not already it). */
export function HandleThenDot({ handle }: { handle: string | null }) {
  return (
    <>
      {handle ? (
        <span className="min-w-0 shrink-[2] truncate text-zinc-600 dark:text-zinc-400">
          <bdi>@{handle}</bdi>
        </span>
      ) : null}
      <span aria-hidden="true" className="text-zinc-400 dark:text-zinc-600">
        ·
      </span>
    </>
  )
}
