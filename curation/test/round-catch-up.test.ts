/**
 * A market that slips past its round's freeze is judged by the next round, not left unsettled: its opening ran
 * before the window's end (its close inside the window) but committed after the freeze (a clock behind, locks
 * waited on across the window's end). The next freeze takes every closed market not yet in a round.
 */
import { Identity } from '@semaphore-protocol/core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { MICRO } from '../src/market/lmsr'
import { addMember } from '../src/service/jury-group'
import { getBalance, grantStartingCredits } from '../src/service/ledger'
import { getMarket, openMarket } from '../src/service/market'
import { closeRound, freezeRound, listRoundOutcomes, openRound, revealRound } from '../src/service/round'
import { getMarketSettlement, settleRound } from '../src/service/settlement'
import { placeTrade } from '../src/service/trade'
import { expectLedgerSound } from './helpers'
import { at, HOUR, MARKET_PARAMS, MINUTE, postUri, setupMarkets, T0 } from './jury-helpers'

const PARAMS = { pMin: 0.5, pMax: 1, halfExposure: 10, capacity: 10, quorum: 1 }
const schedule = { windowMs: HOUR, votingMs: HOUR, params: PARAMS, beacon: { kind: 'operator' as const } }
const trader = 'did:plc:late-trader'
let database: Database

beforeAll(async () => {
  database = await createTestDatabase()
  await addMember(database, { commitment: new Identity('catch-up-juror').commitment, now: T0 })
})
afterAll(async () => {
  await database.close()
})

it('a market committed after its window froze is taken by the next round and settled', async () => {
  // Round 1: window [0, T0 + 1 h); one market closing at T0 + 30 min, in time.
  const [onTime] = await setupMarkets(database, [{ n: 'on-time', createdAt: at(-30 * MINUTE) }])
  const round1 = (await openRound(database, { ...schedule, now: T0 })).round.id
  await freezeRound(database, { roundId: round1, now: at(HOUR) })

  // The late market: opened at T0 + 50 min for a post made at T0 - 5 min, so trading closes at T0 + 55 min,
  // inside round 1's window; but its transaction commits only now, after round 1 froze. A trade at T0 + 52 min.
  const uri = postUri('late')
  await database.sql`
    insert into post (uri, cid, author_did, text, created_at)
    values (${uri}, 'bafytest', 'did:plc:jurytest', 'late post', ${at(-5 * MINUTE).toISOString()}::timestamptz)`
  const { market: late } = await openMarket(database, {
    postUri: uri,
    now: at(50 * MINUTE),
    params: MARKET_PARAMS,
  })
  expect(late.closesAt).toBe(at(55 * MINUTE).toISOString())
  await grantStartingCredits(database, { did: trader, amountMicro: 100n * MICRO, now: T0 })
  await placeTrade(
    database,
    {
      did: trader,
      marketId: late.id,
      side: 'buy',
      outcome: 'yes',
      amountMicro: 10n * MICRO,
      limit: { kind: 'max_average_price', price: 1 },
      idempotencyKey: 'late-1',
      now: at(52 * MINUTE),
    },
    { rules: { positionCapMicro: 1_000n * MICRO, maxAmountMicro: 1_000n * MICRO } },
  )
  expect(await getBalance(database, trader)).toBe(90n * MICRO)

  await revealRound(database, { roundId: round1, now: at(HOUR) })
  await closeRound(database, { roundId: round1, now: at(2 * HOUR) })
  expect((await listRoundOutcomes(database, round1)).map((o) => o.marketId)).toEqual([onTime!.marketId])
  await settleRound(database, { roundId: round1, now: at(2 * HOUR) })

  // Round 2: window [T0 + 1 h, T0 + 2 h). The late market closed before it, and no round has it: it is taken.
  const round2 = (await openRound(database, { ...schedule, now: at(HOUR) })).round.id
  const frozen = await freezeRound(database, { roundId: round2, now: at(2 * HOUR) })
  expect(frozen.round.eligibleHash).toMatch(/^0x[0-9a-f]{64}$/)
  await revealRound(database, { roundId: round2, now: at(2 * HOUR) })
  await closeRound(database, { roundId: round2, now: at(3 * HOUR) })
  expect((await listRoundOutcomes(database, round2)).map((o) => o.marketId)).toEqual([late.id])
  await settleRound(database, { roundId: round2, now: at(3 * HOUR) })

  // Settled by round 2 (void: no ballots, or unsampled), the trader's spend refunded, the escrow emptied.
  const settlement = (await getMarketSettlement(database, late.id))!
  expect(settlement).toMatchObject({ roundId: round2, resolution: 'void' })
  expect((await getMarket(database, { id: late.id }))!.status).toBe('void')
  expect(await getBalance(database, trader)).toBe(100n * MICRO)
  await expectLedgerSound(database)
}, 60_000)
