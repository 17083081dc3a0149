import { randomBytes } from 'node:crypto'
import type { NodeOAuthClient } from '@atproto/oauth-client-node'
import type { Database } from '@curia/db'
import { createTestDatabase } from '@curia/db/testing'
import { startNetwork, type DevNetwork } from '@curia/devnet'
import { createOAuthClient } from '../server/auth/oauth-client'
import { createOAuthStores } from '../server/auth/oauth-stores'
import { readWebConfig } from '../server/config'

export interface OAuthNetwork {
  net: DevNetwork
  database: Database
  /** The real OAuth client, resolving handles and DIDs on the local network as sign-in does. */
  oauth: NodeOAuthClient
  close(): Promise<void>
}

/** A local network (PLC + PDS), a fresh database and the web app's OAuth client configured for both. */
export async function startOAuthNetwork(publicUrl: string): Promise<OAuthNetwork> {
  const net = await startNetwork()
  let database: Database | undefined
  try {
    database = await createTestDatabase()
    const config = readWebConfig({
      CURIA_PUBLIC_URL: publicUrl,
      CURIA_PLC_URL: net.plcUrl,
      CURIA_OAUTH_HANDLE_RESOLVER: net.pdsUrl,
    })
    const oauth = await createOAuthClient(config, createOAuthStores(database.sql, { key: randomBytes(32) }))
    return { net, database, oauth, close: () => closeAll(net, database) }
  } catch (err) {
    // Whatever started before the failure stops with it.
    await closeAll(net, database)
    throw err
  }
}

async function closeAll(net: DevNetwork, database: Database | undefined): Promise<void> {
  await database?.close()
  await net.close()
}
