/**
 * Curator reputation read side: skill (Brier, log score, calibration, Brier skill against the market) over markets
 * settled on a verdict, and realised profit over settled and void markets. Plain reads returning DTOs; the maths is
 * `../settlement/skill.ts`, which the leaderboard's SQL mirrors (the tests hold the two together).
 */
import type { Database } from '@curia/db'
import { CurationError } from '../errors'
import { summarizeSkill, type ScoredMarket, type SkillSummary } from '../settlement/skill'
import { assertDid } from './ledger'

export interface CuratorSkill extends SkillSummary {
  did: string
  /** Whether the DID holds a curator account (it has signed in or traded); false: every figure is empty. */
  hasAccount: boolean
  /** Realised over settled and void markets: what settlement paid minus the net spend. */
  profitMicro: bigint
  /** Settled and void markets the curator held a position in. */
  settledPositions: number
}

export interface SkillLeaderboardEntry {
  did: string
  markets: number
  brier: number
  logScore: number
  referenceBrier: number
  skill: number
}

export interface ProfitLeaderboardEntry {
  did: string
  /** Paid by settlement minus net spend, over the curator's settled and void positions. */
  profitMicro: bigint
  /** Net spend over those positions (what the curator put at stake, after sales). */
  netSpendMicro: bigint
  markets: number
}

/**
 * Per curator and settled market: the YES price before its first trade there (the reference), after its last one
 * (the forecast), and the verdict. `$1` optionally narrows to one account.
 */
const SCORED_PAIRS = `
  select t.account_id, t.market_id, m.resolved_outcome as outcome,
         (array_agg(t.yes_price_before order by t.id))[1] as reference,
         (array_agg(t.yes_price_after order by t.id desc))[1] as forecast
  from trade t join market m on m.id = t.market_id
  where m.status = 'settled'`

/** One curator's scores, calibration table and realised profit. */
export async function getCuratorSkill(
  database: Database,
  did: string,
  opts: { bins?: number } = {},
): Promise<CuratorSkill> {
  assertDid(did)
  const { sql } = database
  const [account] = await sql<{ id: string }[]>`
    select id::text from account where kind = 'curator' and did = ${did}`
  const rows = account
    ? await sql<{ marketId: string; outcome: 'yes' | 'no'; reference: number; forecast: number }[]>`
        select market_id::text as "marketId", outcome, reference, forecast from (
          ${sql.unsafe(SCORED_PAIRS)} and t.account_id = ${account.id}
          group by t.account_id, t.market_id, m.resolved_outcome) pairs
        order by market_id`
    : []
  const markets: ScoredMarket[] = rows.map((r) => ({
    marketId: Number(r.marketId),
    outcome: r.outcome,
    reference: r.reference,
    forecast: r.forecast,
  }))
  const [profit] = account
    ? await sql<{ profit: string; n: number }[]>`
        select coalesce(sum(ps.paid_micro - p.net_spend_micro), 0)::text as profit, count(*)::int as n
        from position_settlement ps
        join position p on p.market_id = ps.market_id and p.account_id = ps.account_id
        where ps.account_id = ${account.id}`
    : [{ profit: '0', n: 0 }]
  return {
    did,
    hasAccount: account !== undefined,
    ...summarizeSkill(markets, opts),
    profitMicro: BigInt(profit.profit),
    settledPositions: profit.n,
  }
}

/**
 * Curators by Brier skill against the market (ties: more markets first, then DID), among those with at least
 * `minMarkets` scored markets (default 5: one lucky call should not top the board).
 */
export async function skillLeaderboard(
  database: Database,
  opts: { limit?: number; minMarkets?: number } = {},
): Promise<SkillLeaderboardEntry[]> {
  const { sql } = database
  const minMarkets = opts.minMarkets ?? 5
  if (!Number.isSafeInteger(minMarkets) || minMarkets < 1) {
    throw new CurationError('bad_request', 'The least number of markets is a positive integer.')
  }
  const rows = await sql<
    { did: string; markets: number; brier: number; logScore: number; referenceBrier: number; skill: number }[]
  >`
    with pairs as (
      ${sql.unsafe(SCORED_PAIRS)}
      group by t.account_id, t.market_id, m.resolved_outcome
    ), scored as (
      select account_id, reference, greatest(1e-12::float8, least(1 - 1e-12::float8, forecast)) as clamped, forecast,
             case when outcome = 'yes' then 1::float8 else 0::float8 end as y
      from pairs
    ), curators as (
      select a.did, count(*)::int as markets,
             avg((s.forecast - s.y) ^ 2) as brier,
             avg(ln(case when s.y = 1 then s.clamped else 1 - s.clamped end)) as log_score,
             avg((s.reference - s.y) ^ 2) as reference_brier
      from scored s join account a on a.id = s.account_id and a.kind = 'curator'
      group by a.did
      having count(*) >= ${minMarkets}
    )
    select did, markets, brier, log_score as "logScore", reference_brier as "referenceBrier",
           case when reference_brier > 0 then 1 - brier / reference_brier else 0 end as skill
    from curators
    order by skill desc, markets desc, did
    limit ${clampLimit(opts.limit)}`
  return rows.map((r) => ({ ...r }))
}

/** Curators by realised profit over settled and void markets (ties: DID). */
export async function settledProfitLeaderboard(
  database: Database,
  opts: { limit?: number } = {},
): Promise<ProfitLeaderboardEntry[]> {
  const { sql } = database
  const rows = await sql<{ did: string; profit: string; net: string; markets: number }[]>`
    select a.did, sum(ps.paid_micro - p.net_spend_micro)::text as profit, sum(p.net_spend_micro)::text as net,
           count(*)::int as markets
    from position_settlement ps
    join position p on p.market_id = ps.market_id and p.account_id = ps.account_id
    join account a on a.id = ps.account_id and a.kind = 'curator'
    group by a.did
    order by sum(ps.paid_micro - p.net_spend_micro) desc, a.did
    limit ${clampLimit(opts.limit)}`
  return rows.map((r) => ({
    did: r.did,
    profitMicro: BigInt(r.profit),
    netSpendMicro: BigInt(r.net),
    markets: r.markets,
  }))
}

function clampLimit(limit: number | undefined, max = 200): number {
  if (limit === undefined || !Number.isFinite(limit)) return 50
  return Math.max(1, Math.min(max, Math.floor(limit)))
}
