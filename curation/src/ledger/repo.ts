/**
 * The ledger's repository: plain functions of a transaction, explicit columns, no business rules. Callers lock the
 * accounts they move credits between (`lockAccounts`, always in id order, markets before accounts) before deciding
 * anything from their balances.
 */
import type { LedgerReason } from '@curia/db'
import type { Tx } from './transaction'

export interface SystemAccounts {
  mintId: number
  treasuryId: number
}

/** Creates the mint and the treasury if they do not exist. Run first, so they get the lowest ids. */
export async function ensureSystemAccounts(tx: Tx): Promise<SystemAccounts> {
  await tx`
    insert into account (kind) values ('mint'), ('treasury')
    on conflict (kind) where kind in ('treasury', 'mint') do nothing`
  const found = await findSystemAccounts(tx)
  if (!found) throw new Error('mint and treasury accounts missing right after creating them')
  return found
}

export async function findSystemAccounts(tx: Tx): Promise<SystemAccounts | undefined> {
  const rows = await tx<{ id: string; kind: 'mint' | 'treasury' }[]>`
    select id::text, kind from account where kind in ('mint', 'treasury')`
  const mint = rows.find((r) => r.kind === 'mint')
  const treasury = rows.find((r) => r.kind === 'treasury')
  return mint && treasury ? { mintId: Number(mint.id), treasuryId: Number(treasury.id) } : undefined
}

/** The curator's account id, created (with a zero balance) on first use. Safe against a concurrent creation. */
export async function ensureCuratorAccount(tx: Tx, did: string): Promise<number> {
  const [created] = await tx<{ id: string }[]>`
    insert into account (kind, did) values ('curator', ${did})
    on conflict (did) where kind = 'curator' do nothing
    returning id::text`
  if (created) return Number(created.id)
  // A separate statement: under READ COMMITTED it sees the row a concurrent insert (which we waited for) committed.
  const id = await findCuratorAccount(tx, did)
  if (id === undefined) throw new Error(`curator account for ${did} vanished`)
  return id
}

export async function findCuratorAccount(tx: Tx, did: string): Promise<number | undefined> {
  const [row] = await tx<
    { id: string }[]
  >`select id::text from account where kind = 'curator' and did = ${did}`
  return row ? Number(row.id) : undefined
}

export async function createMarketAccount(tx: Tx, marketId: number): Promise<number> {
  const [row] = await tx<{ id: string }[]>`
    insert into account (kind, market_id) values ('market', ${marketId}) returning id::text`
  return Number(row!.id)
}

/** Locks the accounts in id order (the one order every writer uses) and returns their balances. */
export async function lockAccounts(tx: Tx, ids: readonly number[]): Promise<Map<number, bigint>> {
  const sorted = [...new Set(ids)].sort((a, b) => a - b)
  const rows = await tx<{ id: string; balance: string }[]>`
    select id::text, balance_micro::text as balance from account
    where id = any(${tx.array(sorted)}::bigint[])
    order by id
    for no key update`
  return new Map(rows.map((r) => [Number(r.id), BigInt(r.balance)]))
}

export interface Movement {
  fromId: number
  toId: number
  amountMicro: bigint
  reason: LedgerReason
  reference: string
  atIso: string
}

/**
 * Writes one ledger entry and moves both balances, in one statement. For the once-per-reference reasons a second
 * movement with the same reference writes nothing and returns undefined (the unique index decides, so a race
 * cannot pay twice).
 */
export async function moveCredits(tx: Tx, m: Movement): Promise<number | undefined> {
  const [row] = await tx<{ id: string }[]>`
    with entry as (
      insert into ledger_entry (from_account, to_account, amount_micro, reason, reference, created_at)
      values (${m.fromId}, ${m.toId}, ${m.amountMicro.toString()}::bigint, ${m.reason}, ${m.reference}, ${m.atIso}::timestamptz)
      on conflict do nothing
      returning id, from_account, to_account, amount_micro
    ), moved as (
      update account a
      set balance_micro = a.balance_micro
        + case when a.id = entry.to_account then entry.amount_micro else -entry.amount_micro end
      from entry
      where a.id in (entry.from_account, entry.to_account)
      returning a.id
    )
    select id::text from entry`
  return row ? Number(row.id) : undefined
}
