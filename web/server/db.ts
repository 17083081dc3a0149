import 'server-only'
import { join } from 'node:path'
import type { NodeOAuthClient } from '@atproto/oauth-client-node'
import { openDatabase, type Database } from '@curia/db'
import { createExposureRecorder } from '@curia/curation/feed/exposure'
import { createSnapshotStore, type SnapshotStore } from '@curia/curation/feed/snapshot-store'
import { setupLedger } from '@curia/curation/service/ledger'
import { createTradeDesk, type TradeDesk } from '@curia/curation/service/trade-desk'
import { createOAuthClient } from './auth/oauth-client'
import { createOAuthStores } from './auth/oauth-stores'
import { loadTokenKey } from './auth/token-box'
import { getWebConfig } from './config'

interface WebServices {
  database: Promise<Database>
  store: Promise<SnapshotStore>
  /** `setupLedger` has run in this process (mint and treasury exist, the treasury is funded once). */
  ledger: Promise<void>
  /** The process's one trade desk: orders on a market arriving together share one transaction. */
  desk: Promise<TradeDesk>
  oauth: Promise<NodeOAuthClient>
}

// Cached on globalThis, not in a module variable: `next dev` re-evaluates modules on every edit, and each
// evaluation would otherwise open another pool (or another embedded PGlite) that nobody closes. Next also bundles
// each route and action separately, with their own copies of these modules; globalThis is what they share, so
// there is one desk and one OAuth client per process.
const slot = globalThis as typeof globalThis & { __curiaWeb?: WebServices }

function open(): WebServices {
  const config = getWebConfig()
  const database = openDatabase({
    url: config.databaseUrl,
    dataDir: join(config.dataDir, 'pglite'),
    name: 'curia-web',
  })
  // The reader's pages are impressions as much as a Bluesky client's: they count toward exposure (sampling weight).
  const store = database.then((db) => {
    const exposure = createExposureRecorder(db, { log: (line) => console.warn(line) })
    return createSnapshotStore(db, {
      feed: config.feedRkey,
      refreshMs: config.snapshotRefreshMs,
      onServe: exposure.record,
    })
  })
  const ledger = database.then(async (db) => {
    await setupLedger(db, { treasuryFundingMicro: config.ledger.treasuryFundingMicro, now: new Date() })
  })
  const desk = database.then((db) =>
    createTradeDesk(db, {
      rules: {
        positionCapMicro: config.market.positionCapMicro,
        maxAmountMicro: config.market.maxAmountMicro,
      },
    }),
  )
  const oauth = Promise.all([database, loadTokenKey(config.tokenKey)]).then(([db, key]) =>
    createOAuthClient(config, createOAuthStores(db.sql, { key })),
  )
  const services = { database, store, ledger, desk, oauth }
  // A failed open (database down at boot) must not be cached forever: the next request tries again.
  for (const part of [database, store, ledger, desk, oauth] as Promise<unknown>[]) {
    part.catch(() => {
      if (slot.__curiaWeb === services) slot.__curiaWeb = undefined
    })
  }
  return services
}

/** The process's database and snapshot store, opened on first use. */
export function getWebServices(): WebServices {
  slot.__curiaWeb ??= open()
  return slot.__curiaWeb
}
