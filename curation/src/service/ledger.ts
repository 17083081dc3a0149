/**
 * Credits: setting up the mint and the treasury, the starting grant, balances, and the audit. Each write is one
 * transaction: lock, read, decide, write the entry and both balances.
 */
import type { ReservedSql } from 'postgres'
import type { Database, Sql } from '@curia/db'
import { CurationError } from '../errors'
import type { LedgerInvariantReport, AccountAnomaly, MarketAnomaly } from '../ledger/invariant'
import {
  ensureCuratorAccount,
  ensureSystemAccounts,
  findCuratorAccount,
  lockAccounts,
  moveCredits,
} from '../ledger/repo'
import { inTransaction, type Tx } from '../ledger/transaction'

/** A DID as atproto writes them; anything else is refused before it becomes an account. */
const DID = /^did:[a-z]+:[a-zA-Z0-9._:%-]{1,2000}$/

export function assertDid(did: unknown): asserts did is string {
  if (typeof did !== 'string' || !DID.test(did)) throw new CurationError('bad_request', 'Not a valid DID.')
}

/**
 * Creates the mint and the treasury and funds the treasury once (reference `setup`). Safe to call at every start:
 * later calls change nothing, whatever amount they pass.
 */
export async function setupLedger(
  database: Database,
  opts: { treasuryFundingMicro: bigint; now: Date },
): Promise<{ funded: boolean; treasuryBalanceMicro: bigint }> {
  return inTransaction(database, async (tx) => {
    const { mintId, treasuryId } = await ensureSystemAccounts(tx)
    const funded = await mintOnce(tx, {
      fromId: mintId,
      toId: treasuryId,
      amountMicro: opts.treasuryFundingMicro,
      reason: 'treasury_funding',
      reference: 'setup',
      atIso: opts.now.toISOString(),
    })
    const balances = await lockAccounts(tx, [treasuryId])
    return { funded, treasuryBalanceMicro: balances.get(treasuryId) ?? 0n }
  })
}

/**
 * The starting grant, once per DID: first sign-in calls this, and so may every later one. The unique index on
 * (reason, reference = DID) makes two racing sign-ins grant once.
 */
export async function grantStartingCredits(
  database: Database,
  opts: { did: string; amountMicro: bigint; now: Date },
): Promise<{ granted: boolean; balanceMicro: bigint }> {
  assertDid(opts.did)
  return inTransaction(database, (tx) =>
    grantFromMint(tx, {
      did: opts.did,
      amountMicro: opts.amountMicro,
      reason: 'starting_grant',
      reference: opts.did,
      atIso: opts.now.toISOString(),
    }),
  )
}

/**
 * Inside a transaction: mints `amountMicro` to the DID's curator account (made if absent) under a once-per-reference
 * reason, and returns the balance after. `granted` is false when that reference was already paid (or the amount is
 * 0): the unique index on (reason, reference) is what makes a race pay once.
 */
export async function grantFromMint(
  tx: Tx,
  opts: {
    did: string
    amountMicro: bigint
    reason: 'starting_grant' | 'human_grant'
    reference: string
    atIso: string
  },
): Promise<{ granted: boolean; balanceMicro: bigint }> {
  const { mintId } = await ensureSystemAccounts(tx)
  const accountId = await ensureCuratorAccount(tx, opts.did)
  const granted = await mintOnce(tx, {
    fromId: mintId,
    toId: accountId,
    amountMicro: opts.amountMicro,
    reason: opts.reason,
    reference: opts.reference,
    atIso: opts.atIso,
  })
  const [row] = await tx<{ balance: string }[]>`
    select balance_micro::text as balance from account where id = ${accountId}`
  return { granted, balanceMicro: BigInt(row!.balance) }
}

/**
 * Moves `amountMicro` out of the mint under a once-per-(reason, reference) entry, both accounts locked; false when
 * that entry already exists (or the amount is 0).
 */
async function mintOnce(tx: Tx, move: Parameters<typeof moveCredits>[1]): Promise<boolean> {
  if (move.amountMicro <= 0n) return false
  await lockAccounts(tx, [move.fromId, move.toId])
  return (await moveCredits(tx, move)) !== undefined
}

/** A curator's balance in micro-credits; 0 for a DID that never signed in. */
export async function getBalance(database: Database, did: string): Promise<bigint> {
  const [row] = await database.sql<{ balance: string }[]>`
    select balance_micro::text as balance from account where kind = 'curator' and did = ${did}`
  return row ? BigInt(row.balance) : 0n
}

/**
 * Curators' sale proceeds held until their markets settle (`heldProceeds` in market/trade.ts, summed over the
 * positions in markets still open or closed): the part of a balance that trading elsewhere and fees cannot spend.
 * One row per DID that holds any. A query, not yet sent, so the trade service can pipeline it with its loads.
 */
export function heldProceedsQuery(sql: Tx | ReservedSql | Sql, dids: readonly string[]) {
  return (sql as Tx)<{ did: string; held: string }[]>`
    select a.did, sum(-p.net_spend_micro)::text as held
    from account a
    join position p on p.account_id = a.id and p.net_spend_micro < 0
    join market m on m.id = p.market_id and m.status in ('open', 'closed')
    where a.kind = 'curator' and a.did = any(${(sql as Tx).array([...dids])}::text[])
    group by a.did`
}

/** One curator's held sale proceeds (`heldProceedsQuery`). */
export async function getHeldProceeds(sql: Tx | Sql, did: string): Promise<bigint> {
  const [row] = await heldProceedsQuery(sql, [did])
  return row ? BigInt(row.held) : 0n
}

export async function getTreasuryBalance(database: Database): Promise<bigint> {
  const [row] = await database.sql<{ balance: string }[]>`
    select balance_micro::text as balance from account where kind = 'treasury'`
  return row ? BigInt(row.balance) : 0n
}

/** The curator's account id, if it has one (it gets one at its first grant). */
export async function findCuratorAccountId(database: Database, did: string): Promise<number | undefined> {
  return inTransaction(database, (tx) => findCuratorAccount(tx, did))
}

/**
 * Audits the whole ledger and the market layer's books in one consistent snapshot (REPEATABLE READ, read only), so
 * it can run beside live trading. Full scans: an operator command and a test helper, not a request path.
 */
export async function checkLedgerInvariant(database: Database): Promise<LedgerInvariantReport> {
  return database.sql.begin(
    'isolation level repeatable read read only',
    async (tx): Promise<LedgerInvariantReport> => {
      const [totals] = await tx<
        { accounts: number; sum: string; minted: string; held: string; entries: number }[]
      >`
      select count(*)::int as accounts,
             coalesce(sum(balance_micro), 0)::text as sum,
             coalesce(-sum(balance_micro) filter (where kind = 'mint'), 0)::text as minted,
             coalesce(sum(balance_micro) filter (where kind <> 'mint'), 0)::text as held,
             (select count(*)::int from ledger_entry) as entries
      from account`
      const anomalies = await tx<
        {
          id: string
          kind: string
          owner: string | null
          balance: string
          entries: string
          negative: boolean
        }[]
      >`
      with flows as (
        select to_account as id, amount_micro as amount from ledger_entry
        union all
        select from_account, -amount_micro from ledger_entry
      ), net as (select id, sum(amount) as amount from flows group by id)
      select a.id::text, a.kind, coalesce(a.did, a.market_id::text) as owner, a.balance_micro::text as balance,
             coalesce(net.amount, 0)::text as entries,
             (a.kind <> 'mint' and a.balance_micro < 0) as negative
      from account a left join net on net.id = a.id
      where a.balance_micro <> coalesce(net.amount, 0) or (a.kind <> 'mint' and a.balance_micro < 0)
      order by a.id`
      const toAnomaly = (r: (typeof anomalies)[number]): AccountAnomaly => ({
        id: Number(r.id),
        kind: r.kind,
        owner: r.owner,
        balanceMicro: BigInt(r.balance),
        entriesMicro: BigInt(r.entries),
      })
      return {
        accounts: totals!.accounts,
        entries: totals!.entries,
        sumMicro: BigInt(totals!.sum),
        mintedMicro: BigInt(totals!.minted),
        heldMicro: BigInt(totals!.held),
        negativeAccounts: anomalies.filter((r) => r.negative).map(toAnomaly),
        mismatchedAccounts: anomalies.filter((r) => BigInt(r.balance) !== BigInt(r.entries)).map(toAnomaly),
        marketAnomalies: await findMarketAnomalies(tx),
      }
    },
  )
}

/**
 * The market layer's books, for markets still trading or waiting for the jury (settlement owns the rest): q equals
 * the sum of positions, each position equals its trades, each trade has its ledger entry, and the escrow can pay
 * the larger side in full (LMSR guarantees it: escrow = b ln 2 + C(q) - C(0) >= max(q), with every rounding in the
 * house's favour).
 */
async function findMarketAnomalies(tx: Tx): Promise<MarketAnomaly[]> {
  const rows = await tx<{ marketId: string; problem: string }[]>`
    with live as (select * from market where status in ('open', 'closed')),
    q as (
      select m.id, m.q_yes_micro, m.q_no_micro,
             coalesce(sum(p.yes_shares_micro), 0) as yes, coalesce(sum(p.no_shares_micro), 0) as no
      from live m left join position p on p.market_id = m.id
      group by m.id, m.q_yes_micro, m.q_no_micro
    ), traded as (
      select market_id, account_id,
             sum(case when outcome = 'yes' then case when side = 'buy' then shares_micro else -shares_micro end else 0 end) as yes,
             sum(case when outcome = 'no' then case when side = 'buy' then shares_micro else -shares_micro end else 0 end) as no,
             sum(case when side = 'buy' then money_micro else 0 end) as spent,
             sum(case when side = 'sell' then money_micro else 0 end) as received
      from trade where market_id in (select id from live)
      group by market_id, account_id
    ), held as (select * from position where market_id in (select id from live))
    select id::text as "marketId",
           format('q = (%s, %s) but positions sum to (%s, %s)', q_yes_micro, q_no_micro, yes, no) as problem
    from q where q_yes_micro <> yes or q_no_micro <> no
    union all
    select coalesce(h.market_id, t.market_id)::text,
           format('account %s: position (%s, %s, spent %s, received %s) but trades give (%s, %s, spent %s, received %s)',
                  coalesce(h.account_id, t.account_id), h.yes_shares_micro, h.no_shares_micro, h.spent_micro,
                  h.received_micro, t.yes, t.no, t.spent, t.received)
    from held h full join traded t on t.market_id = h.market_id and t.account_id = h.account_id
    where h.market_id is null or t.market_id is null or h.yes_shares_micro <> t.yes or h.no_shares_micro <> t.no
       or h.spent_micro <> t.spent or h.received_micro <> t.received
    union all
    select t.market_id::text, format('trade %s has no matching ledger entry', t.id)
    from trade t
    join account e on e.kind = 'market' and e.market_id = t.market_id
    left join ledger_entry le on le.reference = 'trade:' || t.id
      and le.reason = case when t.side = 'buy' then 'trade_buy' else 'trade_sell' end
      and le.amount_micro = t.money_micro
      and le.from_account = case when t.side = 'buy' then t.account_id else e.id end
      and le.to_account = case when t.side = 'buy' then e.id else t.account_id end
    where le.id is null
    union all
    select coalesce((select a.market_id from account a
                     where a.id in (le.from_account, le.to_account) and a.kind = 'market' limit 1), 0)::text,
           format('ledger entry %s (%s) references no trade', le.id, le.reference)
    from ledger_entry le
    where le.reason in ('trade_buy', 'trade_sell')
      and not exists (select 1 from trade t where 'trade:' || t.id = le.reference)
    union all
    select m.id::text, format('escrow holds %s but the larger side is owed %s', e.balance_micro,
                              greatest(m.q_yes_micro, m.q_no_micro))
    from live m join account e on e.kind = 'market' and e.market_id = m.id
    where e.balance_micro < greatest(m.q_yes_micro, m.q_no_micro)
    union all
    select m.id::text, 'has no escrow account'
    from market m where not exists (select 1 from account e where e.kind = 'market' and e.market_id = m.id)`
  return rows.map((r) => ({ marketId: Number(r.marketId), problem: r.problem }))
}
