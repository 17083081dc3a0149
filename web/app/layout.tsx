import type { Metadata, Viewport } from 'next'
import { headers } from 'next/headers'
import { redirect } from 'next/navigation'
import type { ReactNode } from 'react'
import { SiteHeader } from '../components/site-header'
import { LOOPBACK_REDIRECT_HEADER } from '../server/loopback'
import './globals.css'

export const metadata: Metadata = {
  title: 'Curia — a curated Bluesky feed',
  description: 'A Bluesky feed ranked by forecasters and kept honest by a jury of verified humans.',
}

export const viewport: Viewport = {
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#09090b' },
  ],
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  // `localhost` on a development machine: the same page on 127.0.0.1, where sign-in comes back (server/loopback.ts).
  const moveTo = (await headers()).get(LOOPBACK_REDIRECT_HEADER)
  if (moveTo) redirect(moveTo)
  return (
    <html lang="en">
      <body className="min-h-dvh">
        <a
          href="#main"
          className="sr-only rounded-md bg-zinc-900 px-4 py-2 text-sm font-medium text-white focus:not-sr-only focus:fixed focus:px-4 focus:py-2 focus:top-3 focus:left-3 focus:z-50 focus:outline-2 focus:outline-offset-2 focus:outline-sky-600 dark:bg-zinc-100 dark:text-zinc-900"
        >
          Skip to content
        </a>
        <SiteHeader />
        {/* One readable column: full width on a phone, a bordered card column from `sm` up. */}
        <main
          id="main"
          tabIndex={-1}
          className="mx-auto min-h-[60dvh] max-w-2xl bg-white outline-none sm:my-4 sm:rounded-2xl sm:border sm:border-zinc-200 dark:bg-zinc-950 dark:sm:border-zinc-800"
        >
          {children}
        </main>
        <footer className="mx-auto max-w-2xl px-4 pt-2 pb-10 text-center text-xs text-zinc-600 dark:text-zinc-400">
          Posts come from Bluesky. Open one there to reply, like or repost.
        </footer>
      </body>
    </html>
  )
}
