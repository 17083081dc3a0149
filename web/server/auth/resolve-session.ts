import {
  TokenInvalidError,
  TokenRefreshError,
  TokenRevokedError,
  type NodeOAuthClient,
} from '@atproto/oauth-client-node'
import type { Sql } from '@curia/db'
import {
  deleteWebSessionByHash,
  findWebSession,
  isOAuthCheckDue,
  markOAuthChecked,
  type WebSessionRow,
} from './web-session'

export interface ResolveSessionDeps {
  sql: Sql
  oauth: Pick<NodeOAuthClient, 'restore'>
  now: Date
  log?: (message: string) => void
}

/**
 * The signed-in session a cookie names, or null. A Curia session stands on the user's OAuth grant: every
 * OAUTH_RECHECK_MS it is restored (`client.restore(did)`, which refreshes the tokens when they are due). A grant
 * that was revoked, expired or cannot be refreshed ends the session here; a PDS that cannot be reached does not
 * (the session stays, and is checked again on the next request).
 */
export async function resolveSession(
  deps: ResolveSessionDeps,
  cookieValue: string | undefined,
): Promise<WebSessionRow | null> {
  const session = await findWebSession(deps.sql, cookieValue, deps.now)
  if (!session || !isOAuthCheckDue(session, deps.now)) return session
  try {
    await deps.oauth.restore(session.did)
  } catch (err) {
    if (isGrantGone(err)) {
      await deleteWebSessionByHash(deps.sql, session.idHash)
      deps.log?.(`web session for ${session.did} ended: its OAuth grant is gone (${(err as Error).message})`)
      return null
    }
    deps.log?.(`web session for ${session.did}: OAuth check failed, kept: ${String(err)}`)
    return session
  }
  await markOAuthChecked(deps.sql, session.idHash, deps.now)
  return { ...session, oauthCheckedAt: deps.now.toISOString() }
}

/** The grant is revoked, expired or unusable, as opposed to temporarily unreachable. */
function isGrantGone(err: unknown): boolean {
  return (
    err instanceof TokenRefreshError || err instanceof TokenRevokedError || err instanceof TokenInvalidError
  )
}
