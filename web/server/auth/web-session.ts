import { createHash, randomBytes } from 'node:crypto'
import type { Sql } from '@curia/db'

/**
 * Curia's own sign-in, per browser: a random id in an HttpOnly cookie, stored only as its SHA-256. Pure functions
 * of a postgres.js client and a time, so tests drive them against a real database.
 */

/** A session lasts this long from sign-in, whatever happens in between (the cookie's Max-Age matches it). */
export const WEB_SESSION_MAX_AGE_MS = 30 * 24 * 60 * 60_000
/** How often a session's OAuth grant is confirmed with the user's PDS (restore, refreshing tokens when due). */
export const OAUTH_RECHECK_MS = 15 * 60_000

// 32 random bytes, base64url without padding: 43 characters. Anything else is not a cookie we issued.
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/

export interface WebSessionRow {
  idHash: string
  did: string
  createdAt: string
  expiresAt: string
  oauthCheckedAt: string
}

export function newSessionId(): string {
  return randomBytes(32).toString('base64url')
}

export function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('hex')
}

export function isSessionIdShaped(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID.test(value)
}

export async function createWebSession(
  sql: Sql,
  opts: { did: string; now: Date },
): Promise<{ id: string; expiresAt: Date }> {
  const id = newSessionId()
  const expiresAt = new Date(opts.now.getTime() + WEB_SESSION_MAX_AGE_MS)
  const nowIso = opts.now.toISOString()
  await sql`
    insert into web_session (id_hash, did, created_at, expires_at, oauth_checked_at)
    values (${hashSessionId(id)}, ${opts.did}, ${nowIso}::timestamptz, ${expiresAt.toISOString()}::timestamptz,
            ${nowIso}::timestamptz)`
  return { id, expiresAt }
}

/**
 * The live session a cookie names, or null: a malformed value is refused before any query, an unknown one finds
 * nothing, and an expired one is deleted on sight.
 */
export async function findWebSession(
  sql: Sql,
  cookieValue: string | undefined,
  now: Date,
): Promise<WebSessionRow | null> {
  if (!isSessionIdShaped(cookieValue)) return null
  const idHash = hashSessionId(cookieValue)
  const [row] = await sql<(WebSessionRow & { expired: boolean })[]>`
    select id_hash as "idHash", did,
           to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt",
           to_char(expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "expiresAt",
           to_char(oauth_checked_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "oauthCheckedAt",
           expires_at <= ${now.toISOString()}::timestamptz as expired
    from web_session where id_hash = ${idHash}`
  if (!row) return null
  if (row.expired) {
    await sql`delete from web_session where id_hash = ${idHash}`
    return null
  }
  const { expired: _, ...session } = row
  return session
}

/** Deletes the session a cookie names; returns its DID when there was one. */
export async function deleteWebSession(sql: Sql, cookieValue: string | undefined): Promise<string | null> {
  if (!isSessionIdShaped(cookieValue)) return null
  const [row] = await sql<{ did: string }[]>`
    delete from web_session where id_hash = ${hashSessionId(cookieValue)} returning did`
  return row?.did ?? null
}

export async function deleteWebSessionByHash(sql: Sql, idHash: string): Promise<void> {
  await sql`delete from web_session where id_hash = ${idHash}`
}

export async function markOAuthChecked(sql: Sql, idHash: string, now: Date): Promise<void> {
  await sql`update web_session set oauth_checked_at = ${now.toISOString()}::timestamptz where id_hash = ${idHash}`
}

/** Other browsers still signed in as this DID (their sessions share the DID's one OAuth grant). */
export async function countLiveSessions(sql: Sql, did: string, now: Date): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from web_session where did = ${did} and expires_at > ${now.toISOString()}::timestamptz`
  return row?.n ?? 0
}

export function isOAuthCheckDue(session: Pick<WebSessionRow, 'oauthCheckedAt'>, now: Date): boolean {
  const checked = Date.parse(session.oauthCheckedAt)
  return !Number.isFinite(checked) || now.getTime() - checked >= OAUTH_RECHECK_MS
}

/** Records a sign-in; true the first time this DID signs in. */
export async function recordCurator(
  sql: Sql,
  opts: { did: string; handle: string | null; now: Date },
): Promise<{ firstSignIn: boolean }> {
  const nowIso = opts.now.toISOString()
  const [row] = await sql<{ inserted: boolean }[]>`
    insert into curator (did, handle, first_sign_in_at, last_sign_in_at)
    values (${opts.did}, ${opts.handle}, ${nowIso}::timestamptz, ${nowIso}::timestamptz)
    on conflict (did) do update set handle = coalesce(excluded.handle, curator.handle),
                                    last_sign_in_at = excluded.last_sign_in_at
    returning (xmax = 0) as inserted`
  return { firstSignIn: row?.inserted ?? false }
}

/**
 * Handles for `dids`: the one a curator signed in with (verified both ways at sign-in), else the one the indexer
 * holds for an author. DIDs with neither are absent from the map.
 */
export async function curatorHandles(sql: Sql, dids: readonly string[]): Promise<Map<string, string>> {
  if (dids.length === 0) return new Map()
  const rows = await sql<{ did: string; handle: string }[]>`
    select d.did, coalesce(c.handle, a.handle) as handle
    from unnest(${sql.array([...new Set(dids)])}::text[]) as d(did)
    left join curator c on c.did = d.did
    left join author a on a.did = d.did
    where coalesce(c.handle, a.handle) is not null`
  return new Map(rows.map((r) => [r.did, r.handle]))
}
