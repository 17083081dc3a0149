/**
 * `npm start`: one process runs the indexer, the ranker and the feed generator on one database connection pool,
 * and supervises the Next.js web app as a child. With no DATABASE_URL the database is embedded PGlite in
 * `data/pglite`, served on a loopback socket that the web app connects to.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { openDatabase } from '@curia/db'
import { readCurationConfig, startCurationService } from '@curia/curation'
import { parseAnchorConfig } from '@curia/curation/chain/anchor-config'
import { connectChain } from '@curia/curation/chain/anchor'
import { parseAdmissionConfig } from '@curia/curation/admission/admission-config'
import { parseJuryConfig } from '@curia/curation/service/jury-config'
import { countMembersAt, getGroupHead } from '@curia/curation/service/jury-group'
import { startJuryWorker } from '@curia/curation/service/jury-jobs'
import { settleRound } from '@curia/curation/service/settlement'
import { readIndexerConfig, startIndexer, startStatusServer } from '@curia/indexer'

const root = resolve(import.meta.dirname, '..')
const webDir = join(root, 'web')

const env = z
  .object({
    DATABASE_URL: z.string().optional(),
    CURIA_DATA_DIR: z.string().default(join(root, 'data')),
    CURIA_WEB_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    /** `start` serves a production build (built on first run or when sources changed); `dev` runs next dev. */
    CURIA_WEB_MODE: z.enum(['start', 'dev', 'off']).default('start'),
  })
  .parse(process.env)

const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${line}`)

const database = await openDatabase({
  url: env.DATABASE_URL,
  dataDir: join(env.CURIA_DATA_DIR, 'pglite'),
  name: 'curia',
})
log(
  database.embedded
    ? `database: embedded PGlite in ${join(env.CURIA_DATA_DIR, 'pglite')} (set DATABASE_URL to use PostgreSQL)`
    : 'database: PostgreSQL from DATABASE_URL',
)

// The web app reads admission settings (invites, SIWE, the registry, CURIA_OPERATOR_DIDS) on its first request:
// read them here too, so a mistake stops the start instead of breaking every page.
parseAdmissionConfig(process.env)
const curationConfig = readCurationConfig()
const curation = await startCurationService({ database, config: curationConfig, log })
const indexerConfig = readIndexerConfig()
const indexer = await startIndexer({ database, config: indexerConfig })
const status = await startStatusServer({
  status: () => indexer.status(),
  port: indexerConfig.status.port,
  host: indexerConfig.status.host,
})

// The jury: rounds on a cadence through a Postgres-backed queue; each closed round is settled and, when a chain is
// configured (CURIA_ANCHOR_*), anchored: its export root at close (whether or not settlement succeeds) and, with
// the block beacon, its eligible commitment at freeze.
const juryConfig = parseJuryConfig(process.env)
const anchorConfig = parseAnchorConfig(process.env)
const anchor = anchorConfig
  ? { clients: await connectChain(anchorConfig), address: anchorConfig.address }
  : undefined
const jury = juryConfig.enabled
  ? await startJuryWorker({ database, config: juryConfig, log, settleRound, anchor })
  : undefined
if (jury) {
  // A new deployment has no jury: say how to start one (rounds with fewer jurors than the quorum void everything).
  const head = await getGroupHead(database)
  if ((await countMembersAt(database, head.version)) === 0) {
    log(
      'jury: no jurors yet. Admit verified humans with `npm run jury -- allow <did>` (they enroll on /jury) or ' +
        'hand out `npm run jury -- invite` codes',
    )
  }
}

let web: ChildProcess | undefined
let stopping = false
if (env.CURIA_WEB_MODE !== 'off') web = startWeb()

const feedUrl = `http://localhost:${curation.feedServer.port}`
if (!stopping)
  console.log(`
  Curia is running.
    Reader        http://localhost:${env.CURIA_WEB_PORT}${env.CURIA_WEB_MODE === 'off' ? '  (web disabled)' : ''}
    Feed          ${feedUrl}/xrpc/app.bsky.feed.getFeedSkeleton?feed=${encodeURIComponent(curationConfig.feed.uri)}
    Feed DID doc  ${feedUrl}/.well-known/did.json
    Indexer       ${status.url}
  Ctrl-C stops everything.
`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void shutdown(0))

/** Builds the web app when its build is stale, then starts it; undefined (and Curia stopping) if the build fails. */
function startWeb(): ChildProcess | undefined {
  const require = createRequire(join(webDir, 'package.json'))
  const nextBin = require.resolve('next/dist/bin/next')
  const childEnv = {
    // Next.js reports usage to Vercel unless told not to; Curia sends nothing anywhere its operator did not set up.
    NEXT_TELEMETRY_DISABLED: '1',
    ...process.env,
    DATABASE_URL: database.url,
    CURIA_DATA_DIR: env.CURIA_DATA_DIR,
  }
  if (env.CURIA_WEB_MODE === 'start' && isBuildStale()) {
    log('web: building the Next.js app (first run or sources changed; about a minute)...')
    const build = spawnSync(process.execPath, [nextBin, 'build'], {
      cwd: webDir,
      env: childEnv,
      stdio: 'inherit',
    })
    if (build.status !== 0) {
      log('web: build failed; see the output above')
      // Not the previous build: that would serve stale pages, and outlive this process.
      void shutdown(1)
      return undefined
    }
  }
  const child = spawn(process.execPath, [nextBin, env.CURIA_WEB_MODE, '-p', String(env.CURIA_WEB_PORT)], {
    cwd: webDir,
    env: childEnv,
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  child.once('exit', (code, signal) => {
    if (stopping) return
    log(`web: exited (${signal ?? code}); stopping Curia`)
    void shutdown(1)
  })
  return child
}

/** A build is stale when any source it was built from is newer than its BUILD_ID. */
function isBuildStale(): boolean {
  const buildId = join(webDir, '.next', 'BUILD_ID')
  if (!existsSync(buildId)) return true
  const builtAt = statSync(buildId).mtimeMs
  const sources = [
    'web/app',
    'web/components',
    'web/server',
    'web/lib',
    'web/workers',
    'curation/src',
    'db/src',
  ].map((d) => join(root, d))
  const files = ['web/next.config.ts', 'web/proxy.ts', 'web/package.json', 'web/postcss.config.mjs'].map(
    (f) => join(root, f),
  )
  const newest = (path: string): number => {
    if (!existsSync(path)) return 0
    const s = statSync(path)
    if (!s.isDirectory()) return s.mtimeMs
    return Math.max(s.mtimeMs, ...readdirSync(path).map((entry) => newest(join(path, entry))))
  }
  return [...sources, ...files].some((p) => newest(p) > builtAt)
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return
  stopping = true
  log('stopping...')
  const child = web
  const webExit =
    child && child.exitCode === null ? new Promise((r) => child.once('exit', r)) : Promise.resolve()
  child?.kill('SIGTERM')
  await Promise.allSettled([indexer.stop(), curation.stop(), status.close(), jury?.stop(), webExit])
  await database.close()
  process.exit(code)
}
