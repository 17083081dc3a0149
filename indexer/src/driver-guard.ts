import type { IndexerLogger } from './log'

/**
 * postgres.js 3.4.9 (the newest release), unpatched, can throw from a `setImmediate` after a server connection dies
 * with a small write buffered: `TypeError: Cannot read properties of null (reading 'write')` at `nextWrite`
 * (porsager/postgres#1154, #1208; fixes proposed in #1168, #1209, none released). Nothing can catch it, so by
 * default it ends the process. Curia's install applies `patches/postgres+3.4.9.patch`, which removes the causes
 * known (db/test/driver-recovery.test.ts); this guard stays for a driver installed without it. The query it belonged to has already failed with CONNECTION_CLOSED and the indexer
 * has discarded that connection and retries the batch, so this one error is safe to log and survive.
 */
export function isKnownPostgresDriverCrash(err: unknown): boolean {
  return (
    err instanceof TypeError &&
    err.message.includes("reading 'write'") &&
    typeof err.stack === 'string' &&
    err.stack.includes('nextWrite') &&
    /postgres[\\/]src[\\/]connection\.js/.test(err.stack)
  )
}

/**
 * For process entry points only (main.ts, a launcher): survive the crash above, and leave every other uncaught
 * exception to Node's default (print and exit 1). Returns a function that removes the guard.
 */
export function guardAgainstKnownDriverCrash(log: IndexerLogger): () => void {
  const onUncaught = (err: Error) => {
    if (isKnownPostgresDriverCrash(err)) {
      log.warn(
        'survived a postgres.js crash after a lost connection (porsager/postgres#1154); that connection is discarded',
      )
      return
    }
    process.off('uncaughtException', onUncaught)
    // Rethrown outside this handler, with no handler left, it gets Node's default treatment.
    setImmediate(() => {
      throw err
    })
  }
  process.on('uncaughtException', onUncaught)
  return () => process.off('uncaughtException', onUncaught)
}
