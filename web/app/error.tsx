'use client'

import { useEffect } from 'react'

// The first page failed to render (database unreachable, a bug). The detail is in the server log under
// `error.digest`; the reader gets a plain sentence and a way to try again.
export default function FeedError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error)
  }, [error])
  const digest = error instanceof Error && 'digest' in error ? String(error.digest) : undefined

  return (
    <div role="alert" className="px-6 py-16 text-center">
      <h1 className="text-lg font-semibold text-zinc-900 dark:text-zinc-100">The feed couldn’t be loaded</h1>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
        Something went wrong on our side. It is usually temporary.
        {digest ? <span className="mt-1 block font-mono text-xs">Reference: {digest}</span> : null}
      </p>
      <button
        type="button"
        onClick={() => retry()}
        className="mt-5 rounded-full bg-zinc-900 px-5 py-2 text-sm font-medium text-white transition-colors hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
      >
        Try again
      </button>
    </div>
  )
}
