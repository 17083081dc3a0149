/**
 * Boots the real stack once for every spec: a local AT Protocol network (PLC + PDS), the Jetstream-protocol relay
 * over its firehose, and Curia's launcher (`scripts/curia.ts`: indexer + ranker + feed generator, and `next start`
 * for the reader's page) on a fresh database, all on free loopback ports. Returns the teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { openDatabase } from '@curia/db'
import { createAccount, makePost, startJetstreamRelay, startNetwork } from '@curia/devnet'
import { freePorts, stopProcess, tail } from './processes'
import { publishStack } from './stack'

const root = resolve(import.meta.dirname, '../..')
/** The first run builds the Next.js app (about a minute on a small machine); later runs reuse the build. */
const BOOT_TIMEOUT_MS = 300_000

type Cleanup = () => Promise<void>

export default async function globalSetup(): Promise<Cleanup> {
  const tmp = join(root, 'e2e', '.tmp')
  mkdirSync(tmp, { recursive: true })
  const runDir = mkdtempSync(join(tmp, 'run-'))
  // The PDS keeps its SQLite files and blobs under the temp folder: keep them in this run's folder.
  process.env.TMPDIR = runDir

  const logPath = join(runDir, 'curia.log')
  const cleanups: Cleanup[] = []
  const teardown = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err: unknown) => console.error('e2e teardown:', err))
    }
    // Keep the launcher's log beside the test results (indexer skips, ranker runs, Next.js errors).
    mkdirSync(join(root, 'e2e', 'test-results'), { recursive: true })
    if (existsSync(logPath)) copyFileSync(logPath, join(root, 'e2e', 'test-results', 'curia.log'))
    rmSync(runDir, { recursive: true, force: true })
  }

  try {
    const net = await startNetwork()
    cleanups.push(() => net.close())
    const relay = await startJetstreamRelay({ pdsUrl: net.pdsUrl, idResolver: net.idResolver })
    cleanups.push(() => relay.close())

    // An account the web app treats as an operator (the /operator page), made before Curia starts.
    const operator = await createAccount(net.pdsUrl, `op${randomBytes(4).toString('hex')}`)
    const database = await freshDatabase()
    cleanups.push(database.drop)

    const [webPort, feedPort, statusPort] = await freePorts(3)
    const webUrl = `http://127.0.0.1:${webPort}`
    const feedUrl = `http://127.0.0.1:${feedPort}`
    const launcher = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'curia.ts')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        TMPDIR: runDir,
        DATABASE_URL: database.url,
        CURIA_DATA_DIR: join(runDir, 'data'),
        CURIA_WEB_MODE: 'start',
        CURIA_WEB_PORT: String(webPort),
        CURIA_FEED_PORT: String(feedPort),
        CURIA_INDEXER_STATUS_PORT: String(statusPort),
        CURIA_INDEXER_SOURCE: 'jetstream',
        CURIA_JETSTREAM_URL: relay.url,
        CURIA_PLC_URL: net.plcUrl,
        CURIA_INDEXER_FLUSH_MS: '50',
        // Every post on the local network is a candidate and ranked at once, so a spec sees its posts quickly.
        CURIA_CANDIDATE_LANGS: '*',
        CURIA_CANDIDATE_ALLOW_UNKNOWN_LANG: 'true',
        CURIA_MARKET_MIN_ENGAGEMENT: '0',
        CURIA_RANK_INTERVAL_MS: '500',
        CURIA_SNAPSHOT_REFRESH_MS: '500',
        CURIA_BLOB_URL_TEMPLATE: `${net.pdsUrl}/xrpc/com.atproto.sync.getBlob?did={did}&cid={cid}`,
        // Sign-in: the web app is a loopback OAuth client of the local PDS (whose handles, `.test`, only the PDS
        // itself resolves); posts opened by link are fetched from that PDS.
        CURIA_PUBLIC_URL: webUrl,
        CURIA_OAUTH_HANDLE_RESOLVER: net.pdsUrl,
        CURIA_RECORD_SOURCE_URL: net.pdsUrl,
        // The jury spec opens, freezes, reveals and closes its rounds through the services (e2e/src/jury.ts): the
        // launcher's worker, on its daily cadence, would hold round 1 open for the whole run.
        CURIA_JURY_ENABLED: 'false',
        CURIA_OPERATOR_DIDS: operator.did,
        // As in production behind one reverse proxy: the exposure spec's requests play that proxy, appending the
        // reader's address to X-Forwarded-For. A request without the header is Next's own socket address.
        CURIA_TRUSTED_PROXY_HOPS: '1',
      },
    })
    const log = createWriteStream(logPath)
    launcher.stdout.pipe(log)
    launcher.stderr.pipe(log)
    cleanups.push(() => stopProcess(launcher))

    await waitForHealth([`${webUrl}/api/feed?limit=1`, `${feedUrl}/xrpc/_health`], launcher, logPath)
    await waitForPipeline(net.pdsUrl, webUrl, launcher, logPath)
    publishStack({
      webUrl,
      feedUrl,
      pdsUrl: net.pdsUrl,
      plcUrl: net.plcUrl,
      relayUrl: relay.url,
      operatorHandle: operator.handle,
    })
    return teardown
  } catch (err) {
    await teardown()
    throw err
  }
}

/**
 * A database no earlier run has touched. On the PostgreSQL named by DATABASE_URL (as CI runs): a new database,
 * dropped afterwards. Otherwise an empty string, which makes the launcher start embedded PGlite in this run's
 * data folder.
 */
async function freshDatabase(): Promise<{ url: string; drop: Cleanup }> {
  const serverUrl = process.env.DATABASE_URL
  if (!serverUrl) return { url: '', drop: async () => {} }
  const name = `curia_e2e_${randomBytes(6).toString('hex')}`
  const admin = await openDatabase({ url: serverUrl, migrate: false, max: 1 })
  await admin.sql.unsafe(`create database ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      await admin.sql.unsafe(`drop database if exists ${name} with (force)`)
      await admin.close()
    },
  }
}

async function waitForHealth(urls: string[], launcher: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + BOOT_TIMEOUT_MS
  for (const url of urls) {
    for (;;) {
      if (launcher.exitCode !== null) {
        throw new Error(`The launcher exited (${launcher.exitCode}) while starting:\n${tail(logPath)}`)
      }
      const ok = await fetch(url)
        .then((res) => res.ok)
        .catch(() => false)
      if (ok) break
      if (Date.now() > deadline) throw new Error(`${url} did not become healthy:\n${tail(logPath)}`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }
}

/**
 * Healthy servers are not yet a working pipeline. One canary post must travel PDS -> relay -> indexer -> ranker ->
 * snapshot -> /api/feed before any spec runs: when it does not, every spec would fail the same way, so the run stops
 * here with the launcher's log (indexer skips, ranker errors) instead.
 */
async function waitForPipeline(pdsUrl: string, webUrl: string, launcher: ChildProcess, logPath: string) {
  const canary = await createAccount(pdsUrl, `e2ecanary${randomBytes(3).toString('hex')}`)
  const { uri } = await makePost(canary, { text: 'Canary: the pipeline is live' })
  const deadline = Date.now() + 60_000
  for (;;) {
    if (launcher.exitCode !== null)
      throw new Error(`The launcher exited (${launcher.exitCode}):\n${tail(logPath)}`)
    const res = await fetch(`${webUrl}/api/feed?limit=50`).catch(() => undefined)
    const body = res?.ok ? ((await res.json()) as { posts: { uri: string }[] }) : undefined
    if (body?.posts.some((p) => p.uri === uri)) return
    if (Date.now() > deadline) {
      throw new Error(
        `A post made on the PDS never reached /api/feed (indexer, ranker or snapshot):\n${tail(logPath)}`,
      )
    }
    await new Promise((r) => setTimeout(r, 500))
  }
}
