'use client'

import { useActionState, useId } from 'react'
import { formatCredits } from '../lib/credits'
import type { SimpleFormState } from '../lib/market-types'
import { openMarketAction } from '../server/actions/market'

const initial: SimpleFormState = { status: 'idle' }

/**
 * "Open a market": a text field for any bsky.app post link or at-URI, or (on a post's own page) a single button for
 * that post. The opener pays a small fee toward the market's subsidy.
 */
export function OpenMarketForm({ fixedPostUri, feeMicro }: { fixedPostUri?: string; feeMicro: string }) {
  const [state, action, pending] = useActionState(openMarketAction, initial)
  const error = state.status === 'refused' ? state.error : null
  const id = useId()
  const fee = `${formatCredits(feeMicro)} credits`
  return (
    <form action={action} className="space-y-3" noValidate>
      {fixedPostUri ? (
        <input type="hidden" name="post" value={fixedPostUri} />
      ) : (
        <div>
          <label
            htmlFor={`${id}-post`}
            className="block text-sm font-medium text-zinc-800 dark:text-zinc-200"
          >
            Post link
          </label>
          <input
            id={`${id}-post`}
            name="post"
            type="text"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            required
            placeholder="https://bsky.app/profile/alice.bsky.social/post/3kq…"
            defaultValue={state.status === 'refused' ? state.input : undefined}
            aria-invalid={error ? true : undefined}
            aria-describedby={`${id}-msg`}
            className="mt-1.5 w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 text-base text-zinc-900 placeholder:text-zinc-400 focus:border-sky-600 focus:outline-2 focus:outline-sky-600 aria-invalid:border-rose-500 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
          />
        </div>
      )}
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="submit"
          disabled={pending}
          className="rounded-lg bg-sky-700 px-5 py-2 font-medium text-white transition-colors hover:bg-sky-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:cursor-wait disabled:opacity-60"
        >
          {pending ? 'Opening…' : 'Open a market'}
        </button>
        <span className="text-xs text-zinc-600 dark:text-zinc-400">
          Costs {fee} (none if the post already has a market).
        </span>
      </div>
      <p
        id={`${id}-msg`}
        role={error ? 'alert' : undefined}
        className="text-sm text-rose-700 dark:text-rose-400"
      >
        {error?.message}
      </p>
    </form>
  )
}
