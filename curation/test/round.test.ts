import { spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Identity } from '@semaphore-protocol/core'
import { createTestClient, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import type { CurationErrorCode } from '../src/errors'
import { roundScope } from '../src/jury/ballot'
import type { Hex32 } from '../src/jury/hash'
import { DEFAULT_ROUND_PARAMS, type RoundParams } from '../src/jury/round'
import { drawSample, mixSeed, seedCommitment } from '../src/jury/sampling'
import { addMember, getGroupHead } from '../src/service/jury-group'
import { createBlockSource } from '../src/service/jury-beacon'
import {
  closeRound,
  freezeRound,
  getRound,
  getRoundBallotSheet,
  listRoundOutcomes,
  listRounds,
  markRoundSettled,
  openRound,
  revealRound,
  roundSettlementVerdicts,
  type BlockSource,
} from '../src/service/round'
import { expectRefusal } from './helpers'
import { at, HOUR, MINUTE, postUri, setupMarkets, T0 } from './jury-helpers'

const SEED: Hex32 = `0x${'5e'.repeat(32)}`
const PARAMS: RoundParams = {
  ...DEFAULT_ROUND_PARAMS,
  pMin: 0.3,
  pMax: 1,
  halfExposure: 100,
  capacity: 4,
  quorum: 1,
}
const schedule = { windowMs: 2 * HOUR, votingMs: HOUR, params: PARAMS }

let database: Database
let markets: { marketId: number; postUri: string }[]

beforeAll(async () => {
  database = await createTestDatabase()
  for (const name of ['juror-1', 'juror-2']) {
    await addMember(database, { commitment: new Identity(name).commitment, now: T0 })
  }
  // Eight posts whose markets close at T0 + 30 min (in round 1's window) with rising exposure, one closing at
  // T0 + 3 h (round 2's window).
  markets = await setupMarkets(database, [
    ...Array.from({ length: 8 }, (_, i) => ({
      n: i + 1,
      createdAt: at(-30 * MINUTE),
      impressions: i === 0 ? undefined : i * i * 50,
    })),
    { n: 'late', createdAt: at(2 * HOUR) },
  ])
})
afterAll(async () => {
  await database.close()
})

const refused = (fn: () => Promise<unknown>, code: CurationErrorCode) => expectRefusal(code, fn)

describe('a round by hand (operator beacon)', () => {
  let roundId: number

  it('opens: commits to the seed, freezes the current root version, takes everything before as its window', async () => {
    const { round, changed } = await openRound(database, {
      ...schedule,
      now: T0,
      beacon: { kind: 'operator' },
      seed: SEED,
    })
    expect(changed).toBe(true)
    roundId = round.id
    const head = await getGroupHead(database)
    expect(round).toMatchObject({
      status: 'committed',
      scope: roundScope(round.id).toString(),
      treeDepth: 20,
      seedCommitment: seedCommitment(SEED),
      seed: null,
      rootVersion: head.version,
      root: head.root,
      windowStartsAt: '1970-01-01T00:00:00.000Z',
      windowEndsAt: at(2 * HOUR).toISOString(),
      params: PARAMS,
      beacon: { kind: 'operator' },
    })
    // The secret is in its own table and nowhere in what rounds publish.
    expect(JSON.stringify(await listRounds(database))).not.toContain(SEED.slice(2))
  })

  it('opens nothing while a round is collecting, and a member admitted now waits for the next round', async () => {
    await addMember(database, { commitment: new Identity('juror-late').commitment, now: at(HOUR) })
    const again = await openRound(database, { ...schedule, now: at(HOUR), beacon: { kind: 'operator' } })
    expect(again.changed).toBe(false)
    expect(again.round.id).toBe(roundId)
    expect(again.round.rootVersion).toBe(2)
  })

  it('refuses to freeze before the window ends, and to reveal before freezing', async () => {
    await refused(() => freezeRound(database, { roundId, now: at(2 * HOUR - 1) }), 'round_state')
    await refused(() => revealRound(database, { roundId, now: at(HOUR) }), 'round_state')
    await refused(() => freezeRound(database, { roundId: 999, now: at(3 * HOUR) }), 'unknown_round')
  })

  it('freezes: the markets closed in the window, with their exposure, and nothing else', async () => {
    const { round, changed } = await freezeRound(database, { roundId, now: at(2 * HOUR) })
    expect(changed).toBe(true)
    expect(round.status).toBe('frozen')
    const rows = await database.sql<{ marketId: string; exposure: string; sampled: boolean | null }[]>`
      select market_id::text as "marketId", exposure::text, sampled from jury_round_market where round_id = ${roundId}
      order by market_id`
    expect(rows.map((r) => [Number(r.marketId), Number(r.exposure), r.sampled])).toEqual(
      markets.slice(0, 8).map((m, i) => [m.marketId, i * i * 50, null]),
    )
    const [status] = await database.sql<{ closed: number }[]>`
      select count(*)::int as closed from market where status = 'closed'`
    expect(status!.closed).toBe(8)
    expect((await freezeRound(database, { roundId, now: at(2 * HOUR) })).changed).toBe(false)
  })

  it('refuses a seed that does not match the commitment, changing nothing', async () => {
    await refused(
      () => revealRound(database, { roundId, now: at(2 * HOUR), seed: `0x${'5f'.repeat(32)}` }),
      'seed_mismatch',
    )
    expect((await getRound(database, roundId))!.status).toBe('frozen')
  })

  it('reveals: the seed checks against its commitment, and the sample is the pure function of the record', async () => {
    const { round } = await revealRound(database, { roundId, now: at(2 * HOUR + MINUTE) })
    expect(round).toMatchObject({
      status: 'voting',
      seed: SEED,
      mixedSeed: mixSeed(SEED, { kind: 'operator' }),
      votingEndsAt: at(3 * HOUR + MINUTE).toISOString(),
    })
    const rows = await database.sql<
      { marketId: string; exposure: string; probability: number; sampled: boolean }[]
    >`
      select market_id::text as "marketId", exposure::text, probability, sampled from jury_round_market
      where round_id = ${roundId} order by market_id`
    const expected = drawSample(
      round.mixedSeed!,
      rows.map((r) => ({ marketId: Number(r.marketId), exposure: Number(r.exposure) })),
      PARAMS,
    )
    // Stored probabilities are bit-identical to the recomputation (float8 round-trips).
    expect(rows.map((r) => r.probability)).toEqual(expected.probabilities.map((p) => p.probability))
    expect(rows.filter((r) => r.sampled).map((r) => Number(r.marketId))).toEqual(expected.sampled)
    expect(expected.sampled.length).toBeGreaterThan(0)
    expect(expected.sampled.length).toBeLessThanOrEqual(PARAMS.capacity)
  })

  it('shows jurors the sampled posts only: no price, no market', async () => {
    const sheet = await getRoundBallotSheet(database, roundId)
    const sampled = await database.sql<{ postUri: string }[]>`
      select post_uri as "postUri" from jury_round_market where round_id = ${roundId} and sampled order by post_uri`
    expect(sheet.posts).toEqual(sampled.map((s) => ({ postUri: s.postUri })))
    for (const p of sheet.posts) expect(Object.keys(p)).toEqual(['postUri'])
    expect(Object.keys(sheet).sort()).toEqual(
      [
        'posts',
        'rootVersion',
        'root',
        'roundId',
        'scope',
        'treeDepth',
        'votingEndsAt',
        'mixedSeed',
        'postsPerBallot',
      ].sort(),
    )
    // What each juror's assignment is computed from (this round's params are the defaults': 12 per ballot).
    expect(sheet.postsPerBallot).toBe(DEFAULT_ROUND_PARAMS.postsPerBallot)
    expect(sheet.mixedSeed).toBe((await getRound(database, roundId))!.mixedSeed)
    expect(JSON.stringify(sheet)).not.toMatch(/price|liquidity|q_yes|qYes|market/i)
  })

  it('hides outcomes until close, then closes after the voting period: no ballots, every sampled market void', async () => {
    await refused(() => listRoundOutcomes(database, roundId), 'round_state')
    await refused(() => closeRound(database, { roundId, now: at(3 * HOUR) }), 'round_state')
    const { round } = await closeRound(database, { roundId, now: at(3 * HOUR + MINUTE) })
    expect(round.status).toBe('closed')
    expect(round.exportRoot).toMatch(/^0x[0-9a-f]{64}$/)
    const outcomes = await listRoundOutcomes(database, roundId)
    expect(outcomes).toHaveLength(8)
    for (const o of outcomes) expect(o.verdict).toBe(o.sampled ? 'void' : null)
    const verdicts = await roundSettlementVerdicts(database, roundId)
    expect([...verdicts.values()].sort()).toEqual(
      outcomes.map((o) => (o.sampled ? 'void' : 'unsampled')).sort(),
    )
    await refused(() => getRoundBallotSheet(database, roundId), 'voting_closed')
    expect((await closeRound(database, { roundId, now: at(4 * HOUR) })).changed).toBe(false)
  })

  it('records settlement once', async () => {
    expect((await markRoundSettled(database, { roundId, now: at(4 * HOUR) })).changed).toBe(true)
    expect((await markRoundSettled(database, { roundId, now: at(5 * HOUR) })).round.settledAt).toBe(
      at(4 * HOUR).toISOString(),
    )
  })
})

describe('a round with the block beacon (anvil)', () => {
  let anvil: ChildProcess
  let blocks: BlockSource
  let rpcUrl: string

  beforeAll(async () => {
    const pkg = dirname(createRequire(import.meta.url).resolve('@foundry-rs/anvil/package.json'))
    const port = 20_000 + Math.floor(Math.random() * 20_000)
    anvil = spawn(process.execPath, [join(pkg, 'bin.mjs'), '--port', String(port), '--silent'], {
      stdio: 'ignore',
    })
    rpcUrl = `http://127.0.0.1:${port}`
    for (let i = 0; ; i++) {
      try {
        blocks = await createBlockSource({ rpcUrl, timeoutMs: 1_000 })
        break
      } catch (err) {
        if (i > 100) throw err
        await new Promise((r) => setTimeout(r, 100))
      }
    }
  })
  afterAll(() => {
    anvil?.kill()
  })

  it('fixes the next block at freeze, waits for it, and mixes its hash', async () => {
    const { round: opened } = await openRound(database, {
      ...schedule,
      now: at(2 * HOUR),
      beacon: { kind: 'block', chainId: blocks.chainId },
      seed: SEED,
    })
    expect(opened.windowStartsAt).toBe(at(2 * HOUR).toISOString())
    const roundId = opened.id
    await refused(() => freezeRound(database, { roundId, now: at(4 * HOUR) }), 'beacon_pending')
    const latest = await blocks.latestBlockNumber()
    const { round: frozen } = await freezeRound(database, { roundId, now: at(4 * HOUR), blocks })
    expect(frozen.beacon).toEqual({ kind: 'block', chainId: blocks.chainId, number: latest + 1 })
    const eligible = await database.sql<{ postUri: string }[]>`
      select post_uri as "postUri" from jury_round_market where round_id = ${roundId}`
    expect(eligible).toEqual([{ postUri: postUri('late') }])

    await refused(() => revealRound(database, { roundId, now: at(4 * HOUR), blocks }), 'beacon_pending')
    expect((await getRound(database, roundId))!.status).toBe('frozen')

    // Mined, but not yet under two confirmations: still pending.
    const anvilClient = createTestClient({ mode: 'anvil', transport: http(rpcUrl) })
    await anvilClient.mine({ blocks: 2 })
    await refused(() => revealRound(database, { roundId, now: at(4 * HOUR), blocks }), 'beacon_pending')
    await anvilClient.mine({ blocks: 1 })
    const hash = (await blocks.getBlockHash(latest + 1))!
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/)
    const { round } = await revealRound(database, { roundId, now: at(4 * HOUR), blocks })
    const beacon = { kind: 'block' as const, chainId: blocks.chainId, number: latest + 1, hash }
    expect(round.beacon).toEqual(beacon)
    expect(round.mixedSeed).toBe(mixSeed(SEED, beacon))
    expect(round.mixedSeed).not.toBe(mixSeed(SEED, { kind: 'operator' }))
  })
})
