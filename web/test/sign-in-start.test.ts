import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { NodeOAuthClient } from '@atproto/oauth-client-node'
import type { Database } from '@curia/db'
import { createAccount, type DevAccount, type DevNetwork } from '@curia/devnet'
import { startSignIn } from '../server/auth/sign-in'
import { createRateLimiter } from '../server/rate-limit'
import { startOAuthNetwork, type OAuthNetwork } from './oauth-network'

/**
 * Starting a sign-in against a real local network (PLC + PDS) with the real OAuth client: each start resolves the
 * handle, fetches the PDS's OAuth metadata and stores a state, for anyone who asks; so attempts per account and
 * starts at once are bounded, and a refusal reaches nothing.
 */

let bed: OAuthNetwork
let net: DevNetwork
let database: Database
let oauth: NodeOAuthClient
let alice: DevAccount
let bob: DevAccount

beforeAll(async () => {
  bed = await startOAuthNetwork('http://127.0.0.1:3998')
  ;({ net, database, oauth } = bed)
  alice = await createAccount(net.pdsUrl, `signa${Date.now().toString(36)}`)
  bob = await createAccount(net.pdsUrl, `signb${Date.now().toString(36)}`)
}, 60_000)
afterAll(async () => {
  await bed?.close()
})

const states = async () => (await database.sql`select 1 from oauth_state`).length

describe('startSignIn', () => {
  it('limits attempts per account before resolving anything, and stores no state for a refused one', async () => {
    const limiter = createRateLimiter({ burst: 2, everyMs: 60_000 })
    const start = (handle: string, nowMs: number) =>
      startSignIn(oauth, { identifier: `@${handle}`, returnTo: '/' }, () => {}, { limiter, nowMs })
    const t0 = Date.now()
    for (let i = 0; i < 2; i++) {
      const started = await start(alice.handle, t0)
      expect(started).toMatchObject({ ok: true })
      expect(started.ok && new URL(started.authorizeUrl).origin).toBe(new URL(net.pdsUrl).origin)
    }
    const stored = await states()
    expect(stored).toBe(2)
    expect(await start(alice.handle.toUpperCase(), t0 + 1_000)).toEqual({
      ok: false,
      code: 'rate_limited',
      message: `Too many sign-in attempts for ${alice.handle}. Try again in 59 seconds.`,
    })
    expect(await states()).toBe(stored)
    // Another account has its own allowance; this one gets another attempt an interval later.
    expect(await start(bob.handle, t0 + 1_000)).toMatchObject({ ok: true })
    expect(await start(alice.handle, t0 + 60_000)).toMatchObject({ ok: true })
  })

  it('refuses a start beyond the ones under way at once, and takes starts again when they finish', async () => {
    const start = () =>
      startSignIn(oauth, { identifier: bob.handle, returnTo: '/' }, () => {}, { maxInFlight: 1 })
    const [first, second] = await Promise.all([start(), start()])
    expect(first).toMatchObject({ ok: true })
    expect(second).toEqual({
      ok: false,
      code: 'unavailable',
      message: 'Many people are signing in right now. Try again in a moment.',
    })
    expect(await start()).toMatchObject({ ok: true })
  })
})
