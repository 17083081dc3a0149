import 'server-only'
import { join } from 'node:path'
import { openDatabase, type Database } from '@curia/db'
import { createSnapshotStore, type SnapshotStore } from '@curia/curation/feed/snapshot-store'
import { getWebConfig } from './config'

interface WebServices {
  database: Promise<Database>
  store: Promise<SnapshotStore>
}

// Cached on globalThis, not in a module variable: `next dev` re-evaluates modules on every edit, and each
// evaluation would otherwise open another pool (or another embedded PGlite) that nobody closes.
const slot = globalThis as typeof globalThis & { __curiaWeb?: WebServices }

function open(): WebServices {
  const config = getWebConfig()
  const database = openDatabase({
    url: config.databaseUrl,
    dataDir: join(config.dataDir, 'pglite'),
    name: 'curia-web',
  })
  const store = database.then((db) =>
    createSnapshotStore(db, { feed: config.feedRkey, refreshMs: config.snapshotRefreshMs }),
  )
  const services = { database, store }
  // A failed open (database down at boot) must not be cached forever: the next request tries again.
  database.catch(() => {
    if (slot.__curiaWeb === services) slot.__curiaWeb = undefined
  })
  return services
}

/** The process's database and snapshot store, opened on first use. */
export function getWebServices(): WebServices {
  slot.__curiaWeb ??= open()
  return slot.__curiaWeb
}
