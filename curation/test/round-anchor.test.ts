/**
 * Rounds with the block beacon on a local chain (anvil), anchored in RoundAnchor, and checked by `verify-round
 * --rpc --anchor`: the eligible commitment goes on-chain at freeze, and the beacon block is the one right after the
 * block that included it (a freeze that crashed in between finds that block on-chain); the export root at close.
 * The command passes an honest round and fails an export rewritten after close (a ballot dropped, tallies and root
 * recomputed: consistent with itself, not with the anchored root), a list edited after the beacon was known (its
 * commitment rewritten to match), a commitment anchored only after the beacon block, and a beacon block picked
 * among later ones.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { Group, Identity, verifyProof } from '@semaphore-protocol/core'
import { createTestClient, http, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { anchorRoot, connectChain, deployRoundAnchor, readEligibleCommitment } from '../src/chain/anchor'
import { ANVIL_DEV_PRIVATE_KEY, startAnvil, type LocalChain } from '../src/chain/anvil'
import { parseBallotContent } from '../src/jury/ballot'
import { eligibleSetHash } from '../src/jury/eligible'
import { exportMerkleRoot, verifyRoundExport, type RoundExport } from '../src/jury/export'
import type { Hex32 } from '../src/jury/hash'
import { tallyBallots } from '../src/jury/tally'
import { anchorEligible, anchorRound, readRoundAnchor, type RoundAnchorTarget } from '../src/service/anchor'
import { exportRound } from '../src/service/audit'
import { submitBallot } from '../src/service/ballot'
import { createBlockSource } from '../src/service/jury-beacon'
import { addMember } from '../src/service/jury-group'
import {
  closeRound,
  freezeRound,
  getRound,
  openRound,
  revealRound,
  type BlockSource,
} from '../src/service/round'
import { at, HOUR, MINUTE, proveBallot, setupMarkets, T0, terminateCurve } from './jury-helpers'

const PARAMS = { pMin: 1, pMax: 1, halfExposure: 10, capacity: 10, quorum: 1 }
const repo = resolve(import.meta.dirname, '../..')
const jurors = ['anchor-juror-1', 'anchor-juror-2'].map((n) => new Identity(n))

let database: Database
let chain: LocalChain
let target: RoundAnchorTarget
let blocks: BlockSource
let mine: () => Promise<void>
let dir: string

/** Runs verify-round; resolves to its exit code and output. */
async function verifyRound(exp: RoundExport, name: string, ...args: string[]) {
  const file = join(dir, `${name}.json`)
  writeFileSync(file, JSON.stringify(exp))
  return promisify(execFile)(
    join(repo, 'node_modules/.bin/tsx'),
    ['scripts/verify-round.ts', file, ...args],
    {
      cwd: repo,
    },
  ).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  )
}

const withAnchor = (address: Address = target.address) => ['--rpc', chain.rpcUrl, '--anchor', address]

/** Opens a block-beacon round at `openAt` (an hour's window) over the markets closing in it. */
async function openBlockRound(openAt: number, seed: Hex32): Promise<number> {
  const { round } = await openRound(database, {
    now: at(openAt),
    windowMs: HOUR,
    votingMs: HOUR,
    params: PARAMS,
    beacon: { kind: 'block', chainId: chain.chainId },
    seed,
  })
  return round.id
}

/** Reveals once the beacon block is mined, casts a ballot from each juror, closes. */
async function voteAndClose(roundId: number, closeAt: number): Promise<void> {
  await mine()
  await revealRound(database, { roundId, now: at(closeAt - HOUR), blocks })
  const sampled = await database.sql<{ postUri: string }[]>`
    select post_uri as "postUri" from jury_round_market where round_id = ${roundId} and sampled`
  expect(sampled.length).toBeGreaterThan(0)
  const group = new Group(jurors.map((j) => j.commitment))
  for (const [i, identity] of jurors.entries()) {
    const votes = sampled.map((s) => [s.postUri, i === 0 ? 'endorse' : 'reject'] as const)
    const ballot = await proveBallot({ identity, group, roundId, votes })
    await submitBallot(database, { roundId, ...ballot, now: at(closeAt - HOUR + MINUTE) })
  }
  await closeRound(database, { roundId, now: at(closeAt) })
}

beforeAll(async () => {
  database = await createTestDatabase({ max: 4 })
  dir = mkdtempSync(join(tmpdir(), 'curia-round-anchor-'))
  chain = await startAnvil()
  const clients = await connectChain({ rpcUrl: chain.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY })
  target = { clients, address: (await deployRoundAnchor(clients)).address }
  blocks = await createBlockSource({ rpcUrl: chain.rpcUrl, confirmations: 0 })
  const testClient = createTestClient({ mode: 'anvil', transport: http(chain.rpcUrl) })
  mine = () => testClient.mine({ blocks: 1 })
  for (const j of jurors) await addMember(database, { commitment: j.commitment, now: T0 })
  // Three posts per hour-long window: markets close at T0 + 30 min, + 90 min, + 150 min, ...
  await setupMarkets(
    database,
    [0, 1, 2, 3, 4].flatMap((w) =>
      [1, 2, 3].map((n) => ({ n: `w${w}-${n}`, createdAt: at(w * HOUR - 30 * MINUTE), impressions: n })),
    ),
  )
}, 60_000)

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await chain?.stop()
  await database?.close()
  await terminateCurve()
})

describe('an honest round, anchored', () => {
  let roundId: number
  let exp: RoundExport

  it('anchors the eligible commitment at freeze; the beacon block is the one right after the block that holds it', async () => {
    roundId = await openBlockRound(0, `0x${'31'.repeat(32)}`)
    let anchoredIn: bigint | null = null
    const { round } = await freezeRound(database, {
      roundId,
      now: at(HOUR),
      blocks,
      publishEligible: async (r) => {
        const anchored = await anchorEligible(database, target, { roundId: r.id })
        anchoredIn = anchored.blockNumber
        // Blocks keep coming while the worker waits: the beacon is still fixed by the commitment's block, not by
        // whichever block is the latest when the worker gets to it.
        await mine()
        await mine()
        return { chainId: anchored.chainId, blockNumber: Number(anchored.blockNumber) }
      },
    })
    expect(anchoredIn).not.toBeNull()
    expect(round.beacon.kind === 'block' && round.beacon.number).toBe(Number(anchoredIn) + 1)
    const onChain = await readEligibleCommitment(target.clients.publicClient, {
      address: target.address,
      roundId,
      blockNumber: Number(anchoredIn),
    })
    expect(onChain).toBe(round.eligibleHash)
    // Anchoring again sends nothing (a freeze finished after a crash calls it again).
    expect(await anchorEligible(database, target, { roundId })).toMatchObject({ sent: false, txHash: null })
  })

  it('anchors the export root, recording it once even when a crash came between the transaction and the record', async () => {
    await voteAndClose(roundId, 3 * HOUR)
    const closed = (await getRound(database, roundId))!
    // The transaction went through; the process died before recording it.
    await anchorRoot(target.clients, { address: target.address, roundId, root: closed.exportRoot! })
    expect((await getRound(database, roundId))!.exportAnchoredAt).toBeNull()
    expect(await anchorRound(database, target, { roundId, now: at(3 * HOUR) })).toMatchObject({
      sent: false,
      root: closed.exportRoot,
    })
    expect((await getRound(database, roundId))!.exportAnchoredAt).toBe(at(3 * HOUR).toISOString())
    exp = await exportRound(database, roundId)
    expect(await readRoundAnchor(target, roundId)).toBe(exp.merkleRoot)
  })

  it('verify-round passes it against the chain, and prints its root', async () => {
    const { code, stdout } = await verifyRound(exp, 'honest', ...withAnchor())
    expect(stdout).toContain(`export root: ${exp.merkleRoot}`)
    expect(stdout).toContain(`eligible list hash: ${exp.eligibleHash}`)
    expect(stdout).toMatch(
      new RegExp(
        `round ${roundId}: OK: 2/2 ballot proofs verified.*beacon block hash checked, export root equals the anchored root, ` +
          `eligible list equals the commitment anchored in block \\d+, right before beacon block \\d+`,
      ),
    )
    expect(code).toBe(0)
  }, 60_000)

  it('verify-round fails an export rewritten after close that the offline checks accept', async () => {
    const rewritten: RoundExport = structuredClone(exp)
    // The rejecting ballot dropped: the tie (reject) becomes an endorsement.
    rewritten.ballots = rewritten.ballots.filter((b) => !b.content.includes('"reject"'))
    expect(rewritten.ballots).toHaveLength(1)
    const votes = rewritten.ballots.map((b) => parseBallotContent(b.content))
    const uris = rewritten.tallies.map((t) => t.postUri)
    rewritten.tallies = tallyBallots(uris, votes, PARAMS.quorum).map((t, i) => ({
      marketId: rewritten.tallies[i]!.marketId,
      ...t,
    }))
    rewritten.merkleRoot = exportMerkleRoot(rewritten)
    expect(rewritten.tallies.map((t) => t.verdict)).not.toEqual(exp.tallies.map((t) => t.verdict))
    expect(
      (await verifyRoundExport(JSON.parse(JSON.stringify(rewritten)), { verifyProof })).problems,
    ).toEqual([])

    const { code, stdout } = await verifyRound(rewritten, 'rewritten', ...withAnchor())
    expect(stdout).toContain(
      `MISMATCH anchor: the root anchored on-chain for round ${roundId} is ${exp.merkleRoot}, the export hashes to ${rewritten.merkleRoot}`,
    )
    expect(stdout).toContain(`export root: ${rewritten.merkleRoot}`)
    expect(stdout).toMatch(/FAILED, 1 problem/)
    expect(code).toBe(1)
  }, 60_000)

  it('verify-round fails a round with nothing anchored at the given contract', async () => {
    const empty = (await deployRoundAnchor(target.clients)).address
    const { code, stdout } = await verifyRound(exp, 'elsewhere', ...withAnchor(empty))
    expect(stdout).toContain(
      `MISMATCH anchor: round ${roundId} has no export root anchored at contract ${empty}`,
    )
    expect(stdout).toMatch(/MISMATCH anchor: round \d+ has no eligible commitment anchored/)
    expect(code).toBe(1)
  }, 60_000)
})

describe('an operator who steers the sample', () => {
  it('edits the list after the beacon, rewriting its stored commitment: the anchored commitment gives it away', async () => {
    const roundId = await openBlockRound(HOUR, `0x${'32'.repeat(32)}`)
    await freezeRound(database, {
      roundId,
      now: at(2 * HOUR),
      blocks,
      publishEligible: async (r) => void (await anchorEligible(database, target, { roundId: r.id })),
    })
    const anchored = (await getRound(database, roundId))!.eligibleHash
    await mine()
    // Block mined, sample known: one market dropped, the stored commitment rewritten to match.
    await database.sql`
      delete from jury_round_market where round_id = ${roundId}
        and market_id = (select max(market_id) from jury_round_market where round_id = ${roundId})`
    const rows = await database.sql<{ marketId: string; postUri: string; exposure: string }[]>`
      select market_id::text as "marketId", post_uri as "postUri", exposure::text from jury_round_market
      where round_id = ${roundId}`
    const edited = eligibleSetHash(
      roundId,
      rows.map((r) => ({ marketId: Number(r.marketId), postUri: r.postUri, exposure: Number(r.exposure) })),
    )
    await database.sql`update jury_round set eligible_hash = ${edited} where id = ${roundId}`
    await voteAndClose(roundId, 4 * HOUR)
    await anchorRound(database, target, { roundId, now: at(4 * HOUR) })
    const exp = await exportRound(database, roundId)
    expect((await verifyRoundExport(JSON.parse(JSON.stringify(exp)), { verifyProof })).problems).toEqual([])

    const { code, stdout } = await verifyRound(exp, 'steered', ...withAnchor())
    expect(stdout).toContain(
      `MISMATCH anchor: the eligible commitment anchored for round ${roundId} is ${anchored}, the export's list hashes to ${edited}`,
    )
    expect(code).toBe(1)
  }, 60_000)

  it('anchors the commitment only after the beacon block: the chain shows it came too late', async () => {
    const roundId = await openBlockRound(2 * HOUR, `0x${'33'.repeat(32)}`)
    // No publishEligible: the beacon block is chosen with nothing on-chain.
    const { round } = await freezeRound(database, { roundId, now: at(3 * HOUR), blocks })
    await voteAndClose(roundId, 5 * HOUR)
    await anchorEligible(database, target, { roundId })
    await anchorRound(database, target, { roundId, now: at(5 * HOUR) })
    const exp = await exportRound(database, roundId)
    const beacon = round.beacon.kind === 'block' ? round.beacon.number! : 0
    const { code, stdout } = await verifyRound(exp, 'late', ...withAnchor())
    expect(stdout).toContain(
      `MISMATCH anchor: round ${roundId}'s eligible commitment was not on-chain at block ${beacon - 1}, before beacon block ${beacon}`,
    )
    expect(code).toBe(1)
  }, 60_000)

  it('names a later beacon block than the rule gives (it holds the seed, so it can try each): the chain gives it away', async () => {
    const roundId = await openBlockRound(3 * HOUR, `0x${'35'.repeat(32)}`)
    const { round } = await freezeRound(database, {
      roundId,
      now: at(4 * HOUR),
      blocks,
      publishEligible: async (r) => {
        const a = await anchorEligible(database, target, { roundId: r.id })
        return { chainId: a.chainId, blockNumber: Number(a.blockNumber) }
      },
    })
    const ruled = round.beacon.kind === 'block' ? round.beacon.number! : 0
    // Three blocks later, three samples computed: the operator records the one it liked best.
    for (let i = 0; i < 3; i++) await mine()
    const picked = ruled + 2
    await database.sql`
      update jury_round set beacon = jsonb_set(beacon, '{number}', ${picked}::text::jsonb) where id = ${roundId}`
    await voteAndClose(roundId, 6 * HOUR)
    await anchorRound(database, target, { roundId, now: at(6 * HOUR) })
    const exp = await exportRound(database, roundId)
    expect(exp.seed.beacon).toMatchObject({ kind: 'block', number: picked })
    // Offline the export agrees with itself: only the chain shows the block was picked.
    expect((await verifyRoundExport(JSON.parse(JSON.stringify(exp)), { verifyProof })).problems).toEqual([])
    const { code, stdout } = await verifyRound(exp, 'picked', ...withAnchor())
    expect(stdout).toContain(
      `MISMATCH anchor: round ${roundId}'s eligible commitment was already on-chain at block ${picked - 2}: the beacon must be the block right after the one that included it`,
    )
    expect(code).toBe(1)
  }, 60_000)
})

describe('a freeze that crashed after anchoring the commitment', () => {
  it('finishes with the beacon block right after the commitment, found on-chain, however many blocks came since', async () => {
    const roundId = await openBlockRound(4 * HOUR, `0x${'34'.repeat(32)}`)
    let anchoredIn = 0n
    await expect(
      freezeRound(database, {
        roundId,
        now: at(5 * HOUR),
        blocks,
        publishEligible: async (r) => {
          anchoredIn = (await anchorEligible(database, target, { roundId: r.id })).blockNumber
          throw new Error('the worker died before recording the beacon block')
        },
      }),
    ).rejects.toThrow(/died/)
    for (let i = 0; i < 3; i++) await mine()
    let again: Awaited<ReturnType<typeof anchorEligible>> | undefined
    const { round } = await freezeRound(database, {
      roundId,
      now: at(5 * HOUR + MINUTE),
      blocks,
      publishEligible: async (r) => {
        again = await anchorEligible(database, target, { roundId: r.id })
        return { chainId: again.chainId, blockNumber: Number(again.blockNumber) }
      },
    })
    expect(again).toMatchObject({ sent: false, blockNumber: anchoredIn })
    expect(round.beacon).toMatchObject({ kind: 'block', number: Number(anchoredIn) + 1 })
  }, 60_000)
})
