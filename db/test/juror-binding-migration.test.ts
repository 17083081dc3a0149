import { randomBytes } from 'node:crypto'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyMigrations, migrationsFolder, openDatabase, type Database } from '../src/client'

/**
 * The migration that gave every juror binding its account (`did`) and wallet: rows written before it stay valid.
 * The database is migrated up to just before it, given rows as the old code wrote them (`person_key` a DID for the
 * allowlist and invites, `eth:<wallet>` for the personhood check), then migrated to the end.
 */

interface Journal {
  entries: { tag: string }[]
}

let database: Database
let dropDatabase = async () => {}
let partial: string

beforeAll(async () => {
  // The committed migrations before the first of this change's, as a folder drizzle's migrator can apply.
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as Journal
  const first = journal.entries.findIndex((e) => e.tag.endsWith('_juror_binding_did_wallet'))
  expect(first).toBeGreaterThan(0)
  partial = mkdtempSync(join(tmpdir(), 'curia-migrations-'))
  mkdirSync(join(partial, 'meta'))
  const before = journal.entries.slice(0, first)
  writeFileSync(join(partial, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: before }))
  for (const file of readdirSync(migrationsFolder)) {
    if (before.some((e) => file === `${e.tag}.sql`))
      copyFileSync(join(migrationsFolder, file), join(partial, file))
  }

  const serverUrl = process.env.DATABASE_URL
  if (!serverUrl) {
    database = await openDatabase({ dataDir: 'memory://', max: 2, migrate: false })
  } else {
    const name = `curia_test_${randomBytes(6).toString('hex')}`
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database ${name}`)
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    database = await openDatabase({ url: url.toString(), max: 2, migrate: false })
    dropDatabase = async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`)
      await admin.end()
    }
  }
  await migrate(drizzle(database.sql), { migrationsFolder: partial })
})

afterAll(async () => {
  await database?.close()
  await dropDatabase()
  if (partial) rmSync(partial, { recursive: true, force: true })
})

describe('juror_binding: did and wallet', () => {
  it('backfills what the old person key knew, keeps every row, and drops person_key', async () => {
    const { sql } = database
    const wallet = `0x${'ab'.repeat(20)}`
    const revokedWallet = `0x${'cd'.repeat(20)}`
    const t = '2026-03-01T12:00:00.000Z'
    await sql`
      insert into juror_binding (verifier, person_key, commitment, admitted_at, member_added_at, revoked_at)
      values ('allowlist', 'did:plc:oldallow', '11', ${t}, ${t}, null),
             ('invite', 'did:plc:oldinvite', '12', ${t}, ${t}, null),
             ('personhood', ${`eth:${wallet}`}, '13', ${t}, ${t}, null),
             ('personhood', ${`eth:${revokedWallet}`}, '14', ${t}, ${t}, ${t})`
    await sql`
      insert into juror_invite (code_hash, inviter_binding_id, created_at, expires_at, used_at, used_by_binding_id)
      select 'h1', a.id, ${t}, ${t}, ${t}, i.id
      from juror_binding a, juror_binding i where a.commitment = '11' and i.commitment = '12'`

    await applyMigrations(database.url)

    const rows = await sql<
      { verifier: string; did: string | null; wallet: string | null; commitment: string; revoked: boolean }[]
    >`
      select verifier, did, wallet, commitment, revoked_at is not null as revoked
      from juror_binding order by commitment`
    expect(rows).toEqual([
      { verifier: 'allowlist', did: 'did:plc:oldallow', wallet: null, commitment: '11', revoked: false },
      { verifier: 'invite', did: 'did:plc:oldinvite', wallet: null, commitment: '12', revoked: false },
      // The account was never stored for these: the wallet is all that is known.
      { verifier: 'personhood', did: null, wallet, commitment: '13', revoked: false },
      { verifier: 'personhood', did: null, wallet: revokedWallet, commitment: '14', revoked: true },
    ])
    const [edge] = await sql<{ n: number }[]>`
      select count(*)::int as n from juror_invite i
      join juror_binding a on a.id = i.inviter_binding_id join juror_binding b on b.id = i.used_by_binding_id
      where a.did = 'did:plc:oldallow' and b.did = 'did:plc:oldinvite'`
    expect(edge!.n).toBe(1)
    const columns = await sql<{ name: string }[]>`
      select column_name as name from information_schema.columns where table_name = 'juror_binding'`
    expect(columns.map((c) => c.name)).not.toContain('person_key')

    // From now on: one account, one wallet, each once; the shape is checked.
    const refusal = (query: Promise<unknown>) =>
      query.then(
        () => 'accepted',
        (err: { constraint_name?: string }) => err.constraint_name,
      )
    expect(
      await refusal(sql`
        insert into juror_binding (verifier, did, commitment, admitted_at)
        values ('allowlist', 'did:plc:oldallow', '21', ${t})`),
    ).toBe('juror_binding_did_key')
    expect(
      await refusal(sql`
        insert into juror_binding (verifier, did, wallet, commitment, admitted_at)
        values ('personhood', 'did:plc:new', ${wallet}, '22', ${t})`),
    ).toBe('juror_binding_wallet_key')
    expect(
      await refusal(sql`
        insert into juror_binding (verifier, did, wallet, commitment, admitted_at)
        values ('personhood', 'did:plc:new', ${`0x${'AB'.repeat(20)}`}, '23', ${t})`),
    ).toBe('juror_binding_wallet_format_check')
    expect(
      await refusal(sql`
        insert into juror_binding (verifier, did, commitment, admitted_at) values ('invite', null, '24', ${t})`),
    ).toBe('juror_binding_did_check')
    expect(
      await refusal(sql`
        insert into juror_binding (verifier, did, wallet, commitment, admitted_at)
        values ('allowlist', 'did:plc:new', ${`0x${'ef'.repeat(20)}`}, '25', ${t})`),
    ).toBe('juror_binding_wallet_check')
  })
})
