/**
 * Ingest throughput: N Jetstream-shaped post-create events (JSON strings, as they arrive off the socket) pushed
 * through the indexer's real path (parse -> candidate check -> lexicon validation -> map -> coalesced batch write
 * with the cursor, one transaction per batch), beside a raw COPY of the same rows into an identical table, measured
 * in the same run against the same server.
 *
 *   npm run bench:ingest      (DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_EVENTS=200000 BENCH_BATCH=1000 npx tsx bench/ingest.ts
 *
 * Targets: at least 20,000 events/s and at least 0.5x COPY.
 */
import { readFileSync } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
import postgres from 'postgres'
import { DEFAULT_CANDIDATE_POLICY } from '@curia/curation/candidate'
import { applyMigrations, openDatabase } from '@curia/db'
import { parseIndexerConfig } from '@curia/indexer/config'
import { startIndexer } from '@curia/indexer/indexer'
import { mapEvent } from '@curia/indexer/records/index'
import type { Collection, PostRow } from '@curia/curation/records/types'
import { parseJetstreamFrame } from '@curia/indexer/source/jetstream'
import type { EventSource, SourceSink, SourceStatus } from '@curia/indexer/source/types'
import { createBenchDatabase, ratio, table } from './lib'

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000)
const BATCH = process.env.BENCH_BATCH ?? '1000'
const CID = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'
const BLOB = {
  $type: 'blob',
  ref: { $link: 'bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy' },
  mimeType: 'image/jpeg',
  size: 91_234,
}
const WORDS =
  'the quick brown fox jumps over a lazy dog while curia ranks what the jury endorses and markets forecast'.split(
    ' ',
  )

/** A varied, realistic mix: plain text, links and tags (facets), images with alt text, link cards, quotes. */
function frame(i: number, startUs: number): string {
  const did = `did:plc:${(i % 5_000).toString(36).padStart(24, 'a')}`
  const words = Array.from({ length: 8 + (i % 30) }, (_, k) => WORDS[(i * 7 + k * 13) % WORDS.length]).join(
    ' ',
  )
  const text = i % 3 === 0 ? `${words} https://example.com/${i} #curia` : words
  const record: Record<string, unknown> = {
    $type: 'app.bsky.feed.post',
    text,
    langs: i % 10 === 0 ? ['en', 'en-GB'] : ['en'],
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * 10).toISOString(),
  }
  if (i % 3 === 0) {
    const link = Buffer.byteLength(`${words} `)
    const linkEnd = link + Buffer.byteLength(`https://example.com/${i}`)
    record.facets = [
      {
        index: { byteStart: link, byteEnd: linkEnd },
        features: [{ $type: 'app.bsky.richtext.facet#link', uri: `https://example.com/${i}` }],
      },
      {
        index: { byteStart: linkEnd + 1, byteEnd: linkEnd + 7 },
        features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'curia' }],
      },
    ]
  }
  if (i % 5 === 1) {
    record.embed = {
      $type: 'app.bsky.embed.images',
      images: [
        { image: BLOB, alt: `photo ${i}: ${words.slice(0, 60)}`, aspectRatio: { width: 1200, height: 800 } },
      ],
    }
  } else if (i % 10 === 2) {
    record.embed = {
      $type: 'app.bsky.embed.external',
      external: { uri: `https://news.example/${i}`, title: `Story ${i}`, description: words, thumb: BLOB },
    }
  } else if (i % 20 === 3) {
    record.embed = {
      $type: 'app.bsky.embed.record',
      record: { uri: `at://${did}/app.bsky.feed.post/q${i}`, cid: CID },
    }
  }
  return JSON.stringify({
    did,
    time_us: startUs + i,
    kind: 'commit',
    commit: {
      rev: `3l${i}`,
      operation: 'create',
      collection: 'app.bsky.feed.post',
      rkey: `3k${i.toString(36)}`,
      record,
      cid: CID,
    },
  })
}

/**
 * Plays frames as fast as the indexer takes them: parses each with the Jetstream source's own parser and honours
 * pause/resume exactly as the socket would (yielding to the event loop between chunks so writes progress).
 */
function framesSource(frames: string[]): EventSource & { done: Promise<void> } {
  let sink: SourceSink | undefined
  let paused = false
  let next = 0
  let resumeWaiter: (() => void) | undefined
  let finish!: () => void
  const done = new Promise<void>((resolve) => (finish = resolve))
  const play = async () => {
    while (next < frames.length) {
      if (paused) await new Promise<void>((resolve) => (resumeWaiter = resolve))
      const end = Math.min(frames.length, next + 64)
      for (; next < end; next++) sink?.onEvent(parseJetstreamFrame(frames[next]!))
      await new Promise((resolve) => setImmediate(resolve))
    }
    finish()
  }
  return {
    cursorKey: 'bench',
    done,
    start(_cursor, s) {
      sink = s
      void play()
    },
    pause: () => (paused = true),
    resume() {
      paused = false
      resumeWaiter?.()
      resumeWaiter = undefined
    },
    stop: () => Promise.resolve(),
    status: (): SourceStatus => ({
      kind: 'jetstream',
      url: 'bench://frames',
      connected: true,
      reconnects: 0,
      paused,
      resumeCursor: undefined,
    }),
  }
}

/** CPU milliseconds a local Postgres backend has used (Linux /proc), or undefined where that cannot be read. */
function backendCpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10 // utime + stime, in 10 ms clock ticks
  } catch {
    return undefined
  }
}

const nodeCpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1000
}

function copyField(value: string | null): string {
  if (value === null) return '\\N'
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
}

function copyLine(r: PostRow): string {
  return (
    [
      r.uri,
      r.cid,
      r.authorDid,
      r.text,
      `{${r.langs.join(',')}}`,
      JSON.stringify(r.facets),
      r.embed === null ? null : JSON.stringify(r.embed),
      r.replyRoot,
      r.replyParent,
      r.quoteUri,
      r.createdAt,
    ]
      .map(copyField)
      .join('\t') + '\n'
  )
}

const bench = await createBenchDatabase()
try {
  await applyMigrations(bench.url)
  const database = await openDatabase({ url: bench.url, migrate: false, max: 4 })
  await database.sql`create table post_copy (like post including all)`

  const startUs = Date.now() * 1000
  const frames = Array.from({ length: EVENTS }, (_, i) => frame(i, startUs))
  const bytes = frames.reduce((n, f) => n + f.length, 0)
  console.log(
    `${EVENTS} post-create frames, ${(bytes / EVENTS).toFixed(0)} bytes each on average; batch ${BATCH}`,
  )

  // CPU alone (no database): what parse + validate + map costs per event on this machine.
  const policy = DEFAULT_CANDIDATE_POLICY
  const collections = new Set<Collection>(['app.bsky.feed.post'])
  const rows: PostRow[] = []
  let t = performance.now()
  let cpu = process.cpuUsage()
  for (const f of frames) {
    const event = parseJetstreamFrame(f)
    if (event.kind !== 'commit') throw new Error(`bench frame did not parse: ${JSON.stringify(event)}`)
    const result = mapEvent(event, policy, collections)
    if (result.kind !== 'op' || result.op.op !== 'post_upsert')
      throw new Error(`bench frame did not map: ${JSON.stringify(result)}`)
    rows.push(result.op.row)
  }
  const cpuMs = performance.now() - t
  const cpuNodeMs = nodeCpuMs(cpu)

  // Baseline: COPY of the very rows the indexer writes, into an identical table.
  const copier = postgres(bench.url, { max: 1, onnotice: () => {} })
  const [copyBackend] = await copier<{ pid: number }[]>`select pg_backend_pid() as pid`
  const copyPgBefore = backendCpuMs(copyBackend!.pid)
  cpu = process.cpuUsage()
  t = performance.now()
  const writable = await copier`
    copy post_copy (uri, cid, author_did, text, langs, facets, embed, reply_root, reply_parent, quote_uri, created_at)
    from stdin`.writable()
  await pipeline(
    Readable.from(
      (function* () {
        for (let i = 0; i < rows.length; i += 1000)
          yield rows
            .slice(i, i + 1000)
            .map(copyLine)
            .join('')
      })(),
    ),
    writable,
  )
  const copyMs = performance.now() - t
  const copyNodeMs = nodeCpuMs(cpu)
  const copyPgAfter = backendCpuMs(copyBackend!.pid)
  const copyPgMs =
    copyPgBefore === undefined || copyPgAfter === undefined ? undefined : copyPgAfter - copyPgBefore
  await copier.end()

  // The indexer, end to end.
  const config = parseIndexerConfig({ CURIA_INDEXER_BATCH_SIZE: BATCH, CURIA_INDEXER_FLUSH_MS: '50' })
  const source = framesSource(frames)
  const silent = {
    info: () => {},
    warn: (m: string) => console.warn(m),
    error: (m: string) => console.error(m),
  }
  cpu = process.cpuUsage()
  t = performance.now()
  const indexer = await startIndexer({
    database,
    config,
    source,
    log: silent,
    reportIntervalMs: 3_600_000,
    connectionName: 'curia-bench-writer',
  })
  await source.done
  // Read the write connection's CPU before stop() closes it: everything is committed once nothing is pending.
  while (indexer.status().pendingEvents > 0) await new Promise((resolve) => setTimeout(resolve, 5))
  const indexMs = performance.now() - t
  const indexNodeMs = nodeCpuMs(cpu)
  const [writer] = await database.sql<{ pid: number }[]>`
    select pid from pg_stat_activity where application_name = 'curia-bench-writer'`
  const indexPgMs = writer ? backendCpuMs(writer.pid) : undefined
  await indexer.stop()
  const status = indexer.status()

  const [counts] = await database.sql<{ post: number; copied: number; cursor: string }[]>`
    select (select count(*)::int from post) as post, (select count(*)::int from post_copy) as copied,
           (select cursor::text from indexer_cursor where source = 'bench') as cursor`
  if (counts?.post !== EVENTS || counts.copied !== EVENTS || Number(counts.cursor) !== startUs + EVENTS - 1) {
    throw new Error(`row counts do not match: ${JSON.stringify(counts)}`)
  }

  const perSecond = (ms: number) => Math.round(EVENTS / (ms / 1000))
  const us = (ms: number | undefined) => (ms === undefined ? 'n/a' : ((ms * 1000) / EVENTS).toFixed(1))
  console.log(
    '\n' +
      table([
        ['path', 'events/s', 'seconds', 'vs COPY', 'node CPU us/event', 'postgres CPU us/event'],
        [
          'parse + validate + map (CPU only)',
          perSecond(cpuMs),
          (cpuMs / 1000).toFixed(2),
          '',
          us(cpuNodeMs),
          '',
        ],
        [
          'COPY of the mapped rows',
          perSecond(copyMs),
          (copyMs / 1000).toFixed(2),
          '1.00x',
          us(copyNodeMs),
          us(copyPgMs),
        ],
        [
          'indexer, end to end',
          perSecond(indexMs),
          (indexMs / 1000).toFixed(2),
          ratio(copyMs, indexMs),
          us(indexNodeMs),
          us(indexPgMs),
        ],
      ]),
  )
  // Wall time depends on whatever else the machine runs; CPU per event does not. On a machine with cores to
  // spare, a path runs at about the pace of its busiest process.
  if (copyPgMs !== undefined && indexPgMs !== undefined) {
    const bound = (node: number, pg: number) => EVENTS / (Math.max(node, pg) / 1000)
    const copyBound = bound(copyNodeMs, copyPgMs)
    const indexBound = bound(indexNodeMs, indexPgMs)
    console.log(
      `\nCPU-bound pace (busiest process): COPY ${Math.round(copyBound)}/s, indexer ${Math.round(indexBound)}/s ` +
        `(${ratio(indexBound, copyBound)}); load average now ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`,
    )
  }
  console.log(
    `\n${status.totals.batches} batches committed; a write was in flight ${((status.totals.writeMs / indexMs) * 100).toFixed(0)}% of the time; targets: >= 20,000 events/s (${perSecond(indexMs) >= 20_000 ? 'met' : 'MISSED'}), ` +
      `>= 0.5x COPY (${copyMs / indexMs >= 0.5 ? 'met' : 'MISSED'})`,
  )
  await database.close()
} finally {
  await bench.drop()
}
