import { randomInt } from 'node:crypto'
import { existsSync } from 'node:fs'
import postgres from 'postgres'
import { describe, expect, it } from 'vitest'
import { DevnetError, startNetwork } from '../src/index'

const postgresUrl = process.env.DB_POSTGRES_URL ?? process.env.DATABASE_URL

describe('startNetwork', () => {
  it('boots PLC + PDS, creates signed-in accounts, resolves them, and cleans up its files', async () => {
    const net = await startNetwork()
    let dataDir: string
    try {
      dataDir = net.network.pds.ctx.cfg.db.accountDbLoc.replace(/\/[^/]+$/, '')
      expect(existsSync(dataDir)).toBe(true)
      expect(net.appViewUrl).toBeUndefined()

      const alice = await net.createAccount('alice')
      expect(alice.handle).toBe('alice.test')
      expect(alice.agent.session?.did).toBe(alice.did)
      const post = await alice.agent.post({ text: 'first post' })
      expect(post.uri).toContain(alice.did)

      const doc = await net.idResolver.did.resolveAtprotoData(alice.did)
      expect(doc.handle).toBe('alice.test')
      expect(doc.pds).toBe(net.pdsUrl)
      expect(await net.idResolver.handle.resolve('alice.test')).toBe(alice.did)
      await net.settle()
    } finally {
      await net.close()
    }
    expect(existsSync(dataDir)).toBe(false)
    await net.close() // idempotent
  })

  it('refuses an AppView without PostgreSQL', async () => {
    const saved = { DB_POSTGRES_URL: process.env.DB_POSTGRES_URL, DATABASE_URL: process.env.DATABASE_URL }
    delete process.env.DB_POSTGRES_URL
    delete process.env.DATABASE_URL
    try {
      await expect(startNetwork({ appView: true })).rejects.toMatchObject({ code: 'missing_postgres' })
      await expect(
        startNetwork({ appView: true, dbPostgresUrl: 'postgres://x', schema: 'a1' }),
      ).rejects.toBeInstanceOf(DevnetError)
    } finally {
      for (const [key, value] of Object.entries(saved)) if (value !== undefined) process.env[key] = value
    }
  })

  it.skipIf(!postgresUrl)('boots an AppView that indexes posts, and drops its schemas on close', async () => {
    // Letters only (dev-env rejects digits); random so concurrent runs on one server do not collide.
    const schema = `devnet_test_${Array.from({ length: 8 }, () => String.fromCharCode(97 + randomInt(26))).join('')}`
    const net = await startNetwork({ appView: true, dbPostgresUrl: postgresUrl, schema })
    try {
      expect(net.appViewUrl).toMatch(/^http:\/\/localhost:\d+$/)
      expect(net.appViewDid).toMatch(/^did:/)
      const alice = await net.createAccount('alice.test')
      await alice.agent.upsertProfile(() => ({ displayName: 'Alice Devnet' }))
      const post = await alice.agent.post({ text: 'indexed by the appview' })
      await net.settle()
      const thread = await alice.agent.getPosts({ uris: [post.uri] })
      expect(thread.data.posts[0]?.author.displayName).toBe('Alice Devnet')
      expect((thread.data.posts[0]?.record as { text: string }).text).toBe('indexed by the appview')
    } finally {
      await net.close()
    }
    const sql = postgres(postgresUrl!, { max: 1 })
    try {
      const left = await sql<
        { nspname: string }[]
      >`select nspname from pg_namespace where nspname like ${'%' + schema}`
      expect(left).toEqual([])
    } finally {
      await sql.end()
    }
  })
})
