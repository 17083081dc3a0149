import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { MICRO, type Outcome } from '@curia/curation/market/lmsr'
import { DEFAULT_MARKET_PARAMS } from '@curia/curation/market/params'
import {
  checkLedgerInvariant,
  getBalance,
  grantStartingCredits,
  setupLedger,
} from '@curia/curation/service/ledger'
import { openMarket } from '@curia/curation/service/market'
import { settleMarkets, type Verdict } from '@curia/curation/service/settlement'
import { listTraderTrades } from '@curia/curation/service/trade-queries'
import { buyAtAnyPrice } from '@curia/curation/service/testing'
import { curatorPath } from '../lib/curator'
import { recordCurator } from '../server/auth/web-session'
import {
  didFromPathSegment,
  loadCuratorPage,
  loadSkillLeaderboard,
  parseSkillMinMarkets,
  SKILL_MIN_MARKETS,
} from '../server/queries/skill'

/**
 * The curator pages' reads against a real database, with markets traded and settled through curation's own
 * services: alice buys what the jury will endorse, bob the opposite, carol follows alice, dave trades too few
 * markets to be ranked by default, frank only a market the jury never sampled, eve signed in and never traded.
 */

const T0 = new Date('2026-03-01T12:00:00Z')
const AFTER = new Date(T0.getTime() + 49 * 3_600_000)
const rules = { positionCapMicro: 10_000n * MICRO, maxAmountMicro: 1_000_000n * MICRO }
const params = { ...DEFAULT_MARKET_PARAMS, liquidityMicro: 100n * MICRO, openFeeMicro: 0n }
const GRANT = 1_000n * MICRO
const alice = 'did:plc:skillalice00000000000000'
const bob = 'did:plc:skillbob0000000000000000'
const carol = 'did:plc:skillcarol00000000000000'
const dave = 'did:plc:skilldave000000000000000'
const eve = 'did:plc:skilleve0000000000000000'
const frank = 'did:plc:skillfrank00000000000000'
const SCORED = 5
let database: Database

beforeAll(async () => {
  database = await createTestDatabase({ max: 2 })
  await setupLedger(database, { treasuryFundingMicro: 1_000_000n * MICRO, now: T0 })
  for (const did of [alice, bob, carol, dave, eve, frank])
    await grantStartingCredits(database, { did, amountMicro: GRANT, now: T0 })
  await recordCurator(database.sql, { did: alice, handle: 'alice.skill.test', now: T0 })
  await recordCurator(database.sql, { did: eve, handle: 'eve.skill.test', now: T0 })
  const verdicts = new Map<number, Verdict>()
  for (let i = 0; i <= SCORED; i++) {
    const id = (
      await openMarket(database, {
        postUri: `at://did:plc:author/app.bsky.feed.post/sq${i}`,
        now: T0,
        params,
      })
    ).market.id
    const truth: Outcome = i % 2 === 0 ? 'yes' : 'no'
    const wrong: Outcome = truth === 'yes' ? 'no' : 'yes'
    const unsampled = i === SCORED
    if (unsampled) {
      await buy(frank, id, 'yes', 10n)
    } else {
      await buy(bob, id, wrong, 15n)
      await buy(alice, id, truth, 20n)
      await buy(alice, id, truth, 20n)
      await buy(carol, id, truth, 10n)
      if (i < 2) await buy(dave, id, truth, 5n)
    }
    verdicts.set(id, unsampled ? 'unsampled' : truth)
  }
  const settled = await settleMarkets(database, { verdicts, now: AFTER })
  expect(settled.map((r) => r.outcome)).not.toContain('refused')
})
afterAll(async () => {
  await database.close()
})

async function buy(did: string, marketId: number, outcome: Outcome, credits: bigint) {
  await buyAtAnyPrice(database, rules, { did, marketId, outcome, credits, now: T0 })
}

/** Calibration counts rebuilt from the trade history: per settled market, the bin of the last trade's price. */
async function expectedBins(did: string): Promise<{ count: number; yes: number }[]> {
  const trades = (await listTraderTrades(database, did, { limit: 200 })).reverse()
  const outcomes = await database.sql<{ id: string; outcome: 'yes' | 'no' }[]>`
    select id::text, resolved_outcome as outcome from market where status = 'settled'`
  const settled = new Map(outcomes.map((o) => [Number(o.id), o.outcome]))
  const last = new Map<number, number>()
  for (const t of trades) if (settled.has(t.marketId)) last.set(t.marketId, t.yesPriceAfter)
  const bins = Array.from({ length: 10 }, () => ({ count: 0, yes: 0 }))
  for (const [marketId, forecast] of last) {
    const bin = bins[Math.min(9, Math.floor(forecast * 10))]!
    bin.count += 1
    if (settled.get(marketId) === 'yes') bin.yes += 1
  }
  return bins
}

describe('loadSkillLeaderboard', () => {
  it('ranks curators by skill among those with enough scored markets, with handles and page links', async () => {
    const board = await loadSkillLeaderboard(database)
    expect(board.minMarkets).toBe(SKILL_MIN_MARKETS)
    expect(board.defaultMinMarkets).toBe(SKILL_MIN_MARKETS)
    expect(board.rows.map((r) => [r.rank, r.did])).toEqual([
      [1, alice],
      [2, carol],
      [3, bob],
    ])
    expect(board.rows[0]).toMatchObject({ handle: 'alice.skill.test', path: `/curator/${alice}`, markets: 5 })
    expect(board.rows[1]).toMatchObject({ handle: null, path: `/curator/${carol}` })
    expect(board.rows[0]!.skill).toBeGreaterThan(0)
    expect(board.rows[2]!.skill).toBeLessThan(0)
    // The board's SQL and the curator page's pure scores agree.
    for (const row of board.rows) {
      const page = (await loadCuratorPage(database, row.did))!
      expect(row.markets).toBe(page.markets)
      expect(row.brier).toBeCloseTo(page.brier!, 12)
      expect(row.logScore).toBeCloseTo(page.logScore!, 12)
      expect(row.referenceBrier).toBeCloseTo(page.referenceBrier!, 12)
      expect(row.skill).toBeCloseTo(page.skill!, 12)
    }
    expect(JSON.parse(JSON.stringify(board))).toEqual(board)
  })

  it('includes curators with fewer markets only when asked, and never one with nothing scored', async () => {
    const everyone = await loadSkillLeaderboard(database, { minMarkets: 1 })
    expect(everyone.minMarkets).toBe(1)
    expect(everyone.rows.map((r) => r.did)).toContain(dave)
    expect(everyone.rows.find((r) => r.did === dave)).toMatchObject({ markets: 2 })
    expect(everyone.rows.map((r) => r.did)).not.toContain(frank)
    expect(everyone.rows.map((r) => r.did)).not.toContain(eve)
    expect(everyone.rows.map((r) => r.rank)).toEqual(everyone.rows.map((_, i) => i + 1))
    expect((await loadSkillLeaderboard(database, { minMarkets: SCORED + 1 })).rows).toEqual([])
  })

  it('reads ?min= as a whole number from 1 to 100, anything else as the default', () => {
    expect(parseSkillMinMarkets(undefined)).toBe(SKILL_MIN_MARKETS)
    expect(parseSkillMinMarkets('1')).toBe(1)
    expect(parseSkillMinMarkets('100')).toBe(100)
    expect(parseSkillMinMarkets(['2', '9'])).toBe(2)
    for (const bad of ['0', '101', '-1', '1e2', '2.5', ' 3', '', 'abc', '9'.repeat(400)])
      expect(parseSkillMinMarkets(bad), bad).toBe(SKILL_MIN_MARKETS)
  })
})

describe('loadCuratorPage', () => {
  it("shows a curator's scores, calibration bins and realised profit as plain data", async () => {
    const page = (await loadCuratorPage(database, alice))!
    expect(page).toMatchObject({
      did: alice,
      handle: 'alice.skill.test',
      path: `/curator/${alice}`,
      markets: SCORED,
      settledPositions: SCORED, // alice never traded the unsampled market
    })
    expect(page.profitMicro).toBe(((await getBalance(database, alice)) - GRANT).toString())
    expect(BigInt(page.profitMicro)).toBeGreaterThan(0n)
    expect(page.skill).toBeGreaterThan(0)
    expect(page.brier).toBeLessThan(page.referenceBrier!)

    expect(page.calibration).toHaveLength(10)
    const expected = await expectedBins(alice)
    expect(page.calibration.map((b) => b.count)).toEqual(expected.map((b) => b.count))
    page.calibration.forEach((b, i) => {
      expect(b.lower).toBeCloseTo(i / 10, 12)
      expect(b.upper).toBeCloseTo((i + 1) / 10, 12)
      const e = expected[i]!
      if (e.count === 0) {
        expect(b).toMatchObject({ meanForecast: null, yesFrequency: null })
      } else {
        expect(b.yesFrequency).toBeCloseTo(e.yes / e.count, 12)
        expect(b.meanForecast!).toBeGreaterThanOrEqual(b.lower)
        expect(b.meanForecast!).toBeLessThanOrEqual(b.upper)
      }
    })
    // alice was right every time: her high forecasts were endorsed, her low ones rejected.
    for (const b of page.calibration.filter((x) => x.count > 0))
      expect(b.yesFrequency).toBe(b.lower >= 0.5 ? 1 : 0)
    expect(JSON.parse(JSON.stringify(page))).toEqual(page)
  })

  it("shows bob's losses, and a void-only or untraded curator with empty scores", async () => {
    const bobPage = (await loadCuratorPage(database, bob))!
    expect(BigInt(bobPage.profitMicro)).toBe((await getBalance(database, bob)) - GRANT)
    expect(BigInt(bobPage.profitMicro)).toBeLessThan(0n)
    expect(bobPage.skill).toBeLessThan(0)
    expect(bobPage.handle).toBeNull()

    const frankPage = (await loadCuratorPage(database, frank))!
    expect(frankPage).toMatchObject({
      markets: 0,
      settledPositions: 1,
      brier: null,
      skill: null,
      profitMicro: '0',
    })
    expect(frankPage.calibration.every((b) => b.count === 0)).toBe(true)

    const evePage = (await loadCuratorPage(database, eve))!
    expect(evePage).toMatchObject({
      handle: 'eve.skill.test',
      markets: 0,
      settledPositions: 0,
      brier: null,
      logScore: null,
      referenceBrier: null,
      skill: null,
      profitMicro: '0',
    })
  })

  it('is null for a DID with no curator account and for any string that is not a DID', async () => {
    expect(await loadCuratorPage(database, 'did:plc:nobodyhere000000000000')).toBeNull()
    const hostile = [
      '',
      `${alice}' or '1'='1`,
      `${alice}; drop table account; --`,
      '<script>alert(1)</script>',
      'javascript:alert(1)',
      '../../etc/passwd',
      `${alice}\u0000`,
      `${alice}\n`,
      alice.toUpperCase(),
      'did:plc:',
      `did:plc:${'a'.repeat(5000)}`,
      `did:plc:${'a'.repeat(1995)}`, // a DID's shape, longer than any account's
      'did:plc:%',
    ]
    for (const did of hostile) expect(await loadCuratorPage(database, did), JSON.stringify(did)).toBeNull()
    // Nothing was created by looking.
    const [accounts] = await database.sql<
      { n: number }[]
    >`select count(*)::int as n from account where kind = 'curator'`
    expect(accounts!.n).toBe(6)
  })

  it('maps a URL segment to the DID it names, and its own links back to the same DID', () => {
    expect(didFromPathSegment(alice)).toBe(alice)
    expect(didFromPathSegment(encodeURIComponent(alice))).toBe(alice)
    const web = 'did:web:localhost%3A3000'
    expect(curatorPath(web)).toBe('/curator/did:web:localhost%253A3000')
    expect(didFromPathSegment(curatorPath(web)!.slice('/curator/'.length))).toBe(web)
    for (const bad of ['%E0%A4%A', '%3Cscript%3E', 'did%3Aplc%3A', 'did:plc:a%2Fb', 'did:plc:a b', '%00'])
      expect(didFromPathSegment(bad), bad).toBeNull()
    expect(curatorPath('<b>')).toBeNull()
  })

  it('left the books balanced', async () => {
    const books = await checkLedgerInvariant(database)
    expect(books.sumMicro).toBe(0n)
    expect([...books.negativeAccounts, ...books.marketAnomalies]).toEqual([])
  })
})
