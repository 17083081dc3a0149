import type { FeedPostRef, FeedPostView } from '../lib/feed-types'
import { formatAbsoluteTime, formatCount, formatRelativeTime } from '../lib/format'
import { Avatar } from './avatar'
import { HeartIcon, ExternalIcon, ReplyIcon, RepostIcon } from './icons'
import { PostImages } from './post-images'
import { authorName, ExternalCard, HandleThenDot, ReferencedPost, VideoRef } from './post-embeds'
import { MarketBadge } from './market-badge'
import { RichText } from './rich-text'
import { postHeadingId } from '../lib/post-path'
import { focusRing } from '../lib/styles'

/**
 * One post in the feed. Everything in it came from someone else's record, so every string is rendered as a React
 * text node and every link is one the presenter or `segmentRichText` built and checked.
 *
 * `nowMs` is passed in, not read, so the server's render and the browser's hydration agree on "3h".
 */
export function PostCard({
  post,
  nowMs,
  position,
  showMarket = true,
  showCounts = true,
}: {
  post: FeedPostView
  nowMs: number
  /** 1-based position in the feed, for the ARIA feed pattern; absent for a post shown on its own. */
  position?: number
  /** The market line (off on the post's own page, which shows the market in full). */
  showMarket?: boolean
  /** Like and repost counts (off on a juror's ballot: popularity is what the jury must not be anchored on). */
  showCounts?: boolean
}) {
  const { author } = post
  const name = authorName(author)
  const time = formatRelativeTime(post.createdAt, nowMs)
  const headingId = postHeadingId(post.uri, position)

  return (
    <article
      aria-labelledby={headingId}
      aria-posinset={position}
      aria-setsize={position === undefined ? undefined : -1}
      data-uri={post.uri}
      className="flex gap-3 px-4 py-4 sm:px-5"
    >
      <a href={author.profileUrl} target="_blank" rel="noopener noreferrer" tabIndex={-1} aria-hidden="true">
        <Avatar did={author.did} name={name} url={author.avatarUrl} />
      </a>

      <div className="min-w-0 flex-1">
        <header className="flex min-w-0 items-baseline gap-1.5 text-[15px] leading-snug">
          <a
            id={headingId}
            href={author.profileUrl}
            target="_blank"
            rel="noopener noreferrer"
            className={`min-w-0 shrink truncate rounded-sm font-semibold text-zinc-900 hover:underline dark:text-zinc-50 ${focusRing}`}
          >
            {/* <bdi>: a name with right-to-left overrides must not reorder the handle and time beside it. */}
            <bdi>{name}</bdi>
          </a>
          <HandleThenDot handle={author.handle} />
          <a
            href={post.bskyUrl}
            target="_blank"
            rel="noopener noreferrer"
            className={`shrink-0 rounded-sm text-zinc-600 hover:underline dark:text-zinc-400 ${focusRing}`}
          >
            <time dateTime={post.createdAt} title={formatAbsoluteTime(post.createdAt)}>
              <span aria-hidden="true">{time.short}</span>
              <span className="sr-only">Posted {time.long}</span>
            </time>
          </a>
        </header>

        {post.replyParent ? (
          <p className="mt-0.5 flex min-w-0 items-center gap-1 text-sm text-zinc-600 dark:text-zinc-400">
            <ReplyIcon width={14} height={14} className="shrink-0" />
            {post.replyParent.bskyUrl ? (
              <a
                href={post.replyParent.bskyUrl}
                target="_blank"
                rel="noopener noreferrer"
                className={`min-w-0 truncate rounded-sm hover:underline ${focusRing}`}
              >
                <ReplyTo parent={post.replyParent} />
              </a>
            ) : (
              <span className="min-w-0 truncate">
                <ReplyTo parent={post.replyParent} />
              </span>
            )}
          </p>
        ) : null}
        {post.replyParent ? (
          <ReferencedPost reference={post.replyParent} kind="parent" nowMs={nowMs} />
        ) : null}

        {post.text ? (
          <div className="mt-1 text-zinc-900 dark:text-zinc-100">
            <RichText text={post.text} facets={post.facets} />
          </div>
        ) : null}

        <PostImages images={post.images} />
        {post.external ? <ExternalCard external={post.external} /> : null}
        {post.hasVideo ? <VideoRef bskyUrl={post.bskyUrl} /> : null}
        {post.quote ? <ReferencedPost reference={post.quote} kind="quote" nowMs={nowMs} /> : null}
        {showMarket && post.path ? <MarketBadge market={post.market} path={post.path} /> : null}

        <footer className="mt-3 flex items-center gap-5 text-sm text-zinc-600 tabular-nums dark:text-zinc-400">
          {showCounts ? (
            <>
              <span className="inline-flex items-center gap-1.5" data-testid="like-count">
                <HeartIcon width={16} height={16} />
                {formatCount(post.likeCount)}
                <span className="sr-only">{post.likeCount === 1 ? ' like' : ' likes'}</span>
              </span>
              <span className="inline-flex items-center gap-1.5" data-testid="repost-count">
                <RepostIcon width={16} height={16} />
                {formatCount(post.repostCount)}
                <span className="sr-only">{post.repostCount === 1 ? ' repost' : ' reposts'}</span>
              </span>
            </>
          ) : null}
          <a
            href={post.bskyUrl}
            target="_blank"
            rel="noopener noreferrer"
            className={`ml-auto inline-flex items-center gap-1 rounded-sm hover:text-sky-700 hover:underline dark:hover:text-sky-400 ${focusRing}`}
          >
            Open on Bluesky
            <ExternalIcon width={14} height={14} />
          </a>
        </footer>
      </div>
    </article>
  )
}

/** A placeholder with a card's shape, shown while a page loads. */
export function PostCardSkeleton() {
  return (
    <div
      aria-hidden="true"
      className="flex animate-pulse gap-3 px-4 py-4 sm:px-5"
      data-testid="post-skeleton"
    >
      <div className="size-11 shrink-0 rounded-full bg-zinc-200 dark:bg-zinc-800" />
      <div className="flex-1 space-y-2.5 pt-1">
        <div className="h-3.5 w-2/5 rounded bg-zinc-200 dark:bg-zinc-800" />
        <div className="h-3.5 w-full rounded bg-zinc-200 dark:bg-zinc-800" />
        <div className="h-3.5 w-4/5 rounded bg-zinc-200 dark:bg-zinc-800" />
        <div className="h-3 w-1/3 rounded bg-zinc-200 pt-2 dark:bg-zinc-800" />
      </div>
    </div>
  )
}

/** "Reply to @carol.test", naming the parent's author when Curia knows them. */
function ReplyTo({ parent }: { parent: FeedPostRef }) {
  if (!parent.author) return <>Reply to a post</>
  const { handle, displayName } = parent.author
  return (
    <>
      Reply to <bdi>{handle ? `@${handle}` : displayName}</bdi>
    </>
  )
}
