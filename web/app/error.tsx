'use client'

import { usePathname } from 'next/navigation'
import { useEffect } from 'react'

// A page failed to render (database unreachable, a bug): the feed, a post, the portfolio, the jury's pages or the
// operator's. The detail is in the server log under `error.digest`; the reader gets a plain sentence that fits any
// page, a way to try again (`retry` refreshes the page's server data and renders it again), and a way to the feed.
export default function PageError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error)
  }, [error])
  const pathname = usePathname()
  const digest = error instanceof Error && 'digest' in error ? String(error.digest) : undefined
  const onFeed = pathname === '/'

  return (
    <div role="alert" className="px-6 py-16 text-center">
      <h1 className="text-lg font-semibold text-zinc-900 dark:text-zinc-100">
        {onFeed ? 'The feed couldn’t be loaded' : 'This page couldn’t be loaded'}
      </h1>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
        Something went wrong on our side. It is usually temporary.
        {digest ? <span className="mt-1 block font-mono text-xs">Reference: {digest}</span> : null}
      </p>
      <div className="mt-5 flex flex-wrap items-center justify-center gap-4">
        <button
          type="button"
          onClick={() => retry()}
          className="rounded-full bg-zinc-900 px-5 py-2 text-sm font-medium text-white transition-colors hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
        >
          Try again
        </button>
        {onFeed ? null : (
          <a
            href="/"
            className="rounded-sm text-sm font-medium text-sky-700 underline underline-offset-2 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:text-sky-400"
          >
            Go to the feed
          </a>
        )}
      </div>
    </div>
  )
}
