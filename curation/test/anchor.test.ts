/**
 * A round end to end, through the parts this file's owner built: a juror admitted through the allowlist, curators
 * trading, a real Semaphore ballot, close; then `settleRound` on the jury's verdicts and `anchorRound` putting the
 * export's Merkle root on a local chain, where it reads back equal to the export anyone can recompute.
 */
import { Group, Identity } from '@semaphore-protocol/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { allowlistVerifier } from '../src/admission/allowlist'
import { connectChain, deployRoundAnchor, type ChainClients } from '../src/chain/anchor'
import { ANVIL_DEV_PRIVATE_KEY, startAnvil, type LocalChain } from '../src/chain/anvil'
import { isCurationError } from '../src/errors'
import type { Vote } from '../src/jury/ballot'
import { exportMerkleRoot } from '../src/jury/export'
import { isLedgerSound } from '../src/ledger/invariant'
import { MICRO } from '../src/market/lmsr'
import { addToAllowlist, admitJuror } from '../src/service/admission'
import { anchorRound, readRoundAnchor, type RoundAnchorTarget } from '../src/service/anchor'
import { exportRound } from '../src/service/audit'
import { submitBallot } from '../src/service/ballot'
import { getGroupCommitments } from '../src/service/jury-group'
import { checkLedgerInvariant, getBalance, grantStartingCredits } from '../src/service/ledger'
import {
  closeRound,
  freezeRound,
  getRound,
  getRoundBallotSheet,
  openRound,
  revealRound,
  roundSettlementVerdicts,
} from '../src/service/round'
import { getMarketSettlement, settleRound } from '../src/service/settlement'
import { checkSettlementBooks } from '../src/service/settlement-audit'
import { placeTrade } from '../src/service/trade'
import { at, HOUR, MINUTE, proveBallot, setupMarkets, T0, terminateCurve } from './jury-helpers'

const PARAMS = { pMin: 1, pMax: 1, halfExposure: 100, capacity: 3, quorum: 1 }
const juror = new Identity('anchor-test-juror')
let database: Database
let chain: LocalChain
let target: RoundAnchorTarget
let clients: ChainClients
let roundId: number
let markets: { marketId: number; postUri: string }[]
const curators = ['did:plc:yes-buyer', 'did:plc:no-buyer']

beforeAll(async () => {
  database = await createTestDatabase({ max: 4 })
  chain = await startAnvil()
  clients = await connectChain({ rpcUrl: chain.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY })
  target = { clients, address: (await deployRoundAnchor(clients)).address }

  await addToAllowlist(database, { by: 'test', did: 'did:plc:juror', now: T0 })
  await admitJuror(database, {
    verifier: allowlistVerifier(),
    evidence: { did: 'did:plc:juror' },
    commitment: juror.commitment,
    now: T0,
  })
  markets = await setupMarkets(
    database,
    [1, 2, 3, 4].map((n) => ({ n: `anchor-${n}`, createdAt: at(-30 * MINUTE), impressions: n })),
  )
  for (const did of curators)
    await grantStartingCredits(database, { did, amountMicro: 1_000n * MICRO, now: T0 })
  let key = 0
  for (const m of markets) {
    for (const [did, outcome] of [
      [curators[0]!, 'yes'],
      [curators[1]!, 'no'],
    ] as const) {
      await placeTrade(
        database,
        {
          did,
          marketId: m.marketId,
          side: 'buy',
          outcome,
          amountMicro: 20n * MICRO,
          limit: { kind: 'max_average_price', price: 1 },
          idempotencyKey: `a${++key}`,
          now: at(-20 * MINUTE),
        },
        { rules: { positionCapMicro: 10_000n * MICRO, maxAmountMicro: 1_000_000n * MICRO } },
      )
    }
  }
  roundId = (
    await openRound(database, {
      now: T0,
      windowMs: 2 * HOUR,
      votingMs: HOUR,
      params: PARAMS,
      beacon: { kind: 'operator' },
      // A fixed seed: with capacity 3 of 4 markets each is sampled with p = 0.75, so a random seed drew only two
      // a quarter of the time. This one draws three.
      seed: `0x${'22'.repeat(32)}`,
    })
  ).round.id
  await freezeRound(database, { roundId, now: at(2 * HOUR) })
  await revealRound(database, { roundId, now: at(2 * HOUR) })
  // One ballot, over the three sampled posts: endorse, reject, abstain (-> yes, no, void; the fourth is unsampled).
  const sheet = await getRoundBallotSheet(database, roundId)
  expect(sheet.posts).toHaveLength(3)
  const votes: Vote[] = ['endorse', 'reject', 'abstain']
  const round = (await getRound(database, roundId))!
  const { commitments } = await getGroupCommitments(database, { rootVersion: round.rootVersion })
  const ballot = await proveBallot({
    identity: juror,
    group: new Group(commitments.map(BigInt)),
    roundId,
    votes: sheet.posts.map((p, i) => [p.postUri, votes[i]!] as const),
  })
  await submitBallot(database, { roundId, ...ballot, now: at(2 * HOUR + MINUTE) })
}, 180_000)

afterAll(async () => {
  await chain?.stop()
  await database?.close()
  await terminateCurve()
})

describe('settling and anchoring a closed round', () => {
  it('refuses to anchor a round before its export exists', async () => {
    const err = await anchorRound(database, target, { roundId, now: at(4 * HOUR) }).catch((e: unknown) => e)
    expect(isCurationError(err, 'bad_request')).toBe(true)
    expect(await readRoundAnchor(target, roundId)).toBeNull()
  })

  it('settles every market of the round on its verdict, once', async () => {
    await closeRound(database, { roundId, now: at(3 * HOUR + MINUTE) })
    const verdicts = await roundSettlementVerdicts(database, roundId)
    expect([...verdicts.values()].sort()).toEqual(['no', 'unsampled', 'void', 'yes'])

    const first = await settleRound(database, { roundId, now: at(3 * HOUR + 2 * MINUTE) })
    expect(first).toEqual({ settled: 4, alreadySettled: 0 })
    for (const [marketId, verdict] of verdicts) {
      const s = (await getMarketSettlement(database, marketId))!
      expect(s.roundId).toBe(roundId)
      expect(s.resolution).toBe(verdict === 'yes' || verdict === 'no' ? verdict : 'void')
      expect(s.cause).toBe(
        verdict === 'unsampled' ? 'unsampled' : verdict === 'void' ? 'no_quorum' : 'verdict',
      )
    }
    // The YES buyer won one market and was refunded in two; the NO buyer the mirror image.
    expect(await getBalance(database, curators[0]!)).not.toBe(await getBalance(database, curators[1]!))
    expect(await settleRound(database, { roundId, now: at(4 * HOUR) })).toEqual({
      settled: 0,
      alreadySettled: 4,
    })
    expect(isLedgerSound(await checkLedgerInvariant(database))).toBe(true)
    expect(await checkSettlementBooks(database)).toEqual([])
  })

  it('anchors the export root on-chain once, and it reads back equal to the recomputed export', async () => {
    const round = (await getRound(database, roundId))!
    const anchored = await anchorRound(database, target, { roundId, now: at(4 * HOUR) })
    expect(anchored).toMatchObject({ roundId, root: round.exportRoot, sent: true })
    expect(anchored.gasUsed!).toBeLessThan(50_000n)
    const exp = await exportRound(database, roundId)
    expect(await readRoundAnchor(target, roundId)).toBe(exportMerkleRoot(exp))
    // Idempotent: nothing sent the second time.
    expect(await anchorRound(database, target, { roundId, now: at(4 * HOUR) })).toMatchObject({
      sent: false,
      txHash: null,
    })
  })
})
