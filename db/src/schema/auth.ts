import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core'

/**
 * Signing in with Bluesky (atproto OAuth) and Curia's own web sessions.
 *
 * Three stores, three lifetimes:
 * - `oauth_state`: one row per authorization in flight (PKCE verifier, DPoP key, where to return). Written when a
 *   sign-in starts, deleted by the callback (which accepts a state once), and worthless after an hour.
 * - `oauth_session`: the atproto OAuth client's session per DID (DPoP private key and token set). The client
 *   refreshes tokens through it; sign-out revokes and deletes it. Secret material: only the web server reads it.
 * - `web_session`: a browser's sign-in to Curia. The cookie carries a random id; only its SHA-256 is stored, so
 *   a leaked table cannot be replayed as cookies.
 */

/** The OAuth client's `stateStore`. `value` is the client's own (JSON) state record. */
export const oauthState = pgTable(
  'oauth_state',
  {
    key: text('key').primaryKey(),
    value: jsonb('value').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('oauth_state_expires_at_idx').on(t.expiresAt)],
)

/** The OAuth client's `sessionStore`, keyed by the account's DID (the token's `sub`). */
export const oauthSession = pgTable('oauth_session', {
  did: text('did').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
})

/** One signed-in browser. */
export const webSession = pgTable(
  'web_session',
  {
    /** Hex SHA-256 of the cookie's random id. */
    idHash: text('id_hash').primaryKey(),
    did: text('did').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** Absolute expiry: the cookie's Max-Age matches it. */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** When the OAuth grant behind this session was last confirmed (restored, tokens refreshed if due). */
    oauthCheckedAt: timestamp('oauth_checked_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('web_session_did_idx').on(t.did), index('web_session_expires_at_idx').on(t.expiresAt)],
)

/**
 * Everyone who has signed in: the handle they signed in with (verified both ways by the identity resolver), for
 * showing curators by name (leaderboard, header) without asking the network on every page.
 */
export const curator = pgTable('curator', {
  did: text('did').primaryKey(),
  handle: text('handle'),
  firstSignInAt: timestamp('first_sign_in_at', { withTimezone: true }).notNull(),
  lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true }).notNull(),
})
