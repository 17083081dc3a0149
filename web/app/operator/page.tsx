import type { Metadata } from 'next'
import { notFound } from 'next/navigation'
import { OperatorConsole } from '../../components/operator/operator-console'
import { getSession } from '../../server/auth/session'
import { getWebServices } from '../../server/db'
import { getJuryWebConfig } from '../../server/jury/config'
import { isOperator, loadOperatorConsole } from '../../server/operator/console'

export const metadata: Metadata = { title: 'Operator — Curia', robots: { index: false } }
export const dynamic = 'force-dynamic'

/**
 * Jury admission for Curia's operators (CURIA_OPERATOR_DIDS): the invite tree with a revoke per branch, the
 * allowlist, and operator invites. Anyone else signed in gets a 404: the page does not advertise itself.
 */
export default async function OperatorPage() {
  const session = await getSession()
  if (!session) {
    return (
      <div className="px-5 py-10 sm:px-8">
        <h1 className="font-serif text-2xl font-semibold tracking-tight">Operator</h1>
        <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-400">Sign in with an operator account.</p>
        <a
          href="/sign-in?returnTo=%2Foperator"
          className="mt-5 inline-block rounded-full bg-zinc-900 px-4 py-2 text-sm font-medium text-white dark:bg-zinc-100 dark:text-zinc-900"
        >
          Sign in
        </a>
      </div>
    )
  }
  const config = getJuryWebConfig()
  if (!isOperator(session.did, config)) notFound()
  const view = await loadOperatorConsole(await getWebServices().database, { now: new Date(), config })
  return (
    <div className="px-4 py-6 sm:px-6">
      <h1 className="font-serif text-2xl font-semibold tracking-tight">Operator</h1>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
        Who may join the jury. Members are shown by account only: nothing here links anyone to a ballot.
      </p>
      <OperatorConsole view={view} />
    </div>
  )
}
