/**
 * Set-up shared by the tests that run the indexer against a local AT Protocol network (kept apart from helpers.ts so
 * the unit tests do not load @atproto/dev-env).
 */
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import {
  startJetstreamRelay,
  startNetwork,
  type DevAccount,
  type DevNetwork,
  type JetstreamRelay,
} from '@curia/devnet'
import { IndexerProcess, useScratchTmpdir } from './helpers'

/** A local PLC + PDS, a fresh database and signed-in accounts (`alice` is `alice.test`); close() stops them all. */
export type TestNetwork<Name extends string> = {
  net: DevNetwork
  database: Database
  accounts: Record<Name, DevAccount>
  close(): Promise<void>
}

/** A TestNetwork with a Jetstream relay following its PDS. */
export type RelayedTestNetwork<Name extends string> = TestNetwork<Name> & { relay: JetstreamRelay }

/**
 * Starts the network (its files in the scratch tmpdir), its relay when asked, a fresh database, then the accounts in
 * order; on a failure it stops what it started.
 */
export async function startTestNetwork<Name extends string>(opts: {
  accounts: readonly Name[]
  relay: true
}): Promise<RelayedTestNetwork<Name>>
export async function startTestNetwork<Name extends string>(opts: {
  accounts: readonly Name[]
  relay?: false
}): Promise<TestNetwork<Name>>
export async function startTestNetwork<Name extends string>(opts: {
  accounts: readonly Name[]
  relay?: boolean
}): Promise<TestNetwork<Name> & { relay?: JetstreamRelay }> {
  useScratchTmpdir()
  const net = await startNetwork()
  let relay: JetstreamRelay | undefined
  let database: Database | undefined
  const close = async () => {
    try {
      await database?.close()
    } finally {
      try {
        await relay?.close()
      } finally {
        await net.close()
      }
    }
  }
  try {
    if (opts.relay) relay = await startJetstreamRelay({ pdsUrl: net.pdsUrl, idResolver: net.idResolver })
    database = await createTestDatabase()
    const accounts = {} as Record<Name, DevAccount>
    for (const name of opts.accounts) accounts[name] = await net.createAccount(`${name}.test`)
    return { net, relay, database, accounts, close }
  } catch (err) {
    // The set-up's own error is the one to see; a failure to clean up after it is logged beside it.
    await close().catch((closeErr: unknown) =>
      console.error('stopping a half-started test network', closeErr),
    )
    throw err
  }
}

/** Starts the indexer as its own process reading `network`'s relay into its database, /status on a free port; `env` adds to that. */
export function startIndexerProcess(
  network: { relay: JetstreamRelay; database: Database },
  env: Record<string, string>,
): IndexerProcess {
  const indexer = new IndexerProcess({
    CURIA_JETSTREAM_URL: network.relay.url,
    DATABASE_URL: network.database.url,
    CURIA_INDEXER_STATUS_PORT: '0',
    TMPDIR: useScratchTmpdir(),
    ...env,
  })
  indexer.start()
  return indexer
}

/** Creates a record in `account`'s repo, stamped with its $type and createdAt; resolves to its at-URI and CID. */
export async function createRecord(
  account: DevAccount,
  collection: string,
  record: Record<string, unknown>,
): Promise<{ uri: string; cid: string }> {
  const { data } = await account.agent.com.atproto.repo.createRecord({
    repo: account.did,
    collection,
    record: { $type: collection, createdAt: new Date().toISOString(), ...record },
  })
  return { uri: data.uri, cid: data.cid }
}

/** Deletes the record of `account`'s at this at-URI (`at://<did>/<collection>/<rkey>`). */
export async function deleteRecord(account: DevAccount, uri: string): Promise<void> {
  const [collection, rkey] = uri.split('/').slice(-2)
  await account.agent.com.atproto.repo.deleteRecord({
    repo: account.did,
    collection: collection!,
    rkey: rkey!,
  })
}
