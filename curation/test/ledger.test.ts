import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '@curia/db'
import { isCurationError } from '../src/errors'
import { describeLedgerReport, isLedgerSound } from '../src/ledger/invariant'
import { inTransaction, type Tx } from '../src/ledger/transaction'
import { MICRO } from '../src/market/lmsr'
import {
  checkLedgerInvariant,
  getBalance,
  getTreasuryBalance,
  grantStartingCredits,
  setupLedger,
} from '../src/service/ledger'
import { createWarmDatabase, expectLedgerSound } from './helpers'

const NOW = new Date('2026-03-01T12:00:00Z')
const FUNDING = 1_000_000n * MICRO
const GRANT = 1_000n * MICRO
let database: Database

beforeAll(async () => {
  database = await createWarmDatabase(8)
})
afterAll(async () => {
  await database.close()
})

const expectSound = () => expectLedgerSound(database)

async function entryCount(reason: string): Promise<number> {
  const [row] = await database.sql<{ n: number }[]>`
    select count(*)::int as n from ledger_entry where reason = ${reason}`
  return row!.n
}

describe('ledger', () => {
  it('mints the treasury once, whatever later setups ask for', async () => {
    expect(await setupLedger(database, { treasuryFundingMicro: FUNDING, now: NOW })).toEqual({
      funded: true,
      treasuryBalanceMicro: FUNDING,
    })
    const again = await Promise.all(
      [FUNDING, 5n * FUNDING, FUNDING].map((amount) =>
        setupLedger(database, { treasuryFundingMicro: amount, now: NOW }),
      ),
    )
    expect(again.map((r) => r.funded)).toEqual([false, false, false])
    expect(await getTreasuryBalance(database)).toBe(FUNDING)
    expect(await entryCount('treasury_funding')).toBe(1)
    const report = await expectSound()
    expect(report.mintedMicro).toBe(FUNDING)
  })

  it('grants the starting balance once per DID, even to racing sign-ins', async () => {
    const did = 'did:plc:racer'
    const results = await Promise.all(
      Array.from({ length: 20 }, () => grantStartingCredits(database, { did, amountMicro: GRANT, now: NOW })),
    )
    expect(results.filter((r) => r.granted)).toHaveLength(1)
    expect(results.every((r) => r.balanceMicro === GRANT)).toBe(true)
    expect(await getBalance(database, did)).toBe(GRANT)
    expect(await entryCount('starting_grant')).toBe(1)

    const later = await grantStartingCredits(database, { did, amountMicro: 5n * GRANT, now: NOW })
    expect(later).toEqual({ granted: false, balanceMicro: GRANT })

    const many = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        grantStartingCredits(database, { did: `did:plc:user${i}`, amountMicro: GRANT, now: NOW }),
      ),
    )
    expect(many.every((r) => r.granted)).toBe(true)
    const report = await expectSound()
    expect(report.mintedMicro).toBe(FUNDING + 31n * GRANT)
    expect(await getBalance(database, 'did:plc:never-signed-in')).toBe(0n)
  })

  it('refuses a malformed DID before it becomes an account', async () => {
    for (const did of ['', 'alice', 'did:', 'did:plc:', 'DID:plc:x', 'did:plc:has space']) {
      const err = await grantStartingCredits(database, { did, amountMicro: GRANT, now: NOW }).catch(
        (e: unknown) => e,
      )
      expect(isCurationError(err, 'bad_request'), did).toBe(true)
    }
    const [row] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from account where did not like 'did:plc:%'`
    expect(row!.n).toBe(0)
  })

  it('the database itself refuses a negative balance, a non-positive entry and a self-transfer', async () => {
    await expect(
      database.sql`update account set balance_micro = -1 where did = 'did:plc:racer'`,
    ).rejects.toMatchObject({ code: '23514', constraint_name: 'account_balance_nonnegative' })
    const [mint] = await database.sql<{ id: string }[]>`select id::text from account where kind = 'mint'`
    const [racer] = await database.sql<{ id: string }[]>`
      select id::text from account where did = 'did:plc:racer'`
    for (const amount of [0n, -5n]) {
      await expect(
        database.sql`insert into ledger_entry (from_account, to_account, amount_micro, reason, reference)
                     values (${mint!.id}, ${racer!.id}, ${amount.toString()}::bigint, 'starting_grant', 'x')`,
      ).rejects.toMatchObject({ code: '23514' })
    }
    await expect(
      database.sql`insert into ledger_entry (from_account, to_account, amount_micro, reason, reference)
                   values (${racer!.id}, ${racer!.id}, 1, 'trade_buy', 'x')`,
    ).rejects.toMatchObject({ code: '23514', constraint_name: 'ledger_entry_distinct_accounts' })
    await expect(
      database.sql`insert into ledger_entry (from_account, to_account, amount_micro, reason, reference)
                   values (${mint!.id}, ${racer!.id}, 1, 'gift', 'x')`,
    ).rejects.toMatchObject({ code: '23514', constraint_name: 'ledger_entry_reason_check' })
    await expect(database.sql`insert into account (kind) values ('mint')`).rejects.toMatchObject({
      code: '23505',
    })
    await expectSound()
  })

  it('the audit catches a balance changed without an entry, and an entry without its balances', async () => {
    const { sql } = database
    await sql`update account set balance_micro = balance_micro + 7 where did = 'did:plc:user3'`
    let report = await checkLedgerInvariant(database)
    expect(isLedgerSound(report)).toBe(false)
    expect(report.sumMicro).toBe(7n)
    expect(report.mismatchedAccounts).toMatchObject([
      { owner: 'did:plc:user3', balanceMicro: GRANT + 7n, entriesMicro: GRANT },
    ])
    expect(describeLedgerReport(report)).toContain('ledger BROKEN')
    await sql`update account set balance_micro = balance_micro - 7 where did = 'did:plc:user3'`

    const [a] = await sql<{ id: string }[]>`select id::text from account where did = 'did:plc:user4'`
    const [b] = await sql<{ id: string }[]>`select id::text from account where did = 'did:plc:user5'`
    const [entry] = await sql<{ id: string }[]>`
      insert into ledger_entry (from_account, to_account, amount_micro, reason, reference)
      values (${a!.id}, ${b!.id}, 11, 'trade_buy', 'forged') returning id::text`
    report = await checkLedgerInvariant(database)
    // Sum still 0 (no balance moved) but both accounts disagree with their entries.
    expect(report.sumMicro).toBe(0n)
    expect(report.mismatchedAccounts.map((m) => m.owner).sort()).toEqual(['did:plc:user4', 'did:plc:user5'])
    expect(isLedgerSound(report)).toBe(false)
    await sql`delete from ledger_entry where id = ${entry!.id}`
    expect(describeLedgerReport(await expectSound())).toContain('ledger OK')
  })

  it('npm run ledger:check exits 0 on a sound ledger and 1 on a broken one', async () => {
    const root = resolve(import.meta.dirname, '../..')
    const run = async () => {
      try {
        const { stdout } = await promisify(execFile)(
          process.execPath,
          ['--import', 'tsx', 'scripts/ledger-check.ts'],
          { cwd: root, env: { ...process.env, DATABASE_URL: database.url } },
        )
        return { code: 0, stdout }
      } catch (err) {
        const e = err as { code: number; stdout: string }
        return { code: e.code, stdout: e.stdout }
      }
    }
    const ok = await run()
    expect(ok).toMatchObject({ code: 0 })
    expect(ok.stdout).toContain('ledger OK')
    await database.sql`update account set balance_micro = balance_micro + 1 where kind = 'treasury'`
    const broken = await run()
    expect(broken.code).toBe(1)
    expect(broken.stdout).toContain('do NOT match')
    await database.sql`update account set balance_micro = balance_micro - 1 where kind = 'treasury'`
  })
})

describe('inTransaction', () => {
  it('runs again after a serialization failure or deadlock, a bounded number of times, and never after others', async () => {
    let calls = 0
    // A real transaction each time; the failure is raised from inside it, as PostgreSQL's would surface.
    const flaky = (code: string, failures: number) => async (tx: Tx) => {
      calls++
      await tx`select 1`
      if (calls <= failures) throw Object.assign(new Error(`simulated ${code}`), { code })
      return 'done'
    }
    calls = 0
    expect(await inTransaction(database, flaky('40001', 2), { attempts: 3 })).toBe('done')
    expect(calls).toBe(3)
    calls = 0
    await expect(inTransaction(database, flaky('40P01', 5), { attempts: 3 })).rejects.toMatchObject({
      code: '40P01',
    })
    expect(calls).toBe(3)
    calls = 0
    await expect(inTransaction(database, flaky('23505', 1), { attempts: 3 })).rejects.toMatchObject({
      code: '23505',
    })
    expect(calls).toBe(1)
  })

  // PGlite has one backend: a second transaction cannot start while the first waits, so no deadlock can form.
  it.skipIf(!process.env.DATABASE_URL)(
    'survives a real deadlock: PostgreSQL aborts one side and it runs again',
    async () => {
      const { sql } = database
      const [a] = await sql<{ id: string }[]>`select id::text from account where did = 'did:plc:user6'`
      const [b] = await sql<{ id: string }[]>`select id::text from account where did = 'did:plc:user7'`
      let release!: () => void
      const bothHoldOne = new Promise<void>((resolve) => (release = resolve))
      let holding = 0
      const attempts = [0, 0]
      const lockInOrder = (side: 0 | 1, first: string, second: string) =>
        inTransaction(database, async (tx) => {
          attempts[side]!++
          await tx`select id from account where id = ${first} for update`
          if (attempts[side] === 1) {
            if (++holding === 2) release()
            await bothHoldOne
          }
          await tx`select id from account where id = ${second} for update`
          return side
        })
      const results = await Promise.all([lockInOrder(0, a!.id, b!.id), lockInOrder(1, b!.id, a!.id)])
      expect(results).toEqual([0, 1])
      expect(attempts[0]! + attempts[1]!).toBe(3)
    },
  )
})
