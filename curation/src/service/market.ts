/**
 * Markets: opening one per post (idempotent), closing them when their window ends, and reading them.
 */
import type { Database } from '@curia/db'
import { CurationError } from '../errors'
import {
  createMarketAccount,
  findCuratorAccount,
  findSystemAccounts,
  lockAccounts,
  moveCredits,
} from '../ledger/repo'
import { inTransaction, type Tx } from '../ledger/transaction'
import { formatMicro } from '../market/amount'
import { price, type Outcome } from '../market/lmsr'
import { planMarketOpening } from '../market/opening'
import type { MarketParams } from '../market/params'
import type { MarketStatus } from '../market/trade'
import { assertDid, getHeldProceeds } from './ledger'

export interface MarketSummary {
  id: number
  postUri: string
  status: MarketStatus
  resolvedOutcome: Outcome | null
  liquidityMicro: bigint
  qYesMicro: bigint
  qNoMicro: bigint
  /** The LMSR's YES probability now. */
  yesPrice: number
  subsidyMicro: bigint
  feeMicro: bigint
  createdBy: string | null
  openedAt: string
  closesAt: string
  tradeCount: number
  /** Distinct accounts that ever traded here. */
  traderCount: number
  volumeMicro: bigint
  lastTradeAt: string | null
}

/** A post's at-URI: `at://<did>/app.bsky.feed.post/<rkey>`. Handles are resolved to DIDs before this (web's job). */
const POST_URI = /^at:\/\/(did:[a-z]+:[a-zA-Z0-9._:%-]+)\/app\.bsky\.feed\.post\/([a-zA-Z0-9._~:-]{1,512})$/

export function isPostUri(uri: unknown): uri is string {
  return typeof uri === 'string' && uri.length <= 2048 && POST_URI.test(uri)
}

/**
 * Opens the market on a post, or returns the one already open on it (charging nothing). A curator opening one pays
 * `openFeeMicro` to the treasury; either way the treasury escrows the subsidy, b ln 2. Lock order: the market row
 * (inserted first, so a concurrent open of the same post waits here and then finds it), then accounts by id.
 */
export async function openMarket(
  database: Database,
  opts: {
    postUri: string
    /** The curator's DID; absent when the candidate policy opens it. */
    openedBy?: string | undefined
    now: Date
    params: Pick<MarketParams, 'liquidityMicro' | 'windowMs' | 'openFeeMicro'>
    /**
     * Writes the post's row inside the market's own transaction (a post fetched on demand for a curator), so no
     * other reader sees the post without its market (the curation loop would open one without the curator's fee),
     * and a refused opening leaves no post behind. Must be idempotent: a retried transaction runs it again.
     */
    storePost?: (tx: Tx) => Promise<void>
  },
): Promise<{ market: MarketSummary; opened: boolean }> {
  if (!isPostUri(opts.postUri)) {
    throw new CurationError('bad_request', 'Not a post address (at://did/app.bsky.feed.post/rkey).')
  }
  if (opts.openedBy !== undefined) assertDid(opts.openedBy)
  const nowIso = opts.now.toISOString()
  return inTransaction(database, async (tx) => {
    const existing = await selectMarket(tx, { postUri: opts.postUri })
    if (existing) return { market: existing, opened: false }
    await opts.storePost?.(tx)

    const [post] = await tx<{ createdAtMs: number; deleted: boolean }[]>`
      select (extract(epoch from created_at) * 1000)::float8 as "createdAtMs", deleted_at is not null as deleted
      from post where uri = ${opts.postUri}`
    if (post?.deleted) throw new CurationError('bad_request', 'This post was deleted.')
    const plan = planMarketOpening({
      postCreatedAtMs: post?.createdAtMs,
      openedByCurator: opts.openedBy !== undefined,
      nowMs: opts.now.getTime(),
      params: opts.params,
    })

    const [inserted] = await tx<{ id: string }[]>`
      insert into market (post_uri, liquidity_micro, subsidy_micro, fee_micro, created_by, opened_at, closes_at)
      values (${opts.postUri}, ${plan.liquidityMicro.toString()}::bigint, ${plan.subsidyMicro.toString()}::bigint,
              ${plan.feeMicro.toString()}::bigint,
              ${opts.openedBy ?? null}, ${nowIso}::timestamptz, ${new Date(plan.closesAtMs).toISOString()}::timestamptz)
      on conflict (post_uri) do nothing
      returning id::text`
    if (!inserted) {
      // Lost a race with another opening of the same post: it committed first, so return its market.
      const raced = await selectMarket(tx, { postUri: opts.postUri })
      if (!raced) throw new Error(`market for ${opts.postUri} conflicted but cannot be read`)
      return { market: raced, opened: false }
    }
    const marketId = Number(inserted.id)
    // What the jury will judge: the post as it is now (db/src/schema/market.ts marketPostCopy says why).
    await tx`
      insert into market_post_copy (market_id, cid, text, facets, embed, reply_parent, quote_uri, created_at)
      select ${marketId}, cid, text, facets, embed, reply_parent, quote_uri, created_at
      from post where uri = ${opts.postUri} and deleted_at is null`
    const escrowId = await createMarketAccount(tx, marketId)
    const system = await findSystemAccounts(tx)
    if (!system)
      throw new CurationError('insufficient_balance', 'The treasury is not set up; run the ledger setup.')
    const reference = `market:${marketId}`

    if (plan.feeMicro > 0n) {
      const openerId = await findCuratorAccount(tx, opts.openedBy!)
      const balances = await lockAccounts(
        tx,
        openerId === undefined ? [system.treasuryId] : [system.treasuryId, openerId],
      )
      const balance = openerId === undefined ? 0n : (balances.get(openerId) ?? 0n)
      // Sale proceeds held for unsettled markets are not the curator's to spend yet (market/trade.ts heldProceeds).
      const held = openerId === undefined ? 0n : await getHeldProceeds(tx, opts.openedBy!)
      if (balance - held < plan.feeMicro) {
        throw new CurationError(
          'insufficient_balance',
          held > 0n
            ? `Opening a market costs ${formatMicro(plan.feeMicro)} credits; you have ${formatMicro(balance)}, ${formatMicro(held)} of them sale proceeds held until their markets settle.`
            : `Opening a market costs ${formatMicro(plan.feeMicro)} credits; you have ${formatMicro(balance)}.`,
        )
      }
      await moveCredits(tx, {
        fromId: openerId!,
        toId: system.treasuryId,
        amountMicro: plan.feeMicro,
        reason: 'market_fee',
        reference,
        atIso: nowIso,
      })
    }
    const treasury = (await lockAccounts(tx, [system.treasuryId])).get(system.treasuryId) ?? 0n
    if (treasury < plan.subsidyMicro) {
      throw new CurationError(
        'insufficient_balance',
        `The treasury holds ${formatMicro(treasury)} credits, less than a market's subsidy of ${formatMicro(plan.subsidyMicro)}.`,
      )
    }
    await moveCredits(tx, {
      fromId: system.treasuryId,
      toId: escrowId,
      amountMicro: plan.subsidyMicro,
      reason: 'market_subsidy',
      reference,
      atIso: nowIso,
    })
    const market = await selectMarket(tx, { id: marketId })
    return { market: market!, opened: true }
  })
}

/**
 * Marks every open market whose window has ended as closed; returns their ids. Trading already refuses after
 * `closes_at` whether or not this has run; this makes the state visible to the jury round and to readers.
 */
export async function closeDueMarkets(database: Database, opts: { now: Date }): Promise<number[]> {
  return inTransaction(database, async (tx) => {
    const rows = await tx<{ id: string }[]>`
      update market set status = 'closed'
      where id in (
        select id from market
        where status = 'open' and closes_at <= ${opts.now.toISOString()}::timestamptz
        order by id
        for no key update)
      returning id::text`
    return rows.map((r) => Number(r.id)).sort((a, b) => a - b)
  })
}

export async function getMarket(
  database: Database,
  by: { id: number } | { postUri: string },
): Promise<MarketSummary | undefined> {
  return selectMarket(database.sql, by)
}

/** Markets by id, for hydrating a list (a feed page, a positions page). */
export async function getMarkets(database: Database, ids: readonly number[]): Promise<MarketSummary[]> {
  const { sql } = database
  const rows = await sql<MarketRow[]>`
    select ${sql.unsafe(MARKET_COLUMNS)} from market where id = any(${sql.array([...ids])}::bigint[]) order by id`
  return rows.map(toSummary)
}

interface MarketRow {
  id: string
  postUri: string
  status: MarketStatus
  resolvedOutcome: Outcome | null
  liquidity: string
  qYes: string
  qNo: string
  subsidy: string
  fee: string
  createdBy: string | null
  openedAt: string
  closesAt: string
  tradeCount: number
  traderCount: number
  volume: string
  lastTradeAt: string | null
}

const MARKET_COLUMNS = `
  id::text, post_uri as "postUri", status, resolved_outcome as "resolvedOutcome",
  liquidity_micro::text as liquidity, q_yes_micro::text as "qYes", q_no_micro::text as "qNo",
  subsidy_micro::text as subsidy, fee_micro::text as fee, created_by as "createdBy",
  to_char(opened_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "openedAt",
  to_char(closes_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "closesAt",
  trade_count as "tradeCount", trader_count as "traderCount", volume_micro::text as volume,
  to_char(last_trade_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "lastTradeAt"`

async function selectMarket(
  tx: Tx | Database['sql'],
  by: { id: number } | { postUri: string },
): Promise<MarketSummary | undefined> {
  const [row] =
    'id' in by
      ? await tx<MarketRow[]>`select ${tx.unsafe(MARKET_COLUMNS)} from market where id = ${by.id}`
      : await tx<MarketRow[]>`select ${tx.unsafe(MARKET_COLUMNS)} from market where post_uri = ${by.postUri}`
  return row ? toSummary(row) : undefined
}

function toSummary(r: MarketRow): MarketSummary {
  const liquidityMicro = BigInt(r.liquidity)
  const qYesMicro = BigInt(r.qYes)
  const qNoMicro = BigInt(r.qNo)
  return {
    id: Number(r.id),
    postUri: r.postUri,
    status: r.status,
    resolvedOutcome: r.resolvedOutcome,
    liquidityMicro,
    qYesMicro,
    qNoMicro,
    yesPrice: price({ b: liquidityMicro, qYes: qYesMicro, qNo: qNoMicro }, 'yes'),
    subsidyMicro: BigInt(r.subsidy),
    feeMicro: BigInt(r.fee),
    createdBy: r.createdBy,
    openedAt: r.openedAt,
    closesAt: r.closesAt,
    tradeCount: r.tradeCount,
    traderCount: r.traderCount,
    volumeMicro: BigInt(r.volume),
    lastTradeAt: r.lastTradeAt,
  }
}
