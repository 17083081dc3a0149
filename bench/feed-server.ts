/**
 * The two servers `bench/feed.ts` compares, one per process:
 * - `bare`: node:http answering a fixed 30-item skeleton from memory — the ceiling for this machine.
 * - `curia`: Curia's own feed generator over a ranked snapshot loaded from PostgreSQL.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { openDatabase } from '@curia/db'
import { createServiceAuthVerifier, createViewerIdResolver } from '@curia/curation/feed/auth'
import { createExposureRecorder } from '@curia/curation/feed/exposure'
import { startFeedServer } from '@curia/curation/feed/server'
import { createSnapshotStore } from '@curia/curation/feed/snapshot-store'

const [mode, feedUri = 'at://did:web:bench/app.bsky.feed.generator/curia'] = process.argv.slice(2)

if (mode === 'bare') {
  const body = JSON.stringify({
    cursor: '1:30',
    feed: Array.from({ length: 30 }, (_, i) => ({
      post: `at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3l${String(i).padStart(11, '0')}`,
      feedContext: `s1r${i}`,
    })),
  })
  const server = createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    })
    res.end(body)
  }).listen(0, '127.0.0.1', () => console.log(`ready ${(server.address() as AddressInfo).port}`))
  process.on('SIGTERM', () => process.exit(0))
} else if (mode === 'curia') {
  const database = await openDatabase({ url: process.env.DATABASE_URL, migrate: false, max: 4 })
  const exposure = createExposureRecorder(database)
  const store = createSnapshotStore(database, { feed: 'curia', refreshMs: 5_000, onServe: exposure.record })
  await store.refresh()
  const server = await startFeedServer({
    store,
    verifier: createServiceAuthVerifier({
      serviceDid: 'did:web:bench',
      idResolver: createViewerIdResolver({ plcUrl: 'http://127.0.0.1:1', allowHttp: true }),
    }),
    serviceDid: 'did:web:bench',
    publicUrl: 'http://127.0.0.1',
    feedUris: [feedUri],
    port: 0,
    host: '127.0.0.1',
  })
  console.log(`ready ${server.port}`)
  process.on('SIGTERM', () => {
    void server
      .close()
      .then(() => database.close())
      .then(() => process.exit(0))
  })
} else {
  console.error('usage: feed-server.ts bare|curia [feedUri]')
  process.exit(2)
}
