import type { Metadata } from 'next'
import { notFound } from 'next/navigation'
import { OperatorConsole } from '../../components/operator/operator-console'
import { SignInPrompt } from '../../components/sign-in-prompt'
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
    return <SignInPrompt title="Operator" text="Sign in with an operator account." returnTo="/operator" />
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
