/**
 * The jury worker with a chain (anvil, mining a block a second): with the block beacon it anchors each round's
 * eligible commitment at freeze before choosing the beacon block, and it anchors each round's export root once the
 * round closes, on its own step: a market that refuses to settle holds the settlement back, never the anchor.
 */
import { Identity } from '@semaphore-protocol/core'
import { createTestClient, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase, waitFor as pollUntil } from '@curia/db/testing'
import { connectChain, deployRoundAnchor, readEligibleCommitment } from '../src/chain/anchor'
import { ANVIL_DEV_PRIVATE_KEY, startAnvil, type LocalChain } from '../src/chain/anvil'
import { CurationError } from '../src/errors'
import { readRoundAnchor, type RoundAnchorTarget } from '../src/service/anchor'
import { createBlockSource } from '../src/service/jury-beacon'
import type { JuryConfig } from '../src/service/jury-config'
import { addMember } from '../src/service/jury-group'
import { startJuryWorker, type JuryWorker } from '../src/service/jury-jobs'
import { getRound, type BlockSource } from '../src/service/round'
import { FAST_JURY_CONFIG, HOUR, setupMarkets } from './jury-helpers'

const schema = 'pgboss_jury_anchor_test'
let database: Database
let chain: LocalChain
let target: RoundAnchorTarget
let blocks: BlockSource
let config: JuryConfig
let worker: JuryWorker | undefined
const lines: string[] = []
let settleAttempts = 0

/** Settlement that always refuses, as when one market's books do not add up. */
function refusingSettlement(): Promise<never> {
  settleAttempts += 1
  return Promise.reject(new CurationError('bad_request', 'Round 1: 1 market(s) could not settle'))
}

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>) =>
  pollUntil(what, probe, { timeoutMs: 90_000, intervalMs: 200, explain: () => lines })

beforeAll(async () => {
  database = await createTestDatabase()
  chain = await startAnvil()
  await createTestClient({ mode: 'anvil', transport: http(chain.rpcUrl) }).setIntervalMining({ interval: 1 })
  const clients = await connectChain({ rpcUrl: chain.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY })
  target = { clients, address: (await deployRoundAnchor(clients)).address }
  blocks = await createBlockSource({ rpcUrl: chain.rpcUrl, confirmations: 1 })
  config = { ...FAST_JURY_CONFIG, beacon: { kind: 'block', rpcUrl: chain.rpcUrl, confirmations: 1 } }
  await addMember(database, { commitment: new Identity('jobs-anchor-juror').commitment, now: new Date() })
  await setupMarkets(
    database,
    [1, 2, 3].map((n) => ({ n, createdAt: new Date(Date.now() - 2 * HOUR), impressions: n })),
  )
}, 60_000)

afterAll(async () => {
  await worker?.stop()
  await chain?.stop()
  await database?.close()
  if (process.env.JURY_TEST_VERBOSE) console.log(lines.join('\n'))
})

/** The worker with the test chain's anchor contract, whose settlement always refuses. */
const startAnchoringWorker = () =>
  startJuryWorker({
    database,
    config,
    blocks,
    anchor: target,
    settleRound: refusingSettlement,
    schema,
    log: (line) => lines.push(line),
  })

describe('the jury worker with an anchor contract', () => {
  it('refuses an anchor contract on another chain than the beacon', async () => {
    const other = await startAnvil({ chainId: 31_338 })
    try {
      const clients = await connectChain({ rpcUrl: other.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY })
      const elsewhere = { clients, address: (await deployRoundAnchor(clients)).address }
      await expect(
        startJuryWorker({ database, config, blocks, anchor: elsewhere, schema, log: (l) => lines.push(l) }),
      ).rejects.toThrow(/chain 31338 and the beacon on chain 31337/)
    } finally {
      await other.stop()
    }
  })

  it('anchors the eligible commitment before the beacon block, and the export root though settlement fails', async () => {
    worker = await startAnchoringWorker()
    const round = await waitFor('round 1 anchored', async () => {
      const r = await getRound(database, 1)
      return r?.exportAnchoredAt ? r : undefined
    })
    expect(round.status).toBe('closed')
    expect(await readRoundAnchor(target, 1)).toBe(round.exportRoot)
    // The commitment was on-chain in the block before the beacon block.
    expect(round.beacon.kind).toBe('block')
    const beaconBlock = round.beacon.kind === 'block' ? round.beacon.number! : 0
    const before = await readEligibleCommitment(target.clients.publicClient, {
      address: target.address,
      roundId: 1,
      blockNumber: beaconBlock - 1,
    })
    expect(before).toBe(round.eligibleHash)
    // Settlement was tried and refused; the round waits to be settled, anchored all the same.
    await waitFor('a settlement attempt', () => Promise.resolve(settleAttempts > 0 || undefined))
    expect((await getRound(database, 1))!.settledAt).toBeNull()
    expect(lines.some((l) => /round 1 export root 0x[0-9a-f]{64} anchored on-chain/.test(l))).toBe(true)
    expect(lines.some((l) => /round 1 eligible commitment 0x[0-9a-f]{64} anchored on-chain/.test(l))).toBe(
      true,
    )

    // A restarted worker neither anchors again nor stops retrying the settlement.
    await worker.stop()
    const attempts = settleAttempts
    worker = await startAnchoringWorker()
    await waitFor('another settlement attempt', () => Promise.resolve(settleAttempts > attempts || undefined))
    // One anchoring line for round 1 in all: the restarted worker did not even look again ("was already anchored").
    expect(lines.filter((l) => /round 1 export root /.test(l))).toHaveLength(1)
  }, 120_000)
})
