import { randomInt } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { TestNetwork, TestNetworkNoAppView, mockResolvers } from '@atproto/dev-env'
import { IdResolver } from '@atproto/identity'
import postgres from 'postgres'
import { DevnetError } from './errors'

/** A signed-in account on the local PDS. */
export type DevAccount = {
  did: string
  handle: string
  password: string
  /** Logged in against the PDS (AppView reads are proxied through it when the network has one). */
  agent: AtpAgent
}

export type DevNetwork = {
  plcUrl: string
  pdsUrl: string
  appViewUrl?: string
  appViewDid?: string
  /** Resolves the local PLC over plain http and `.test` handles against the local PDS. */
  idResolver: IdResolver
  createAccount(handle: string): Promise<DevAccount>
  /** Waits until the AppView has indexed everything the PDS emitted so far (no-op without an AppView). */
  settle(): Promise<void>
  network: TestNetwork | TestNetworkNoAppView
  close(): Promise<void>
}

export type StartNetworkOptions = {
  /** Boot the Bluesky AppView (and its ozone + bsync) too; needs PostgreSQL. */
  appView?: boolean
  /** Defaults to `DB_POSTGRES_URL`, then `DATABASE_URL`. */
  dbPostgresUrl?: string
  /**
   * Base name of the AppView's schemas (letters and `_` only: dev-env rejects digits). It creates `appview_<schema>`,
   * `ozone_<schema>` and `bsync_<schema>`; close() drops all three. Defaults to a random name.
   */
  schema?: string
}

/**
 * A new folder for one network's files under os.tmpdir(). TMPDIR may name a folder that does not exist yet (the
 * demo points it at the checkout's gitignored .tmp, absent from a fresh clone): it is made first.
 */
async function ownDataDir(): Promise<string> {
  await mkdir(tmpdir(), { recursive: true })
  return mkdtemp(join(tmpdir(), 'curia-devnet-'))
}

/** Boots PLC + PDS (and with `appView: true` the AppView) on free localhost ports. */
export async function startNetwork(opts: StartNetworkOptions = {}): Promise<DevNetwork> {
  return opts.appView ? startWithAppView(opts) : startWithoutAppView()
}

async function startWithoutAppView(): Promise<DevNetwork> {
  // dev-env writes the PDS's SQLite files and blobs under os.tmpdir() and never removes them: give it a folder of
  // our own and delete it on close.
  const dataDir = await ownDataDir()
  let network: TestNetworkNoAppView
  try {
    network = await TestNetworkNoAppView.create({
      pds: { dataDirectory: dataDir, blobstoreDiskLocation: join(dataDir, 'blobs') },
    })
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true })
    throw err
  }
  return wrap(network, {
    settle: () => network.processAll(),
    close: async () => {
      try {
        await network.close()
      } finally {
        await rm(dataDir, { recursive: true, force: true })
      }
    },
  })
}

async function startWithAppView(opts: StartNetworkOptions): Promise<DevNetwork> {
  const dbPostgresUrl = opts.dbPostgresUrl ?? process.env.DB_POSTGRES_URL ?? process.env.DATABASE_URL
  if (!dbPostgresUrl) {
    throw new DevnetError(
      'missing_postgres',
      'startNetwork({ appView: true }) needs PostgreSQL: pass dbPostgresUrl or set DB_POSTGRES_URL or DATABASE_URL',
    )
  }
  const schema = opts.schema ?? `devnet_${randomLetters(10)}`
  if (!/^[a-z_]+$/i.test(schema)) {
    throw new DevnetError(
      'bad_schema',
      `schema must be letters and '_' only (dev-env rejects digits): ${schema}`,
    )
  }
  // The AppView asserts REDIS_HOST is set but never connects to it in dev-env.
  process.env.REDIS_HOST ??= 'localhost'
  // TestNetwork passes the same `pds` params to its two PDSes, so their folders cannot be set per PDS; instead
  // point os.tmpdir() at a folder of our own while it boots (every path is chosen during create) and delete it on
  // close. dev-env's port lock folder is fixed at import, so cross-process port locking is unaffected.
  const dataDir = await ownDataDir()
  const cleanUp = async () => {
    try {
      await dropSchemas(dbPostgresUrl, schema)
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  }
  const previousTmpDir = process.env.TMPDIR
  let network: TestNetwork
  try {
    process.env.TMPDIR = dataDir
    network = await TestNetwork.create({ dbPostgresUrl, dbPostgresSchema: schema })
  } catch (err) {
    await cleanUp()
    throw err
  } finally {
    if (previousTmpDir === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = previousTmpDir
  }
  return wrap(network, {
    appViewUrl: network.bsky.url,
    appViewDid: network.bsky.ctx.cfg.serverDid,
    settle: () => network.processAll(),
    close: async () => {
      try {
        await network.close()
      } finally {
        await cleanUp()
      }
    },
  })
}

function wrap(
  network: TestNetwork | TestNetworkNoAppView,
  parts: {
    appViewUrl?: string
    appViewDid?: string
    settle: () => Promise<void>
    close: () => Promise<void>
  },
): DevNetwork {
  const pdsUrl = network.pds.url
  // identity >= 0.5 refuses plain-http PLC unless given a fetch; mockResolvers points `.test` handles at the PDS.
  const idResolver = new IdResolver({ plcUrl: network.plc.url, fetch: globalThis.fetch })
  mockResolvers(idResolver, network.pds)
  let closed: Promise<void> | undefined
  return {
    plcUrl: network.plc.url,
    pdsUrl,
    ...(parts.appViewUrl ? { appViewUrl: parts.appViewUrl, appViewDid: parts.appViewDid } : {}),
    idResolver,
    network,
    createAccount: (handle) => createAccount(pdsUrl, handle),
    settle: parts.settle,
    // Idempotent: tests often close in both a finally and an afterAll.
    close: () => (closed ??= parts.close()),
  }
}

/** The password `createAccount` gives the account with this (full) handle. */
export function devAccountPassword(fullHandle: string): string {
  return `${fullHandle}-password`
}

/** Creates an account on the PDS; `alice` becomes `alice.test`. The password is derived from the handle. */
export async function createAccount(pdsUrl: string, handle: string): Promise<DevAccount> {
  const fullHandle = handle.includes('.') ? handle : `${handle}.test`
  const password = devAccountPassword(fullHandle)
  const agent = new AtpAgent({ service: pdsUrl })
  const res = await agent.createAccount({
    handle: fullHandle,
    email: `${fullHandle.replaceAll('.', '-')}@devnet.invalid`,
    password,
  })
  return { did: res.data.did, handle: res.data.handle, password, agent }
}

async function dropSchemas(dbPostgresUrl: string, schema: string): Promise<void> {
  const sql = postgres(dbPostgresUrl, { max: 1, onnotice: () => {} })
  try {
    for (const prefix of ['appview', 'ozone', 'bsync']) {
      await sql.unsafe(`drop schema if exists "${prefix}_${schema}" cascade`)
    }
  } finally {
    await sql.end()
  }
}

function randomLetters(length: number): string {
  // Letters only: dev-env rejects digits in schema names.
  return Array.from({ length }, () => String.fromCharCode(97 + randomInt(26))).join('')
}
