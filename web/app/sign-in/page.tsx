import type { Metadata } from 'next'
import { redirect } from 'next/navigation'
import { SignInForm } from '../../components/sign-in-form'
import { signInPath } from '../../lib/sign-in-path'
import { getViewer, requestHost } from '../../server/auth/session'
import { safeReturnTo } from '../../server/auth/sign-in'
import { getWebConfig } from '../../server/config'

export const metadata: Metadata = { title: 'Sign in — Curia' }

const CALLBACK_ERRORS: Record<string, string> = {
  denied: 'You declined to let Curia see your account, so you are not signed in.',
  mismatch:
    'That sign-in came back to a different browser than the one that started it, so it was refused. Start again here.',
  failed: 'Signing in did not complete (it may have taken too long). Please try again.',
}

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  const params = await searchParams
  const returnTo = safeReturnTo(typeof params.returnTo === 'string' ? params.returnTo : '/')
  const { publicUrl } = getWebConfig()
  // Sign-in sets a cookie the OAuth callback must see, and the callback lives on the public origin: start there.
  if ((await requestHost()) !== new URL(publicUrl).host) {
    redirect(`${publicUrl}${signInPath(returnTo)}`)
  }
  const viewer = await getViewer()
  const error = typeof params.error === 'string' ? CALLBACK_ERRORS[params.error] : undefined

  return (
    <div className="px-5 py-10 sm:px-10">
      <h1 className="font-serif text-2xl font-semibold tracking-tight">Sign in with Bluesky</h1>
      {viewer ? (
        <p className="mt-4 text-zinc-700 dark:text-zinc-300">
          You are signed in as <bdi className="font-medium">@{viewer.handle ?? viewer.did}</bdi>.{' '}
          <a href="/portfolio" className="text-sky-700 underline dark:text-sky-400">
            Your portfolio
          </a>
        </p>
      ) : (
        <>
          <p className="mt-3 max-w-prose text-sm text-zinc-600 dark:text-zinc-400">
            You will be sent to your Bluesky server to sign in and approve Curia. Curia never sees your
            password and asks only to know who you are: it cannot post, like or follow for you. New curators
            start with credits to forecast with.
          </p>
          {error ? (
            <p
              role="alert"
              className="mt-5 rounded-lg bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
            >
              {error}
            </p>
          ) : null}
          <SignInForm returnTo={returnTo} />
        </>
      )}
    </div>
  )
}
