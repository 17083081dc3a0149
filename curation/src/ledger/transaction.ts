import type { TransactionSql } from 'postgres'
import type { Database } from '@curia/db'

export type Tx = TransactionSql

/**
 * SQLSTATEs after which the whole transaction may simply run again: a serialization failure and a deadlock (both
 * roll the transaction back, so nothing was applied).
 */
const RETRYABLE = new Set(['40001', '40P01'])

export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && RETRYABLE.has(code)
}

export function postgresErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

export function constraintName(err: unknown): string | undefined {
  const name = (err as { constraint_name?: unknown } | null)?.constraint_name
  return typeof name === 'string' ? name : undefined
}

/**
 * Runs `fn` in one transaction, again (up to `attempts` times in all) when PostgreSQL aborts it for a serialization
 * failure or a deadlock (or whatever `retryOn` accepts). `fn` must be safe to re-run: everything it read is re-read, everything it wrote was rolled
 * back.
 */
export async function inTransaction<T>(
  database: Pick<Database, 'sql'>,
  fn: (tx: Tx) => Promise<T>,
  opts: { attempts?: number; retryOn?: (err: unknown) => boolean } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 5
  const retryOn = opts.retryOn ?? isRetryable
  for (let attempt = 1; ; attempt++) {
    try {
      // postgres.js types `begin` as returning UnwrapPromiseArray<T>; for a plain promise that is T.
      return (await database.sql.begin((tx) => fn(tx))) as T
    } catch (err) {
      if (attempt >= attempts || !retryOn(err)) throw err
    }
  }
}
