/**
 * Fills a database with sample posts and one ranked snapshot so the reader's page can be looked at without the
 * indexer, the ranker or a network: varied content (emoji before links, mentions, tags, 1-4 images with alt text,
 * a link card, a quote, a reply) and hostile records (markup in text, a `javascript:` facet, out-of-range and
 * overlapping facets, a lying createdAt).
 *
 *   CURIA_DATA_DIR=/tmp/curia-dev npx tsx web/scripts/seed-dev.ts [--blob-origin http://127.0.0.1:4999]
 *
 * Pair it with scripts/dev-blob-server.ts for images, and start web with
 * CURIA_BLOB_URL_TEMPLATE=http://127.0.0.1:4999/{did}/{cid}.
 */
import { join } from 'node:path'
import { author, openDatabase, post, type PostEmbed, type PostFacet } from '@curia/db'
import { getWebConfig } from '../server/config'

const config = getWebConfig()
const enc = new TextEncoder()
const span = (text: string, needle: string) => {
  const at = text.indexOf(needle)
  const byteStart = enc.encode(text.slice(0, at)).length
  return { byteStart, byteEnd: byteStart + enc.encode(needle).length }
}
const cid = (n: number) => `bafkreidevseed${String(n).padStart(6, '0')}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`

const authors = [
  {
    did: 'did:plc:devalice00000000000000000',
    handle: 'alice.bsky.social',
    displayName: 'Alice Lindqvist',
    avatar: 1,
  },
  { did: 'did:plc:devbob0000000000000000000', handle: 'bob.builds.things', displayName: 'Bob 🛠️', avatar: 2 },
  { did: 'did:plc:devcarol00000000000000000', handle: 'carol.science', displayName: null, avatar: 3 },
  {
    did: 'did:plc:devdave000000000000000000',
    handle: 'dave-with-a-very-long-handle-indeed.example.com',
    displayName: 'Dave Okonkwo-Harrington the Third',
    avatar: null,
  },
  {
    did: 'did:plc:devmallory000000000000000',
    handle: 'mallory.test',
    displayName: '<script>alert("name")</script>',
    avatar: null,
  },
] as const

type Seed = {
  by: number
  text: string
  facets?: PostFacet[]
  embed?: PostEmbed
  replyParent?: string
  ageMin: number
  likes?: number
  reposts?: number
}

function samples(): Seed[] {
  const out: Seed[] = []
  const t1 =
    '🦋🌊 Tide tables for the whole coast, finally in one place: tides.example.org/coast — thanks @carol.science!'
  out.push({
    by: 0,
    ageMin: 3,
    likes: 128,
    reposts: 14,
    text: t1,
    facets: [
      { kind: 'link', uri: 'https://tides.example.org/coast', ...span(t1, 'tides.example.org/coast') },
      { kind: 'mention', did: authors[2].did, ...span(t1, '@carol.science') },
    ],
  })
  out.push({
    by: 1,
    ageMin: 17,
    likes: 1520,
    reposts: 230,
    text: 'Morning light over the workshop. Three new chairs, zero splinters (so far).',
    embed: {
      kind: 'images',
      images: [
        {
          cid: cid(101),
          alt: 'A woodworking bench in low sun, three unfinished oak chairs lined up against the wall.',
          aspectRatio: { width: 1600, height: 1067 },
        },
      ],
    },
  })
  const t3 = 'New preprint on coral spawning timing and lunar cycles #marinebio #science'
  out.push({
    by: 2,
    ageMin: 44,
    likes: 87,
    reposts: 31,
    text: t3,
    facets: [
      { kind: 'tag', tag: 'marinebio', ...span(t3, '#marinebio') },
      { kind: 'tag', tag: 'science', ...span(t3, '#science') },
    ],
    embed: {
      kind: 'external',
      uri: 'https://www.example.org/preprints/coral-lunar',
      title: 'Lunar cues synchronise coral spawning across reef systems',
      description: 'We analysed twelve years of spawning observations from 40 reefs and find that…',
      thumbCid: cid(201),
    },
  })
  const t4 =
    '<img src=x onerror=alert(1)> <script>alert("xss")</script> Totally normal post. Click here for prizes'
  out.push({
    by: 4,
    ageMin: 55,
    likes: 0,
    text: t4,
    facets: [
      { kind: 'link', uri: 'javascript:alert(document.cookie)', ...span(t4, 'Click here') },
      { kind: 'link', uri: 'https://ok.example', byteStart: 500, byteEnd: 900 },
      { kind: 'link', uri: 'https://normal.example', ...span(t4, 'Totally normal') },
      {
        kind: 'link',
        uri: 'https://overlap.example',
        byteStart: span(t4, 'normal post').byteStart,
        byteEnd: span(t4, 'normal post').byteEnd,
      },
    ],
  })
  out.push({
    by: 3,
    ageMin: 70,
    likes: 3,
    text: 'Replying to say: the second photo is the best one. 📸',
    replyParent: `at://${authors[1].did}/app.bsky.feed.post/3kparentpost1`,
  })
  out.push({
    by: 0,
    ageMin: 95,
    likes: 41,
    reposts: 2,
    text: 'Two views from the ridge this morning.',
    embed: {
      kind: 'images',
      images: [
        {
          cid: cid(102),
          alt: 'Fog filling the valley below a pine ridge.',
          aspectRatio: { width: 1200, height: 1200 },
        },
        {
          cid: cid(103),
          alt: 'The same valley an hour later, fog burned off, a river visible.',
          aspectRatio: { width: 1200, height: 1200 },
        },
      ],
    },
  })
  out.push({
    by: 1,
    ageMin: 130,
    likes: 9,
    text: 'Quoting this because it is exactly right.',
    embed: { kind: 'record', uri: `at://${authors[2].did}/app.bsky.feed.post/3kquotedpost1` },
  })
  out.push({
    by: 2,
    ageMin: 180,
    likes: 260,
    reposts: 60,
    text: 'Field day! Samples from three sites:',
    embed: {
      kind: 'images',
      images: [
        { cid: cid(104), alt: 'Sample jars on a tailgate.' },
        { cid: cid(105), alt: '' },
        { cid: cid(106), alt: 'A muddy estuary at low tide.' },
      ],
    },
  })
  out.push({
    by: 3,
    ageMin: 240,
    likes: 12,
    text: 'Board game night: four games, four winners.',
    embed: {
      kind: 'images',
      images: [1, 2, 3, 4].map((i) => ({ cid: cid(110 + i), alt: `Game ${i} on the table.` })),
    },
  })
  out.push({ by: 4, ageMin: 300, text: 'From the future 🤖', likes: 1 })
  for (let i = 0; i < 36; i++) {
    const by = i % 4
    out.push({
      by,
      ageMin: 320 + i * 47,
      likes: (i * 37) % 90,
      reposts: (i * 11) % 9,
      text:
        i % 3 === 0
          ? `Thread ${i + 1}/… on why small, boring tools outlast clever ones. Worth a read if you maintain anything for more than a year.`
          : `Sample post number ${i + 1}. ${'Short and sweet.'.repeat(1 + (i % 3))}`,
    })
  }
  return out
}

const database = await openDatabase({ url: config.databaseUrl, dataDir: join(config.dataDir, 'pglite') })
try {
  await database.db
    .insert(author)
    .values(
      authors.map((a) => ({
        did: a.did,
        handle: a.handle,
        displayName: a.displayName,
        avatarCid: a.avatar ? cid(a.avatar) : null,
      })),
    )
    .onConflictDoNothing()
  const now = Date.now()
  const rows = samples().map((s, i) => ({
    uri: `at://${authors[s.by]!.did}/app.bsky.feed.post/3kdev${now.toString(36)}${i}`,
    cid: cid(1000 + i),
    authorDid: authors[s.by]!.did,
    text: s.text,
    facets: s.facets ?? [],
    embed: s.embed ?? null,
    replyParent: s.replyParent ?? null,
    quoteUri: s.embed?.kind === 'record' ? s.embed.uri : null,
    createdAt: new Date(
      s.text.startsWith('From the future') ? now + 90 * 86_400_000 : now - s.ageMin * 60_000,
    ),
    likeCount: s.likes ?? 0,
    repostCount: s.reposts ?? 0,
  }))
  const inserted = await database.db.insert(post).values(rows).returning({ id: post.id })
  const ids = inserted.map((r) => String(r.id))
  await database.sql`
    insert into feed_snapshot (feed, ranking, post_ids, scores)
    values (${config.feedRkey}, 'dev-seed', ${database.sql.array(ids)}::bigint[],
            ${database.sql.array(ids.map((_, i) => String(1 / (i + 1))))}::real[])`
  console.log(`seeded ${ids.length} posts and a snapshot for feed "${config.feedRkey}" in ${database.url}`)
} finally {
  await database.close()
}
