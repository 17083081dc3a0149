import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

/**
 * Server actions whose first steps fail (the session cannot be read, the database or the trade desk cannot be
 * reached) answer with their own refusal shape, as a fault inside them would be answered, instead of throwing to
 * the page's error boundary: the trade panel can then offer to send the same order again, and the operator's and
 * the jury's panels show a sentence where they are.
 */

const faults = vi.hoisted(() => ({
  session: null as Error | null,
  services: null as Error | null,
}))

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }))
vi.mock('next/navigation', () => ({
  redirect: vi.fn(() => {
    throw new Error('redirected')
  }),
}))
vi.mock('../server/auth/session', () => ({
  isSameOriginAction: () => Promise.resolve(true),
  getSession: () =>
    faults.session
      ? Promise.reject(faults.session)
      : Promise.resolve({ did: 'did:plc:operator000000000000000' }),
}))
vi.mock('../server/db', () => ({
  getWebServices: () => {
    if (faults.services) throw faults.services
    const down = Promise.reject(new Error('the database is unreachable'))
    down.catch(() => {})
    return { database: down, desk: down, oauth: down, ledger: down, store: down }
  },
}))

const { placeTradeAction } = await import('../server/actions/trade')
const { openMarketAction } = await import('../server/actions/market')
const { revokeBranchAction, allowAction } = await import('../server/operator/actions')
const { guardOperator } = await import('../server/operator/console')
const { enrollAction, createInviteAction } = await import('../server/jury/actions')
const { claimHumanGrantAction } = await import('../server/jury/faucet-actions')

const unavailable = { status: 'refused', code: 'unavailable' }

function tradeForm(): FormData {
  const form = new FormData()
  for (const [k, v] of Object.entries({
    marketId: '1',
    side: 'buy',
    outcome: 'yes',
    amount: '10',
    limitKind: 'max_average_price',
    limitValue: '0.52',
    idempotencyKey: 't-0123456789abcdef',
  }))
    form.set(k, v)
  return form
}

beforeEach(() => {
  vi.spyOn(console, 'error').mockImplementation(() => {})
  vi.stubEnv('CURIA_OPERATOR_DIDS', 'did:plc:operator000000000000000')
})
afterEach(() => {
  faults.session = null
  faults.services = null
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

describe('a session that cannot be read', () => {
  beforeEach(() => {
    faults.session = new Error('the sessions table is unreachable')
  })

  it('refuses the trade as "may or may not have been placed", keeping the order’s key for a resend', async () => {
    expect(await placeTradeAction({ status: 'idle' }, tradeForm())).toEqual({
      status: 'refused',
      error: { code: 'unavailable', message: expect.stringMatching(/on our side/) as unknown },
      idempotencyKey: 't-0123456789abcdef',
    })
  })

  it('refuses the operator’s actions, and the guard itself answers rather than throws', async () => {
    await expect(guardOperator()).resolves.toMatchObject(unavailable)
    await expect(revokeBranchAction('person')).resolves.toMatchObject(unavailable)
    await expect(allowAction({ account: 'did:plc:someone000000000000000' })).resolves.toMatchObject(
      unavailable,
    )
  })

  it('refuses the jury’s actions, opening a market and the faucet claim', async () => {
    await expect(enrollAction({ method: 'allowlist', commitment: '1' })).resolves.toMatchObject(unavailable)
    await expect(createInviteAction()).resolves.toMatchObject(unavailable)
    const form = new FormData()
    form.set('post', 'at://did:plc:author/app.bsky.feed.post/3k')
    await expect(openMarketAction({ status: 'idle' }, form)).resolves.toMatchObject({
      status: 'refused',
      error: { code: 'unavailable' },
      input: 'at://did:plc:author/app.bsky.feed.post/3k',
    })
    await expect(claimHumanGrantAction({ proof: {} })).resolves.toMatchObject(unavailable)
  })
})

describe('services that cannot be reached', () => {
  it('refuses the trade with its key when the desk’s services fail to load', async () => {
    faults.services = new Error('the pool could not be created')
    expect(await placeTradeAction({ status: 'idle' }, tradeForm())).toMatchObject({
      status: 'refused',
      error: { code: 'unavailable' },
      idempotencyKey: 't-0123456789abcdef',
    })
  })

  it('refuses the trade with its key when the desk never opens', async () => {
    expect(await placeTradeAction({ status: 'idle' }, tradeForm())).toMatchObject({
      status: 'refused',
      error: { code: 'unavailable' },
      idempotencyKey: 't-0123456789abcdef',
    })
  })

  it('refuses the jury’s enrollment when the database never opens', async () => {
    await expect(enrollAction({ method: 'allowlist', commitment: '1' })).resolves.toMatchObject(unavailable)
  })
})
