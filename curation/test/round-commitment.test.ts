/**
 * The eligible list is committed to before the beacon block is chosen: freeze stores and shows `eligibleSetHash`
 * of the list, publishes it (the worker anchors it), and only then fixes the beacon block (here, with no block
 * reported for the commitment, the one after the latest; anchored: round-anchor.test.ts).
 * An operator who edits the list once the block's hash tells what the sample would be gets no sample drawn from it,
 * and an export of an edited list fails verification. A freeze interrupted between its parts is finished by
 * running it again. (On-chain anchoring and its check by verify-round: round-anchor.test.ts.)
 */
import { verifyProof } from '@semaphore-protocol/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { eligibleSetHash } from '../src/jury/eligible'
import { verifyRoundExport } from '../src/jury/export'
import type { Hex32 } from '../src/jury/hash'
import { exportRound } from '../src/service/audit'
import { nextStep } from '../src/service/jury-jobs'
import {
  closeRound,
  freezeRound,
  getRound,
  listRounds,
  openRound,
  revealRound,
  type BlockSource,
  type RoundSummary,
} from '../src/service/round'
import { expectRefusal } from './helpers'
import { at, HOUR, MINUTE, setupMarkets, T0 } from './jury-helpers'

const PARAMS = { pMin: 0.05, pMax: 1, halfExposure: 1000, capacity: 100, quorum: 1 }
const HASH: Hex32 = `0x${'ab'.repeat(32)}`
let database: Database

/** A chain whose latest block is 100 until told otherwise; every block is mined with HASH. */
function fixedChain(onLatest?: () => Promise<void>): BlockSource & { latest: number } {
  return {
    chainId: 1,
    latest: 100,
    async latestBlockNumber() {
      await onLatest?.()
      return this.latest
    },
    getBlockHash: () => Promise.resolve(HASH),
  }
}

async function eligibleRows(roundId: number) {
  const rows = await database.sql<{ marketId: string; postUri: string; exposure: string }[]>`
    select market_id::text as "marketId", post_uri as "postUri", exposure::text from jury_round_market
    where round_id = ${roundId} order by market_id`
  return rows.map((r) => ({ marketId: Number(r.marketId), postUri: r.postUri, exposure: Number(r.exposure) }))
}

beforeAll(async () => {
  database = await createTestDatabase({ max: 4 })
})
afterAll(async () => {
  await database.close()
})

describe('the eligible commitment (block beacon)', () => {
  let roundId: number

  it('is stored and public before the beacon block is chosen, and published first', async () => {
    await setupMarkets(
      database,
      Array.from({ length: 8 }, (_, i) => ({ n: i + 1, createdAt: at(-30 * MINUTE), impressions: 10 * i })),
    )
    const { round } = await openRound(database, {
      now: T0,
      windowMs: HOUR,
      votingMs: HOUR,
      params: PARAMS,
      beacon: { kind: 'block', chainId: 1 },
      seed: `0x${'11'.repeat(32)}`,
    })
    roundId = round.id
    const events: string[] = []
    let seenAtChoice: RoundSummary | undefined
    const chain = fixedChain(async () => {
      events.push('beacon block chosen')
      // What any reader (the round page, another connection) sees when the block is picked.
      seenAtChoice = await getRound(database, roundId)
    })
    const { round: frozen } = await freezeRound(database, {
      roundId,
      now: at(HOUR),
      blocks: chain,
      publishEligible: async (r) => {
        events.push(`published ${r.eligibleHash}`)
        // Published from a committed state: another connection already reads it.
        expect((await getRound(database, roundId))!.eligibleHash).toBe(r.eligibleHash)
      },
    })
    const committed = eligibleSetHash(roundId, await eligibleRows(roundId))
    expect(frozen.eligibleHash).toBe(committed)
    expect(events).toEqual([`published ${committed}`, 'beacon block chosen'])
    expect(seenAtChoice).toMatchObject({ status: 'frozen', eligibleHash: committed })
    expect(seenAtChoice!.beacon).toEqual({ kind: 'block', chainId: 1 })
    expect(frozen.beacon).toEqual({ kind: 'block', chainId: 1, number: 101 })
    // Listed publicly with the round from freeze on.
    expect((await listRounds(database)).find((r) => r.id === roundId)!.eligibleHash).toBe(committed)
  })

  it('refuses to draw a sample from a list edited after freeze (the operator saw the block hash)', async () => {
    // The reviewer's grind: with block 101's hash known, every exposure is raised so every market is sampled.
    await database.sql`update jury_round_market set exposure = 10000000 where round_id = ${roundId}`
    const err = await revealRound(database, { roundId, now: at(HOUR), blocks: fixedChain() }).catch(
      (e: unknown) => e,
    )
    expect(String(err)).toMatch(/no longer hash to the commitment fixed at freeze/)
    expect((await getRound(database, roundId))!.status).toBe('frozen')
  })

  it('an export whose list was edited with its commitment rewritten to match verifies only against the chain', async () => {
    // The operator edits the list and the stored commitment alike: the server draws from it, the export agrees
    // with itself. What catches it is the commitment anchored before the beacon (round-anchor.test.ts); the
    // commitment shown at freeze is the other witness.
    const shown = (await getRound(database, roundId))!.eligibleHash
    await database.sql`
      update jury_round set eligible_hash = ${eligibleSetHash(roundId, await eligibleRows(roundId))}
      where id = ${roundId}`
    await revealRound(database, { roundId, now: at(HOUR), blocks: fixedChain() })
    await closeRound(database, { roundId, now: at(3 * HOUR) })
    const exp = await exportRound(database, roundId)
    expect(exp.eligibleHash).not.toBe(shown)
    expect(exp.sample).toHaveLength(8)
    const report = await verifyRoundExport(JSON.parse(JSON.stringify(exp)), { verifyProof })
    expect(report.problems).toEqual([])
    expect(report.recomputed!.eligibleHash).not.toBe(shown)
  })
})

describe('a freeze interrupted between its parts', () => {
  it('leaves the round frozen with its commitment and no beacon block; freezing again finishes it', async () => {
    const { round } = await openRound(database, {
      now: at(HOUR),
      windowMs: HOUR,
      votingMs: HOUR,
      params: PARAMS,
      beacon: { kind: 'block', chainId: 1 },
    })
    const chain = fixedChain()
    const down = () => Promise.reject(new Error('the chain is unreachable'))
    await expect(
      freezeRound(database, { roundId: round.id, now: at(2 * HOUR), blocks: chain, publishEligible: down }),
    ).rejects.toThrow(/unreachable/)
    const stuck = (await getRound(database, round.id))!
    expect(stuck).toMatchObject({ status: 'frozen', beacon: { kind: 'block', chainId: 1 } })
    expect(stuck.eligibleHash).toMatch(/^0x[0-9a-f]{64}$/)
    expect(stuck.beacon).not.toHaveProperty('number')
    // The worker schedules the freeze again, not the reveal; the reveal refuses meanwhile.
    expect(nextStep(stuck)?.step).toBe('freeze')
    await expectRefusal('round_state', () =>
      revealRound(database, { roundId: round.id, now: at(2 * HOUR), blocks: chain }),
    )

    chain.latest = 150
    const published: string[] = []
    const finished = await freezeRound(database, {
      roundId: round.id,
      now: at(2 * HOUR + MINUTE),
      blocks: chain,
      publishEligible: (r) => Promise.resolve(void published.push(r.eligibleHash!)),
    })
    expect(finished.changed).toBe(true)
    expect(published).toEqual([stuck.eligibleHash])
    expect(finished.round).toMatchObject({
      eligibleHash: stuck.eligibleHash,
      frozenAt: stuck.frozenAt,
      beacon: { kind: 'block', chainId: 1, number: 151 },
    })
    expect(nextStep(finished.round)?.step).toBe('reveal')
    // Nothing left to do: a third run changes nothing and publishes nothing.
    const again = await freezeRound(database, {
      roundId: round.id,
      now: at(3 * HOUR),
      blocks: chain,
      publishEligible: () => Promise.reject(new Error('not called')),
    })
    expect(again.changed).toBe(false)
  })
})
