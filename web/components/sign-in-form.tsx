'use client'

import { useActionState } from 'react'
import type { SimpleFormState } from '../lib/market-types'
import { signInAction } from '../server/actions/auth'

const initial: SimpleFormState = { status: 'idle' }

export function SignInForm({ returnTo }: { returnTo: string }) {
  const [state, action, pending] = useActionState(signInAction, initial)
  const error = state.status === 'refused' ? state.error : null
  return (
    <form action={action} className="mt-6 max-w-md space-y-3" noValidate>
      <input type="hidden" name="returnTo" value={returnTo} />
      <label htmlFor="handle" className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
        Your handle
      </label>
      <div className="flex flex-col gap-2 sm:flex-row">
        <input
          id="handle"
          name="handle"
          type="text"
          inputMode="url"
          autoComplete="username"
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          required
          placeholder="alice.bsky.social"
          defaultValue={state.status === 'refused' ? state.input : undefined}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'handle-error' : 'handle-hint'}
          className="min-w-0 flex-1 rounded-lg border border-zinc-300 bg-white px-3 py-2 text-base text-zinc-900 placeholder:text-zinc-400 focus:border-sky-600 focus:outline-2 focus:outline-sky-600 aria-invalid:border-rose-500 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
        />
        <button
          type="submit"
          disabled={pending}
          className="rounded-lg bg-sky-700 px-5 py-2 font-medium text-white transition-colors hover:bg-sky-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:cursor-wait disabled:opacity-60"
        >
          {pending ? 'Redirecting…' : 'Continue'}
        </button>
      </div>
      {error ? (
        <p id="handle-error" role="alert" className="text-sm text-rose-700 dark:text-rose-400">
          {error.message}
        </p>
      ) : (
        <p id="handle-hint" className="text-xs text-zinc-600 dark:text-zinc-400">
          Your Bluesky handle, without the @. A DID works too.
        </p>
      )}
    </form>
  )
}
