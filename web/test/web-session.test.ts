import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JoseKey, type NodeOAuthClient } from '@atproto/oauth-client-node'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { createOAuthClient } from '../server/auth/oauth-client'
import { OAUTH_STATE_TTL_MS, createOAuthStores } from '../server/auth/oauth-stores'
import { deriveTokenKey, loadTokenKey } from '../server/auth/token-box'
import { resolveSession } from '../server/auth/resolve-session'
import {
  OAUTH_RECHECK_MS,
  WEB_SESSION_MAX_AGE_MS,
  countLiveSessions,
  createWebSession,
  curatorHandles,
  deleteWebSession,
  findWebSession,
  hashSessionId,
  recordCurator,
} from '../server/auth/web-session'
import { readWebConfig } from '../server/config'

const KEY = deriveTokenKey('a test secret of at least 32 characters')

const T0 = new Date('2026-03-01T12:00:00Z')
const at = (ms: number) => new Date(T0.getTime() + ms)
let database: Database
let didSeq = 0
/** A well-formed did:plc (24 base32 characters): the OAuth client refuses anything else before it looks. */
const newDid = () =>
  `did:plc:${(++didSeq)
    .toString(26)
    .replace(/[0-9]/g, (d) => 'qrstuvwxyz'[Number(d)]!)
    .padStart(24, 'a')}`

beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(async () => {
  await database.close()
})

describe('web sessions', () => {
  it('stores only the hash of the cookie value and finds the session by it', async () => {
    const did = newDid()
    const { id, expiresAt } = await createWebSession(database.sql, { did, now: T0 })
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(expiresAt.getTime()).toBe(T0.getTime() + WEB_SESSION_MAX_AGE_MS)
    const stored = await database.sql<
      { id_hash: string }[]
    >`select id_hash from web_session where did = ${did}`
    expect(stored).toEqual([{ id_hash: hashSessionId(id) }])
    expect(stored[0]!.id_hash).not.toContain(id)
    expect(await findWebSession(database.sql, id, at(1000))).toMatchObject({ did, idHash: hashSessionId(id) })
  })

  it('finds nothing for a forged cookie: malformed, unknown, or the stored hash itself', async () => {
    const { id } = await createWebSession(database.sql, { did: newDid(), now: T0 })
    for (const forged of [
      undefined,
      '',
      'admin',
      `${id}x`,
      id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A'),
      hashSessionId(id),
      "' or 1=1 --",
    ]) {
      expect(await findWebSession(database.sql, forged, at(1000))).toBeNull()
    }
  })

  it('refuses an expired session and deletes it', async () => {
    const did = newDid()
    const { id } = await createWebSession(database.sql, { did, now: T0 })
    expect(await findWebSession(database.sql, id, at(WEB_SESSION_MAX_AGE_MS - 1))).not.toBeNull()
    expect(await findWebSession(database.sql, id, at(WEB_SESSION_MAX_AGE_MS))).toBeNull()
    expect(await database.sql`select 1 from web_session where did = ${did}`).toHaveLength(0)
  })

  it('signs one browser out without touching the others of the same account', async () => {
    const did = newDid()
    const a = await createWebSession(database.sql, { did, now: T0 })
    const b = await createWebSession(database.sql, { did, now: T0 })
    expect(await countLiveSessions(database.sql, did, T0)).toBe(2)
    expect(await deleteWebSession(database.sql, a.id)).toBe(did)
    expect(await deleteWebSession(database.sql, a.id)).toBeNull()
    expect(await findWebSession(database.sql, a.id, T0)).toBeNull()
    expect(await findWebSession(database.sql, b.id, T0)).not.toBeNull()
    expect(await countLiveSessions(database.sql, did, T0)).toBe(1)
  })
})

describe('curators', () => {
  it('knows the first sign-in from later ones and keeps the last handle seen', async () => {
    const did = newDid()
    expect(await recordCurator(database.sql, { did, handle: 'ada.test', now: T0 })).toEqual({
      firstSignIn: true,
    })
    expect(await recordCurator(database.sql, { did, handle: null, now: at(1) })).toEqual({
      firstSignIn: false,
    })
    expect(await curatorHandles(database.sql, [did, newDid()])).toEqual(new Map([[did, 'ada.test']]))
    await recordCurator(database.sql, { did, handle: 'ada2.test', now: at(2) })
    expect((await curatorHandles(database.sql, [did])).get(did)).toBe('ada2.test')
  })
})

describe('OAuth stores', () => {
  it('keeps a state until it is used or an hour passes', async () => {
    let now = T0
    const { stateStore } = createOAuthStores(database.sql, { key: KEY, now: () => now })
    const value = { iss: 'http://pds.test', verifier: 'v', dpopJwk: { kty: 'EC' } } as never
    await stateStore.set('state-1', value)
    expect(await stateStore.get('state-1')).toEqual(value)
    await stateStore.del('state-1')
    expect(await stateStore.get('state-1')).toBeUndefined()

    await stateStore.set('state-2', value)
    now = at(OAUTH_STATE_TTL_MS + 1)
    expect(await stateStore.get('state-2')).toBeUndefined()
    // The next sign-in sweeps abandoned states.
    await stateStore.set('state-3', value)
    expect(await database.sql`select key from oauth_state where key = 'state-2'`).toHaveLength(0)
  })

  it('never stores a token or key in the clear, and a sealed value opens only under its key and on its row', async () => {
    const { sessionStore, stateStore } = createOAuthStores(database.sql, { key: KEY, now: () => T0 })
    const did = newDid()
    const other = newDid()
    await sessionStore.set(did, {
      tokenSet: { refresh_token: 'secret-refresh' },
      dpopJwk: { d: 'secret-d' },
    } as never)
    await stateStore.set('state-sealed', {
      verifier: 'secret-verifier',
      dpopJwk: { d: 'secret-state-d' },
    } as never)
    const dump = JSON.stringify(
      await database.sql`select value from oauth_session union all select value from oauth_state`,
    )
    expect(dump).not.toMatch(/secret-/)

    // Another deployment's key (or a rotated one) opens nothing: that user signs in again.
    const rotated = createOAuthStores(database.sql, {
      key: deriveTokenKey('another secret, 32 characters long!'),
    })
    expect(await rotated.sessionStore.get(did)).toBeUndefined()
    // A sealed session copied onto another DID's row does not open there.
    await database.sql`
      insert into oauth_session (did, value, updated_at)
      select ${other}, value, updated_at from oauth_session where did = ${did}`
    expect(await sessionStore.get(other)).toBeUndefined()
    expect(await sessionStore.get(did)).toMatchObject({ tokenSet: { refresh_token: 'secret-refresh' } })
  })

  it('makes a development key file once (mode 0600) and reads the same key after', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'curia-token-'))
    const source = { kind: 'file', path: join(dir, 'nested', 'oauth-token.key') } as const
    const [a, b] = await Promise.all([loadTokenKey(source), loadTokenKey(source)])
    expect(a.equals(b)).toBe(true)
    expect((await loadTokenKey(source)).equals(a)).toBe(true)
    expect((await stat(source.path)).mode & 0o777).toBe(0o600)
    await rm(dir, { recursive: true })
  })

  it('reads a session written in the clear before sealing, and seals it on the next write', async () => {
    const { sessionStore } = createOAuthStores(database.sql, { key: KEY, now: () => T0 })
    const did = newDid()
    await database.sql`
      insert into oauth_session (did, value, updated_at)
      values (${did}, ${JSON.stringify({ tokenSet: { access_token: 'old' } })}::jsonb, now())`
    expect(await sessionStore.get(did)).toEqual({ tokenSet: { access_token: 'old' } })
    await sessionStore.set(did, { tokenSet: { access_token: 'new' } } as never)
    const [row] = await database.sql<{ value: { sealed?: string } }[]>`
      select value from oauth_session where did = ${did}`
    expect(row?.value.sealed).toBe('v1')
  })

  it('stores a session per DID and replaces it on refresh', async () => {
    const { sessionStore } = createOAuthStores(database.sql, { key: KEY, now: () => T0 })
    const did = newDid()
    await sessionStore.set(did, { tokenSet: { access_token: 'a1' } } as never)
    await sessionStore.set(did, { tokenSet: { access_token: 'a2' } } as never)
    expect(await sessionStore.get(did)).toEqual({ tokenSet: { access_token: 'a2' } })
    await sessionStore.del(did)
    expect(await sessionStore.get(did)).toBeUndefined()
  })
})

describe('resolveSession: a Curia session stands on its OAuth grant', () => {
  let oauth: NodeOAuthClient
  beforeAll(async () => {
    const config = readWebConfig({
      CURIA_PUBLIC_URL: 'http://127.0.0.1:3999',
      CURIA_PLC_URL: 'http://127.0.0.1:1',
    })
    oauth = await createOAuthClient(config, createOAuthStores(database.sql, { key: KEY }))
  })

  it('does not ask the PDS again before the recheck interval', async () => {
    const did = newDid() // no OAuth session stored at all: a check would end this session
    const { id } = await createWebSession(database.sql, { did, now: T0 })
    const resolved = await resolveSession({ sql: database.sql, oauth, now: at(OAUTH_RECHECK_MS - 1) }, id)
    expect(resolved?.did).toBe(did)
  })

  it('ends the session when the grant is gone (revoked, or deleted at sign-out elsewhere)', async () => {
    const did = newDid()
    const { id } = await createWebSession(database.sql, { did, now: T0 })
    const logs: string[] = []
    const resolved = await resolveSession(
      { sql: database.sql, oauth, now: at(OAUTH_RECHECK_MS), log: (m) => logs.push(m) },
      id,
    )
    expect(resolved).toBeNull()
    expect(await findWebSession(database.sql, id, at(OAUTH_RECHECK_MS))).toBeNull()
    expect(logs.join()).toMatch(/OAuth grant is gone/)
  })

  it('keeps the session when the PDS cannot be reached to refresh the tokens, and checks again later', async () => {
    const did = newDid()
    const dpop = await JoseKey.generate(['ES256'])
    const { sessionStore } = createOAuthStores(database.sql, { key: KEY })
    // An expired access token whose issuer does not answer: a refresh must be attempted, and it cannot succeed.
    await sessionStore.set(did, {
      dpopJwk: dpop.privateJwk!,
      authMethod: { method: 'none' },
      tokenSet: {
        iss: 'http://127.0.0.1:1',
        sub: did as `did:plc:${string}`,
        aud: 'http://127.0.0.1:1',
        scope: 'atproto',
        access_token: 'expired',
        refresh_token: 'refresh',
        token_type: 'DPoP',
        expires_at: new Date(Date.now() - 60_000).toISOString(),
      },
    } as never)
    const { id } = await createWebSession(database.sql, { did, now: T0 })
    const logs: string[] = []
    const now = at(OAUTH_RECHECK_MS)
    const resolved = await resolveSession({ sql: database.sql, oauth, now, log: (m) => logs.push(m) }, id)
    expect(resolved?.did).toBe(did)
    expect(logs.join()).toMatch(/OAuth check failed, kept/)
    // Not marked as checked: the next request tries again.
    expect((await findWebSession(database.sql, id, now))?.oauthCheckedAt).toBe(T0.toISOString())
  })
})
