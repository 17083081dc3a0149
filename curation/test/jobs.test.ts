/**
 * The jury's job worker on the real queue (pg-boss on this test's database): rounds open, freeze, reveal, close and
 * settle on their own, on a 3-second cadence; a restarted worker carries on where the last one stopped; scheduling
 * the same steps again queues nothing twice. Waits poll the database for a state (generous limits, no timing
 * assertions).
 */
import { Identity } from '@semaphore-protocol/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase, waitFor as pollUntil } from '@curia/db/testing'
import { DEFAULT_JURY_CONFIG, parseJuryConfig } from '../src/service/jury-config'
import { addMember } from '../src/service/jury-group'
import { quorumWarning, startJuryWorker, type JuryWorker } from '../src/service/jury-jobs'
import { getRound, listRounds, roundSettlementVerdicts } from '../src/service/round'
import { settleMarkets } from '../src/service/settlement'
import { FAST_JURY_CONFIG, HOUR, setupMarkets } from './jury-helpers'

const config = FAST_JURY_CONFIG
const schema = 'pgboss_jury_test'

let database: Database
const settled: number[] = []
const lines: string[] = []
let worker: JuryWorker | undefined

async function settleRound(db: Database, opts: { roundId: number; now: Date }) {
  settled.push(opts.roundId)
  await settleMarkets(db, {
    verdicts: await roundSettlementVerdicts(db, opts.roundId),
    now: opts.now,
    roundId: opts.roundId,
  })
}

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000) =>
  pollUntil(what, probe, { timeoutMs, intervalMs: 200, explain: () => lines })

beforeAll(async () => {
  database = await createTestDatabase()
  await addMember(database, { commitment: new Identity('juror-1').commitment, now: new Date() })
  // Markets that closed an hour ago: the first round's window (everything before it) takes them.
  await setupMarkets(
    database,
    [1, 2, 3, 4].map((n) => ({ n, createdAt: new Date(Date.now() - 2 * HOUR), impressions: n })),
  )
})
afterAll(async () => {
  await worker?.stop()
  await database.close()
  if (process.env.JURY_TEST_VERBOSE) console.log(lines.join('\n'))
})

describe('the jury worker', () => {
  it('reads its settings once, with defaults that run offline', () => {
    expect(DEFAULT_JURY_CONFIG).toMatchObject({
      enabled: true,
      beacon: { kind: 'operator' },
      cadenceMs: 24 * HOUR,
      // The capture simulation's choices (sim/report/REPORT.md).
      params: { pMin: 0.05, pMax: 1, halfExposure: 1000, capacity: 100, quorum: 3, postsPerBallot: 12 },
    })
    expect(
      parseJuryConfig({
        CURIA_JURY_CADENCE_MINUTES: '0.5',
        CURIA_JURY_QUORUM: '5',
        CURIA_JURY_POSTS_PER_BALLOT: '20',
      }),
    ).toMatchObject({
      cadenceMs: 30_000,
      params: { quorum: 5, postsPerBallot: 20 },
    })
    expect(() => parseJuryConfig({ CURIA_JURY_POSTS_PER_BALLOT: '0' })).toThrow()
    expect(() => parseJuryConfig({ CURIA_JURY_POSTS_PER_BALLOT: '2.5' })).toThrow()
    expect(() => parseJuryConfig({ CURIA_JURY_BEACON: 'block' })).toThrow(/RPC/)
    // An RPC endpoint makes the public beacon the default; the operator beacon then only when asked for.
    const rpcUrl = 'https://rpc.example'
    expect(parseJuryConfig({ CURIA_JURY_BEACON_RPC_URL: rpcUrl }).beacon).toEqual({
      kind: 'block',
      rpcUrl,
      confirmations: 2,
    })
    expect(
      parseJuryConfig({ CURIA_JURY_BEACON_RPC_URL: rpcUrl, CURIA_JURY_BEACON: 'operator' }).beacon,
    ).toEqual({
      kind: 'operator',
    })
    expect(parseJuryConfig({ CURIA_JURY_BEACON: '' }).beacon).toEqual({ kind: 'operator' })
    expect(() => parseJuryConfig({ CURIA_JURY_P_MIN: '0.9', CURIA_JURY_P_MAX: '0.5' })).toThrow()
  })

  it('runs a round from opening to settlement by itself, and survives a restart in the middle', async () => {
    const log = (line: string) => lines.push(line)
    worker = await startJuryWorker({ database, config, log, settleRound, schema })
    const first = await waitFor('round 1 voting', async () => {
      const round = await getRound(database, 1)
      return round && (round.status === 'voting' || round.status === 'closed') ? round : undefined
    })
    expect(first.windowStartsAt).toBe('1970-01-01T00:00:00.000Z')
    // One juror meets a quorum of one: the worker raised no warning.
    expect(await quorumWarning(database, first)).toBeUndefined()
    expect(lines.filter((l) => l.includes('quorum'))).toEqual([])
    // A restart: the new worker finds the state in the database and the queued jobs in pg-boss.
    await worker.stop()
    worker = await startJuryWorker({ database, config, log, settleRound, schema })
    const done = await waitFor('round 1 settled', async () => {
      const round = await getRound(database, 1)
      return round?.settledAt ? round : undefined
    })
    expect(done.status).toBe('closed')
    expect(done.exportRoot).toMatch(/^0x[0-9a-f]{64}$/)
    expect(settled.filter((id) => id === 1)).toEqual([1])

    // No ballots: every sampled market void, every other unsampled; settlement voided them all.
    const verdicts = await roundSettlementVerdicts(database, 1)
    expect(verdicts.size).toBe(4)
    const markets = await database.sql<{ status: string }[]>`select status from market order by id`
    expect(markets.map((m) => m.status)).toEqual(['void', 'void', 'void', 'void'])

    // The next round opened where the first one's window ended.
    const second = await waitFor('round 2', () => getRound(database, 2))
    expect(second.windowStartsAt).toBe(first.windowEndsAt)
  })

  it('warns when the members a round froze cannot reach its quorum', async () => {
    const round = (await getRound(database, 1))!
    expect(await quorumWarning(database, { ...round, params: { ...round.params, quorum: 2 } })).toBe(
      `round ${round.id} has 1 juror(s), fewer than its quorum of 2: every market it samples will be void and refunded`,
    )
    // A round frozen before anyone joined (root version 0) has no members at all.
    expect(await quorumWarning(database, { ...round, rootVersion: 0 })).toMatch(/has 0 juror\(s\)/)
  })

  it('queues each step once however often it is scheduled', async () => {
    for (let i = 0; i < 3; i++) await worker!.scheduleDueSteps()
    // Without deterministic job ids each pass would queue every due step again.
    const repeated = await database.sql`
      select data::text, count(*)::int as n from ${database.sql(schema)}.job where name = 'jury-round'
      group by data::text having count(*) > 1`
    expect(repeated).toEqual([])
    const [row] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from ${database.sql(schema)}.job where name = 'jury-round'`
    expect(row!.n).toBeGreaterThanOrEqual(6)
    // Rounds keep coming: at least two by now, the newest collecting or beyond.
    expect((await listRounds(database)).length).toBeGreaterThanOrEqual(2)
  })
})
