/** Shared set-up for curation's database tests: a per-file database, a funded ledger, and the checks most files make. */
import { expect } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { parseCurationConfig, type CurationConfig } from '../src/config'
import { isCurationError, type CurationError, type CurationErrorCode } from '../src/errors'
import { isLedgerSound, type LedgerInvariantReport } from '../src/ledger/invariant'
import { MICRO } from '../src/market/lmsr'
import type { MarketRankingParams } from '../src/ranking/market-rank'
import { checkLedgerInvariant, grantStartingCredits, setupLedger } from '../src/service/ledger'

/** The ranking parameters the ranking tests use, fixed here so that a change of the configured defaults leaves them be. */
export const RANKING_PARAMS: Readonly<MarketRankingParams> = {
  halfLifeMs: 6 * 3_600_000,
  windowMs: 48 * 3_600_000,
  minTraders: 3,
  priorPrice: 0.5,
  explorationShare: 0,
  explorationMaxTrades: 3,
}

/**
 * A fresh database for this file whose `max` pooled connections are all opened, one at a time, before the tests race:
 * PGlite's socket multiplexer interleaves the start-up messages of connections opened at the same moment ("bind
 * message supplies 2 parameters...").
 */
export async function createWarmDatabase(max: number): Promise<Database> {
  const database = await createTestDatabase({ max })
  const reserved = []
  for (let i = 0; i < max; i++) reserved.push(await database.sql.reserve())
  for (const r of reserved) r.release()
  return database
}

/** Mints the treasury (a million credits unless told) and grants each DID its starting micro-credits, in order. */
export async function fundLedger(
  database: Database,
  opts: { now: Date; treasuryMicro?: bigint; grants?: Record<string, bigint> },
): Promise<void> {
  await setupLedger(database, {
    treasuryFundingMicro: opts.treasuryMicro ?? 1_000_000n * MICRO,
    now: opts.now,
  })
  for (const [did, amountMicro] of Object.entries(opts.grants ?? {}))
    await grantStartingCredits(database, { did, amountMicro, now: opts.now })
}

/** Expects the ledger invariant to hold, failing on the first part that does not; resolves to the report. */
export async function expectLedgerSound(database: Database): Promise<LedgerInvariantReport> {
  const report = await checkLedgerInvariant(database)
  expect(report.negativeAccounts).toEqual([])
  expect(report.mismatchedAccounts).toEqual([])
  expect(report.marketAnomalies).toEqual([])
  expect(report.sumMicro).toBe(0n)
  expect(report.heldMicro).toBe(report.mintedMicro)
  expect(isLedgerSound(report)).toBe(true)
  return report
}

/** What a market's escrow account holds, in micro-credits. */
export async function escrowBalance(database: Database, marketId: number): Promise<bigint> {
  const [row] = await database.sql<{ b: string }[]>`
    select balance_micro::text as b from account where kind = 'market' and market_id = ${marketId}`
  return BigInt(row!.b)
}

/** How many ballots are recorded, over every round: what a refused ballot leaves as it was. */
export async function countBallots(database: Database): Promise<number> {
  const [row] = await database.sql<{ n: number }[]>`select count(*)::int as n from jury_ballot`
  return row!.n
}

/** Expects `fn` to be refused with `code` and `unchanged()` (when given) to read the same after as before. */
export async function expectRefusal(
  code: CurationErrorCode,
  fn: () => Promise<unknown>,
  unchanged?: () => Promise<unknown>,
): Promise<CurationError> {
  const before = await unchanged?.()
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isCurationError(err, code), `expected ${code}, got ${String(err)}`).toBe(true)
  if (unchanged) expect(await unchanged(), 'a refusal records nothing').toEqual(before)
  return err as CurationError
}

/**
 * The curation service's configuration for tests that run it whole: its feed on a free port, a market for every
 * new post, a ranking round every 200 ms, no author lookups and no pruning; `env` adds or overrides.
 */
export function serviceTestConfig(env: Record<string, string> = {}): CurationConfig {
  return parseCurationConfig({
    CURIA_FEED_PORT: '0',
    CURIA_MARKET_MIN_ENGAGEMENT: '0',
    CURIA_RANK_INTERVAL_MS: '200',
    CURIA_SNAPSHOT_REFRESH_MS: '0',
    CURIA_AUTHOR_LOOKUP_INTERVAL_MS: '0',
    CURIA_POST_RETENTION_HOURS: 'off',
    ...env,
  })
}
