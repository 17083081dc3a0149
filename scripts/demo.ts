/**
 * `npm run demo`: the whole flow with no internet. Boots a local AT Protocol network (PLC + PDS), a relay that
 * re-emits its firehose in Jetstream's protocol, simulated accounts that post, like, repost and delete on a
 * schedule, and Curia (`scripts/curia.ts`) pointed at all of it on a fresh embedded database in data/demo.
 */
import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { openDatabase } from '@curia/db'
import { parseJuryConfig } from '@curia/curation/service/jury-config'
import { createAccount, startJetstreamRelay, startNetwork, startSimulation } from '@curia/devnet'
import { startDemoCurators } from './demo-curators'
import { startDemoJurors } from './demo-jurors'

const root = resolve(import.meta.dirname, '..')
const env = z
  .object({
    CURIA_DEMO_ACCOUNTS: z.coerce.number().int().min(2).max(200).default(8),
    CURIA_DEMO_INTERVAL_MS: z.coerce.number().int().min(50).default(1_500),
    CURIA_DEMO_SEED: z.coerce.number().int().default(1),
    CURIA_DATA_DIR: z.string().default(join(root, 'data', 'demo')),
    CURIA_WEB_PORT: z.coerce.number().int().default(3000),
    CURIA_WEB_MODE: z.string().default('start'),
    CURIA_INDEXER_STATUS_PORT: z.coerce.number().int().default(3002),
  })
  .parse(process.env)

const log = (line: string) => console.log(`${new Date().toISOString().slice(11, 19)} demo: ${line}`)
process.env.TMPDIR ??= join(root, '.tmp')

// A new network has new DIDs: start from an empty index every time.
rmSync(env.CURIA_DATA_DIR, { recursive: true, force: true })

log('booting a local AT Protocol network (PLC + PDS)...')
const net = await startNetwork()
const relay = await startJetstreamRelay({ pdsUrl: net.pdsUrl, idResolver: net.idResolver })
log(`PDS ${net.pdsUrl}, PLC ${net.plcUrl}, Jetstream relay ${relay.url}`)

// Rounds within minutes, so the demo shows a round closing and settling. The demo runs the jury's worker itself, after
// its jurors enroll: a round freezes its group's root when it opens, so a round opened by the Curia process at boot
// (before anyone has enrolled) could take no ballots and would void everything it sampled.
const juryEnv = {
  CURIA_JURY_CADENCE_MINUTES: process.env.CURIA_JURY_CADENCE_MINUTES ?? '3',
  CURIA_JURY_VOTING_MINUTES: process.env.CURIA_JURY_VOTING_MINUTES ?? '2',
  CURIA_JURY_P_MIN: process.env.CURIA_JURY_P_MIN ?? '0.5',
  CURIA_JURY_QUORUM: process.env.CURIA_JURY_QUORUM ?? '2',
  CURIA_JURY_POLL_SECONDS: process.env.CURIA_JURY_POLL_SECONDS ?? '1',
}

// The operator (the /operator page: the invite tree, the allowlist): an account of its own, made before Curia starts
// because the web app reads CURIA_OPERATOR_DIDS once.
const operator = await createAccount(net.pdsUrl, 'curia-operator')

const curia = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'curia.ts')], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    DATABASE_URL: '',
    CURIA_DATA_DIR: env.CURIA_DATA_DIR,
    CURIA_INDEXER_SOURCE: 'jetstream',
    CURIA_JETSTREAM_URL: relay.url,
    CURIA_PLC_URL: net.plcUrl,
    CURIA_CANDIDATE_LANGS: '*',
    CURIA_CANDIDATE_ALLOW_UNKNOWN_LANG: 'true',
    CURIA_MARKET_MIN_ENGAGEMENT: '0',
    CURIA_RANK_INTERVAL_MS: '3000',
    CURIA_SNAPSHOT_REFRESH_MS: '2000',
    CURIA_BLOB_URL_TEMPLATE: `${net.pdsUrl}/xrpc/com.atproto.sync.getBlob?did={did}&cid={cid}`,
    // Markets close within minutes, so the demo shows a round closing and settling: 2.4 minutes, inside the first
    // round's 3-minute window (a round judges the markets that closed in its window).
    CURIA_MARKET_WINDOW_HOURS: process.env.CURIA_MARKET_WINDOW_HOURS ?? '0.04',
    ...juryEnv,
    // The demo runs the jury's worker itself, once its jurors are enrolled (below).
    CURIA_JURY_ENABLED: 'false',
    // Sign-in with the simulated accounts' .test handles, and posts fetched for "open a market", resolve locally.
    CURIA_OAUTH_HANDLE_RESOLVER: net.pdsUrl,
    CURIA_RECORD_SOURCE_URL: net.pdsUrl,
    CURIA_OPERATOR_DIDS: operator.did,
  },
})

// Accounts are created (with their profiles and handles) only once Curia is listening, so it sees them all.
await waitForIndexer(`http://127.0.0.1:${env.CURIA_INDEXER_STATUS_PORT}/status`)
const sim = await startSimulation(net, {
  accounts: env.CURIA_DEMO_ACCOUNTS,
  intervalMs: env.CURIA_DEMO_INTERVAL_MS,
  seed: env.CURIA_DEMO_SEED,
  log,
})
log(`${sim.accounts.length} simulated accounts are posting, liking, reposting and deleting`)
const first = sim.accounts[0]
if (first)
  log(
    `sign in to the reader as ${first.handle} with the password ${first.password} (any simulated account works)`,
  )
log(`the operator's page, /operator, is for ${operator.handle} (password ${operator.password})`)

// The same accounts act as curators. The demo joins Curia's embedded database through the socket its owner
// (the Curia process) advertises in the data folder.
const database = await openDatabase({ dataDir: join(env.CURIA_DATA_DIR, 'pglite'), max: 2, migrate: false })
const curators = await startDemoCurators({
  database,
  dids: sim.accounts.map((a) => a.did),
  seed: env.CURIA_DEMO_SEED,
  intervalMs: env.CURIA_DEMO_INTERVAL_MS,
  log,
})
// The same accounts enroll as jurors (allowlist and invites) and vote with real proofs when a round is open.
const jurors = await startDemoJurors({
  database,
  dids: sim.accounts.map((a) => a.did),
  seed: env.CURIA_DEMO_SEED,
  log,
  rounds: parseJuryConfig({ ...process.env, ...juryEnv, CURIA_JURY_ENABLED: 'true' }),
  ...(env.CURIA_WEB_MODE === 'off' ? {} : { webUrl: `http://localhost:${env.CURIA_WEB_PORT}` }),
})

let stopping = false
async function stop(code: number) {
  if (stopping) return
  stopping = true
  log('stopping...')
  const exited = curia.exitCode === null ? new Promise((r) => curia.once('exit', r)) : Promise.resolve()
  await curators.stop()
  await jurors.stop()
  await database.close()
  curia.kill('SIGTERM')
  await sim.stop()
  await exited
  await relay.close()
  await net.close()
  process.exit(code)
}
curia.once('exit', (code) => {
  if (!stopping) {
    log(`Curia exited (${code}); stopping the demo`)
    void stop(1)
  }
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(0))

async function waitForIndexer(statusUrl: string): Promise<void> {
  for (;;) {
    if (curia.exitCode !== null) return
    try {
      const status = (await (await fetch(statusUrl)).json()) as { source?: { connected?: boolean } }
      if (status.source?.connected) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250))
  }
}
