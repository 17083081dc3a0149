import { unstable_rethrow } from 'next/navigation'
import type { ViewerView } from '../lib/market-types'
import { getViewer } from '../server/auth/session'
import { getJuryWebConfig } from '../server/jury/config'
import { isOperator } from '../server/operator/console'
import { AccountArea } from './account-area'
import { CuriaMark } from './icons'
import { MainNav } from './main-nav'

export async function SiteHeader() {
  const viewer = await readViewer()
  return (
    <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-950">
      <div className="mx-auto max-w-2xl px-4 pt-4 pb-2 sm:px-5">
        <div className="flex items-center justify-between gap-3">
          <a
            href="/"
            className="flex shrink-0 items-center gap-3 rounded-md focus-visible:outline-2 focus-visible:outline-offset-4 focus-visible:outline-sky-600"
          >
            <span className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-zinc-900 text-amber-300 dark:bg-zinc-100 dark:text-amber-700">
              <CuriaMark width={24} height={24} />
            </span>
            <span className="font-serif text-[1.7rem] leading-none font-semibold tracking-tight">Curia</span>
          </a>
          <AccountArea viewer={viewer} />
        </div>
        <p className="mt-2.5 hidden text-sm text-zinc-600 sm:block dark:text-zinc-400">
          A Bluesky feed ranked by forecasters and kept honest by a jury of verified humans.
        </p>
        <MainNav signedIn={viewer !== null} operator={isOperator(viewer?.did, getJuryWebConfig())} />
      </div>
    </header>
  )
}

/** The header must render even when the session cannot be read (database down): it then shows "Sign in". */
async function readViewer(): Promise<ViewerView | null> {
  try {
    return await getViewer()
  } catch (err) {
    unstable_rethrow(err) // Next's own signals (dynamic rendering, redirects) are not failures
    console.error('header: reading the session failed:', err)
    return null
  }
}
