/**
 * getFeedSkeleton throughput and latency at concurrency 50 over 100,000 ranked posts, beside a bare node:http
 * server answering a fixed 30-item skeleton from memory, measured in the same run.
 *
 *   npm run bench:feed        (DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/postgres)
 *
 * Targets (issue #2): at least 0.5x the bare server's rate, p99 under 25 ms.
 */
import autocannon from 'autocannon'
import { openDatabase } from '@curia/db'
import { rankFeed } from '@curia/curation/service/rank-feed'
import { createBenchDatabase, ratio, spawnReady, table } from './lib'

const POSTS = Number(process.env.BENCH_POSTS ?? 100_000)
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10)
const CONNECTIONS = 50
const FEED = 'at://did:web:bench/app.bsky.feed.generator/curia'

async function load(port: number, paths: string[]) {
  let i = 0
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }),
      },
    ],
  })
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`)
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
  }
}

const bench = await createBenchDatabase()
try {
  const database = await openDatabase({ url: bench.url, max: 4 })
  console.log(`seeding ${POSTS.toLocaleString()} posts and ranking them...`)
  const now = Date.now()
  for (let start = 0; start < POSTS; start += 10_000) {
    const n = Math.min(10_000, POSTS - start)
    const idx = Array.from({ length: n }, (_, k) => start + k)
    const { sql } = database
    await sql`
      insert into post (uri, cid, author_did, text, created_at, like_count, repost_count)
      select * from unnest(
        ${sql.array(idx.map((k) => `at://did:plc:bench${k % 997}/app.bsky.feed.post/${k}`))}::text[],
        ${sql.array(idx.map((k) => `bafy${k}`))}::text[],
        ${sql.array(idx.map((k) => `did:plc:bench${k % 997}`))}::text[],
        ${sql.array(idx.map((k) => `post ${k}`))}::text[],
        ${sql.array(idx.map((k) => new Date(now - (k % 86_400) * 1000).toISOString()))}::timestamptz[],
        ${sql.array(idx.map((k) => (k * 7919) % 500))}::int[],
        ${sql.array(idx.map((k) => (k * 104729) % 50))}::int[])`
  }
  // One market per post with a spread of prices and trader counts (seeded as rows: the bench measures serving).
  await database.sql`
    insert into market (post_uri, liquidity_micro, subsidy_micro, opened_at, closes_at, q_yes_micro, q_no_micro,
                        trade_count, trader_count)
    select uri, 100000000, 69314719, created_at, created_at + interval '48 hours',
           (id * 7919 % 300) * 1000000, (id * 104729 % 300) * 1000000, (id % 12)::int, (id % 9)::int
    from post`
  const t0 = performance.now()
  const ranked = await rankFeed(database, {
    feed: 'curia',
    nowMs: now,
    params: {
      halfLifeMs: 6 * 3_600_000,
      windowMs: 48 * 3_600_000,
      minTraders: 3,
      priorPrice: 0.5,
      explorationShare: 0.2,
      explorationMaxTrades: 3,
    },
    depth: POSTS,
    seed: 1,
  })
  const rankMs = performance.now() - t0
  await database.close()

  // Readers page from the top and deep into the snapshot: cursors spread over all 100k positions.
  const paths = Array.from({ length: 2_000 }, (_, k) => {
    const base = `/xrpc/app.bsky.feed.getFeedSkeleton?feed=${encodeURIComponent(FEED)}&limit=30`
    return k % 4 === 0 ? base : `${base}&cursor=${ranked.snapshotId}:${(k * 4_999) % (POSTS - 30)}`
  })

  const bare = await spawnReady('bench/feed-server.ts', ['bare'])
  await load(bare.port, ['/warmup']) // warm up JIT and sockets
  const bareResult = await load(bare.port, ['/xrpc/app.bsky.feed.getFeedSkeleton'])
  await bare.stop()

  const curia = await spawnReady('bench/feed-server.ts', ['curia', FEED], { DATABASE_URL: bench.url })
  await load(curia.port, paths)
  const curiaResult = await load(curia.port, paths)
  await curia.stop()

  console.log(`\nranked ${ranked.ranked.toLocaleString()} posts into one snapshot in ${rankMs.toFixed(0)} ms`)
  console.log(`getFeedSkeleton, concurrency ${CONNECTIONS}, ${DURATION_S} s each, limit 30\n`)
  console.log(
    table([
      ['server', 'req/s', 'p50 ms', 'p99 ms', 'vs bare'],
      ['bare node:http, fixed skeleton', bareResult.rps.toFixed(0), bareResult.p50, bareResult.p99, '1.00x'],
      [
        'curia feed generator',
        curiaResult.rps.toFixed(0),
        curiaResult.p50,
        curiaResult.p99,
        ratio(curiaResult.rps, bareResult.rps),
      ],
    ]),
  )
  console.log(
    `\ntargets: >= 0.50x bare (${ratio(curiaResult.rps, bareResult.rps)}), p99 < 25 ms (${curiaResult.p99} ms)`,
  )
} finally {
  await bench.drop()
}
