'use client'

import { usePathname } from 'next/navigation'
import { formatCredits } from '../lib/credits'
import type { ViewerView } from '../lib/market-types'
import { signInPath } from '../lib/sign-in-path'
import { signOutAction } from '../server/actions/auth'
import { focusRing } from '../lib/styles'

/**
 * Signed out: "Sign in". Signed in: the handle and balance (linking to the portfolio) and "Sign out". Both bring
 * the reader back to the page they were on.
 */
export function AccountArea({ viewer }: { viewer: ViewerView | null }) {
  const pathname = usePathname()
  if (!viewer) {
    return (
      <a
        href={signInPath(pathname)}
        className={`rounded-full bg-zinc-900 px-4 py-2 text-sm font-medium text-white transition-colors hover:bg-zinc-700 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300 ${focusRing}`}
      >
        Sign in
      </a>
    )
  }
  const name = viewer.handle ? `@${viewer.handle}` : viewer.did
  return (
    <div className="flex min-w-0 items-center gap-2" data-testid="account-area">
      <a
        href="/portfolio"
        className={`flex min-w-0 flex-col items-end rounded-lg px-2 py-1 text-right leading-tight hover:bg-zinc-100 dark:hover:bg-zinc-900 ${focusRing}`}
      >
        <span className="max-w-[9rem] truncate text-sm font-medium text-zinc-900 sm:max-w-[16rem] dark:text-zinc-100">
          <bdi data-testid="account-handle">{name}</bdi>
        </span>
        <span className="text-xs text-zinc-600 tabular-nums dark:text-zinc-400">
          <span data-testid="account-balance">{formatCredits(viewer.balanceMicro)}</span> credits
        </span>
      </a>
      <form action={signOutAction}>
        <input type="hidden" name="returnTo" value={pathname} />
        <button
          type="submit"
          className={`rounded-full border border-zinc-300 px-3 py-1.5 text-sm whitespace-nowrap font-medium text-zinc-700 transition-colors hover:bg-zinc-100 dark:border-zinc-700 dark:text-zinc-200 dark:hover:bg-zinc-900 ${focusRing}`}
        >
          Sign out
        </button>
      </form>
    </div>
  )
}
