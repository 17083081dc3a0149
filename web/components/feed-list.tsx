'use client'

import { useCallback, useEffect, useRef, useState } from 'react'
import { FEED_PAGE_SIZE, type FeedErrorBody, type FeedPage, type FeedPostView } from '../lib/feed-types'
import { PostCard, PostCardSkeleton } from './post-card'

type LoadState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; reason: FeedErrorBody['error'] | 'network'; message: string }

/**
 * The feed after its first, server-rendered page: more pages from /api/feed on the same cursor, fetched when a
 * sentinel near the bottom scrolls into view or when the reader presses "Load more" (the keyboard and no-observer
 * path). The cursor pins one ranking snapshot, so pages neither repeat nor skip while the ranking moves.
 */
export function FeedList({ initialPage, renderedAtMs }: { initialPage: FeedPage; renderedAtMs: number }) {
  const [posts, setPosts] = useState<FeedPostView[]>(initialPage.posts)
  const [cursor, setCursor] = useState<string | null>(initialPage.cursor)
  const [nowMs, setNowMs] = useState(renderedAtMs)
  const [load, setLoad] = useState<LoadState>({ status: 'idle' })
  const [announcement, setAnnouncement] = useState('')
  const inFlight = useRef(false)
  const sentinel = useRef<HTMLDivElement>(null)

  const loadMore = useCallback(async () => {
    if (inFlight.current || cursor === null) return
    inFlight.current = true
    setLoad({ status: 'loading' })
    try {
      const query = new URLSearchParams({ cursor, limit: String(FEED_PAGE_SIZE) })
      const res = await fetch(`/api/feed?${query}`, {
        headers: { accept: 'application/json' },
        cache: 'no-store',
      })
      const body = (await res.json().catch(() => null)) as FeedPage | FeedErrorBody | null
      if (!res.ok || body === null || !('posts' in body)) {
        const error = body && 'error' in body ? body : null
        setLoad({
          status: 'error',
          reason: error?.error ?? 'unavailable',
          message: error?.message ?? `The server answered ${res.status}.`,
        })
        return
      }
      setPosts((prev) => {
        // The server does not repeat posts across pages; this guards the screen against a bug if it ever does.
        const seen = new Set(prev.map((p) => p.uri))
        const fresh = body.posts.filter((p) => !seen.has(p.uri))
        return fresh.length > 0 ? [...prev, ...fresh] : prev
      })
      setCursor(body.cursor)
      setNowMs(Date.now())
      setLoad({ status: 'idle' })
      setAnnouncement(body.cursor === null ? 'End of the feed.' : `Loaded ${body.posts.length} more posts.`)
    } catch {
      setLoad({
        status: 'error',
        reason: 'network',
        message: 'Could not reach Curia. Check your connection.',
      })
    } finally {
      inFlight.current = false
    }
  }, [cursor])

  const failed = load.status === 'error'
  useEffect(() => {
    const target = sentinel.current
    if (!target || cursor === null || failed || typeof IntersectionObserver === 'undefined') return
    // A fresh observer per cursor reports the sentinel's current state at once, so a short page (posts deleted
    // since the snapshot) that leaves the sentinel on screen triggers the next load instead of stalling.
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) void loadMore()
      },
      { rootMargin: '0px 0px 1200px 0px' },
    )
    observer.observe(target)
    return () => observer.disconnect()
  }, [cursor, failed, loadMore])

  if (posts.length === 0 && cursor === null) return <EmptyFeed />

  const loading = load.status === 'loading'
  return (
    <>
      <div
        role="feed"
        aria-label="Curia feed"
        aria-busy={loading}
        className="divide-y divide-zinc-200 dark:divide-zinc-800"
      >
        {posts.map((post, i) => (
          <PostCard key={post.uri} post={post} nowMs={nowMs} position={i + 1} />
        ))}
      </div>
      {loading ? (
        <div className="divide-y divide-zinc-200 border-t border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
          <PostCardSkeleton />
          <PostCardSkeleton />
        </div>
      ) : null}

      <div ref={sentinel} aria-hidden="true" />
      <p role="status" className="sr-only">
        {announcement}
      </p>

      <div className="border-t border-zinc-200 px-4 py-6 text-center dark:border-zinc-800">
        {load.status === 'error' ? (
          <LoadError reason={load.reason} message={load.message} onRetry={() => void loadMore()} />
        ) : cursor !== null ? (
          <button
            type="button"
            onClick={() => void loadMore()}
            aria-disabled={loading}
            className="rounded-full border border-zinc-300 px-5 py-2 text-sm font-medium text-zinc-700 transition-colors hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 aria-disabled:cursor-wait aria-disabled:opacity-60 dark:border-zinc-700 dark:text-zinc-200 dark:hover:bg-zinc-900"
          >
            {loading ? 'Loading…' : 'Load more'}
          </button>
        ) : (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">You’re all caught up.</p>
        )}
      </div>
    </>
  )
}

function LoadError({
  reason,
  message,
  onRetry,
}: {
  reason: FeedErrorBody['error'] | 'network'
  message: string
  onRetry: () => void
}) {
  // An expired cursor cannot be retried: its snapshot is gone. Start again from the newest ranking.
  const expired = reason === 'bad_cursor'
  return (
    <div role="alert" className="space-y-3">
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        {expired ? 'The feed has moved on since this page was loaded.' : 'Couldn’t load more posts.'}{' '}
        <span className="text-zinc-600 dark:text-zinc-400">{message}</span>
      </p>
      <button
        type="button"
        onClick={expired ? restartFromTop : onRetry}
        className="rounded-full bg-zinc-900 px-5 py-2 text-sm font-medium text-white transition-colors hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
      >
        {expired ? 'Back to the top' : 'Try again'}
      </button>
    </div>
  )
}

function restartFromTop() {
  window.history.scrollRestoration = 'manual'
  window.scrollTo(0, 0)
  window.location.reload()
}

function EmptyFeed() {
  return (
    <div className="px-6 py-16 text-center">
      <p className="text-lg font-semibold text-zinc-900 dark:text-zinc-100">
        No posts yet — the indexer is catching up
      </p>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
        Curia shows posts once they have been indexed and ranked. Check back in a minute.
      </p>
      <a
        href="/"
        className="mt-5 inline-block rounded-full border border-zinc-300 px-5 py-2 text-sm font-medium text-zinc-700 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:border-zinc-700 dark:text-zinc-200 dark:hover:bg-zinc-900"
      >
        Refresh
      </a>
    </div>
  )
}
