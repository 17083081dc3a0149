import { openDatabase } from '@curia/db'
import { readIndexerConfig } from './config'
import { startIndexer } from './indexer'
import { createConsoleLogger } from './log'
import { startStatusServer } from './status-server'

/**
 * `npm run -w @curia/indexer start`: the indexer as its own process. Everything it does lives in startIndexer();
 * this file only reads the environment, opens the database, serves /status and stops cleanly on a signal.
 */
const log = createConsoleLogger()
const config = readIndexerConfig()
const database = await openDatabase({
  url: config.database.url,
  dataDir: config.database.pgliteDir,
  name: 'curia-indexer',
  max: 4,
})
const indexer = await startIndexer({ database, config, log })
const server = await startStatusServer({
  status: () => indexer.status(),
  port: config.status.port,
  host: config.status.host,
})
log.info(`status at ${server.url}`)

let stopping = false
const shutdown = async (signal: string) => {
  if (stopping) return
  stopping = true
  log.info(`${signal}: stopping`)
  await indexer.stop()
  await server.close()
  await database.close()
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    shutdown(signal).catch((err: unknown) => {
      log.error(`shutdown failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
      process.exitCode = 1
    })
  })
}
