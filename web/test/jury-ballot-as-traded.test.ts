import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Identity } from '@semaphore-protocol/core'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { DEFAULT_MARKET_PARAMS } from '@curia/curation/market/params'
import { addMember } from '@curia/curation/service/jury-group'
import { setupLedger } from '@curia/curation/service/ledger'
import { openMarket } from '@curia/curation/service/market'
import { closeRound, freezeRound, openRound, revealRound } from '@curia/curation/service/round'
import { settleRound } from '@curia/curation/service/settlement'
import { loadBallotSheet, loadRoundPage } from '../server/jury/queries'

/**
 * The jury judges a post as it stood when its market opened. An author who deletes a post, rewrites it at the same
 * address or deactivates their account once it is sampled must not take it away from the jury: a post nobody can
 * judge has no quorum, and a void refunds every bet, so a promoted low-quality post would cost nothing. The ballot
 * shows the kept copy and says what changed; the public round page follows the post's live state; settlement drops
 * the copies.
 */

const HOUR = 3_600_000
const urls = {
  blobUrlTemplate: 'http://pds.test/{did}/{cid}',
  avatarUrlTemplate: 'http://pds.test/{did}/{cid}',
}
const authorOf = (name: string) => `did:plc:astraded${name}`
const uriOf = (name: string) => `at://${authorOf(name)}/app.bsky.feed.post/${name}`
const NAMES = ['kept', 'deleted', 'rewritten', 'deactivated', 'takendown'] as const
const original = (name: string) => `The original words of ${name}, as curators bet on them.`

let database: Database
let roundId: number

beforeAll(async () => {
  database = await createTestDatabase()
  const { sql } = database
  const now = new Date()
  await setupLedger(database, { treasuryFundingMicro: 1_000_000_000_000n, now })
  await addMember(database, { commitment: new Identity('curia-as-traded-juror').commitment, now })
  for (const name of NAMES) {
    await sql`insert into author (did, handle) values (${authorOf(name)}, ${`${name}.test`})`
    await sql`
      insert into post (uri, cid, author_did, text, created_at)
      values (${uriOf(name)}, ${`bafy${name}`}, ${authorOf(name)}, ${original(name)}, ${now.toISOString()}::timestamptz)`
    await openMarket(database, { postUri: uriOf(name), now, params: DEFAULT_MARKET_PARAMS })
  }
  await sql`update market set status = 'closed', closes_at = ${new Date(now.getTime() - 1_000).toISOString()}::timestamptz`
  const opened = await openRound(database, {
    now,
    windowMs: 1_000,
    votingMs: HOUR,
    params: { pMin: 1, pMax: 1, halfExposure: 1, capacity: 10, quorum: 1 },
    beacon: { kind: 'operator' },
  })
  roundId = opened.round.id
  await freezeRound(database, { roundId, now: new Date(opened.round.windowEndsAt) })
  await revealRound(database, { roundId, now: new Date() })

  // Sampled, the authors act. The deletion is the indexer's tombstone: the row stays, its content is wiped.
  await sql`
    update post set deleted_at = now(), text = '', langs = '{}', facets = '[]'::jsonb, embed = null,
      reply_root = null, reply_parent = null, quote_uri = null, like_count = 0, repost_count = 0
    where uri = ${uriOf('deleted')}`
  await sql`update post set cid = 'bafyother', text = 'Harmless new words.' where uri = ${uriOf('rewritten')}`
  await sql`update author set status = 'deactivated', status_changed_at = now() where did = ${authorOf('deactivated')}`
  await sql`update author set status = 'takendown', status_changed_at = now() where did = ${authorOf('takendown')}`
})
afterAll(async () => {
  await database?.close()
})

describe('the ballot shows each post as its market opened', () => {
  it('keeps what the author deleted, rewrote or hid by deactivating, and says so; moderation removes it', async () => {
    const sheet = await loadBallotSheet(database, urls, roundId)
    const byName = Object.fromEntries(
      NAMES.map((name) => [name, sheet.posts.find((p) => p.postUri === uriOf(name))!]),
    )
    expect(byName.kept).toMatchObject({ post: { text: original('kept') }, changedSince: null })
    expect(byName.deleted).toMatchObject({ post: { text: original('deleted') }, changedSince: 'deleted' })
    expect(byName.rewritten).toMatchObject({
      post: { text: original('rewritten') },
      changedSince: 'rewritten',
    })
    expect(byName.deactivated).toMatchObject({
      post: { text: original('deactivated') },
      changedSince: 'account',
    })
    // A takedown is moderation, not the author's choice: the ballot does not show what it removed.
    expect(byName.takendown!.post).toBeNull()
  })

  it('shows the public round page the post as it is now: a deletion is honoured there', async () => {
    const page = await loadRoundPage(database, urls, roundId)
    if (page?.kind !== 'open') throw new Error('the round is voting')
    const shown = new Map(page.sampled!.map((p) => [p.postUri, p.post?.text ?? null]))
    expect(shown.get(uriOf('deleted'))).toBeNull()
    expect(shown.get(uriOf('rewritten'))).toBe('Harmless new words.')
    expect(shown.get(uriOf('kept'))).toBe(original('kept'))
  })

  it('drops the copies once the round settles', async () => {
    const copies = () =>
      database.sql<{ n: number }[]>`select count(*)::int as n from market_post_copy`.then((r) => r[0]!.n)
    expect(await copies()).toBe(NAMES.length)
    await closeRound(database, { roundId, now: new Date(Date.now() + 2 * HOUR) })
    await settleRound(database, { roundId, now: new Date(Date.now() + 2 * HOUR) })
    expect(await copies()).toBe(0)
  })
})
