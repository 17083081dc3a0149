import 'server-only'
import type { Refusal } from '../lib/refusal'
import { getSession, isSameOriginAction } from './auth/session'

export type { Refusal }

export function refused(code: string, message: string): Refusal {
  return { status: 'refused', code, message }
}

/**
 * The first check of every such action: the request came from one of Curia's own pages, and someone is signed in.
 * The DID it returns is the only identity an action may act as: never a form field. Reading the session can fail
 * (the database is unreachable): that is answered as a refusal like the action's own faults, never thrown to the
 * page's error boundary.
 */
export async function guardSession(): Promise<{ did: string } | Refusal> {
  try {
    if (!(await isSameOriginAction())) return refused('bad_origin', 'This request did not come from Curia.')
    const session = await getSession()
    if (!session) return refused('auth_required', 'Sign in with Bluesky first.')
    return { did: session.did }
  } catch (err) {
    return toRefusal(err, 'guardSession')
  }
}

/** A CurationError's own code and message; anything else is logged and answered without detail. */
export function toRefusal(err: unknown, where: string): Refusal {
  const code = (err as { code?: unknown }).code
  if (err instanceof Error && err.name === 'CurationError' && typeof code === 'string') {
    return refused(code, err.message)
  }
  console.error(`${where} failed:`, err)
  return refused('unavailable', 'Something went wrong on our side. Trying again is safe.')
}
