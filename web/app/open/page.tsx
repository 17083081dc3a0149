import type { Metadata } from 'next'
import { OpenMarketForm } from '../../components/open-market-form'
import { signInPath } from '../../lib/sign-in-path'
import { getViewer } from '../../server/auth/session'
import { getWebConfig } from '../../server/config'

export const metadata: Metadata = { title: 'Open a market — Curia' }

export default async function OpenMarketPage() {
  const viewer = await getViewer()
  const { market } = getWebConfig()
  return (
    <div className="px-5 py-8 sm:px-8">
      <h1 className="font-serif text-2xl font-semibold tracking-tight">Open a market</h1>
      <p className="mt-3 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
        Think a post deserves the jury’s endorsement, or doesn’t? Paste its link from bsky.app (or its at://
        URI) to open a market on it. Anyone can then forecast it, and the price helps rank Curia’s feed.
      </p>
      <div className="mt-6">
        {viewer ? (
          <OpenMarketForm feeMicro={market.openFeeMicro.toString()} />
        ) : (
          <a
            href={signInPath('/open')}
            className="inline-block rounded-full bg-zinc-900 px-4 py-2 text-sm font-medium text-white dark:bg-zinc-100 dark:text-zinc-900"
          >
            Sign in to open a market
          </a>
        )}
      </div>
    </div>
  )
}
