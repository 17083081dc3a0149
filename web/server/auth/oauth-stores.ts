import type {
  NodeSavedSession,
  NodeSavedSessionStore,
  NodeSavedState,
  NodeSavedStateStore,
} from '@atproto/oauth-client-node'
import type { Sql } from '@curia/db'
import { openJson, sealJson } from './token-box'

/** An authorization that has not come back within this long is abandoned; its row is worthless. */
export const OAUTH_STATE_TTL_MS = 60 * 60_000

/**
 * The OAuth client's two stores, backed by the `oauth_state` and `oauth_session` tables (db/src/schema/auth.ts).
 * Values are the client's own JSON records (DPoP keys as JWKs, token sets), sealed with `key` (token-box.ts: the
 * database never holds a usable token or DPoP key) and bound as JSON text: drizzle, sharing this postgres.js
 * client, turns off its json serializer. A value that does not open (the key changed) reads as absent: that user
 * signs in again.
 *
 * `now` is read per call (a clock, not a date) because the stores live as long as the process.
 */
export function createOAuthStores(
  sql: Sql,
  opts: { key: Buffer; now?: () => Date },
): { stateStore: NodeSavedStateStore; sessionStore: NodeSavedSessionStore } {
  const sealKey = opts.key
  const now = opts.now ?? (() => new Date())
  const stateStore: NodeSavedStateStore = {
    async set(key, value) {
      const at = now()
      const expires = new Date(at.getTime() + OAUTH_STATE_TTL_MS)
      // Abandoned sign-ins are swept here rather than by a timer: every new sign-in removes the expired ones.
      await sql`delete from oauth_state where expires_at < ${at.toISOString()}::timestamptz`
      await sql`
        insert into oauth_state (key, value, created_at, expires_at)
        values (${key}, ${JSON.stringify(sealJson(sealKey, value, `state:${key}`))}::jsonb, ${at.toISOString()}::timestamptz,
                ${expires.toISOString()}::timestamptz)
        on conflict (key) do update set value = excluded.value, created_at = excluded.created_at,
                                        expires_at = excluded.expires_at`
    },
    async get(key) {
      const [row] = await sql<{ value: unknown }[]>`
        select value from oauth_state where key = ${key} and expires_at > ${now().toISOString()}::timestamptz`
      return row ? openJson<NodeSavedState>(sealKey, row.value, `state:${key}`) : undefined
    },
    async del(key) {
      await sql`delete from oauth_state where key = ${key}`
    },
  }

  const sessionStore: NodeSavedSessionStore = {
    async set(did, value) {
      await sql`
        insert into oauth_session (did, value, updated_at)
        values (${did}, ${JSON.stringify(sealJson(sealKey, value, `session:${did}`))}::jsonb,
                ${now().toISOString()}::timestamptz)
        on conflict (did) do update set value = excluded.value, updated_at = excluded.updated_at`
    },
    async get(did) {
      const [row] = await sql<{ value: unknown }[]>`select value from oauth_session where did = ${did}`
      return row ? openJson<NodeSavedSession>(sealKey, row.value, `session:${did}`) : undefined
    },
    async del(did) {
      await sql`delete from oauth_session where did = ${did}`
    },
  }

  return { stateStore, sessionStore }
}
