import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { createTestDatabase } from '../src/testing'
import { post, type Database } from '../src/index'

let database: Database
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(async () => {
  await database.close()
})

describe('database client', () => {
  it('applies migrations and round-trips a post through drizzle', async () => {
    const uri = 'at://did:plc:abc/app.bsky.feed.post/1'
    await database.db.insert(post).values({
      uri,
      cid: 'bafy',
      authorDid: 'did:plc:abc',
      text: 'hello',
      langs: ['en'],
      facets: [{ kind: 'link', byteStart: 0, byteEnd: 5, uri: 'https://example.com' }],
      createdAt: new Date('2026-01-01T00:00:00Z'),
    })
    const [row] = await database.db.select().from(post).where(eq(post.uri, uri))
    expect(row?.langs).toEqual(['en'])
    expect(row?.facets[0]).toMatchObject({ kind: 'link', uri: 'https://example.com' })
    expect(row?.id).toBeTypeOf('number')
  })

  it('binds arrays for batched unnest inserts through raw postgres.js', async () => {
    const uris = ['at://did:plc:x/app.bsky.feed.post/a', 'at://did:plc:x/app.bsky.feed.post/b']
    const { sql } = database
    const rows = await sql`
      insert into post (uri, cid, author_did, text, created_at)
      select * from unnest(${sql.array(uris)}::text[], ${sql.array(['c1', 'c2'])}::text[],
        ${sql.array(['did:plc:x', 'did:plc:x'])}::text[], ${sql.array(['a', 'b'])}::text[],
        ${sql.array(['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'])}::timestamptz[])
      on conflict (uri) do nothing returning uri`
    expect(rows.map((r) => r.uri as string)).toEqual(uris)
  })

  it('rolls back a failed transaction entirely', async () => {
    const uri = 'at://did:plc:y/app.bsky.feed.post/1'
    await expect(
      database.sql.begin(async (tx) => {
        await tx`insert into post (uri, cid, author_did, text, created_at) values (${uri}, 'c', 'did:plc:y', 't', now())`
        await tx`select 1/0`
      }),
    ).rejects.toThrow()
    const rows = await database.sql`select 1 from post where uri = ${uri}`
    expect(rows.length).toBe(0)
  })
})
