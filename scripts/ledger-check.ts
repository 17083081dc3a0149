/**
 * `npm run ledger:check`: audits the credit ledger and the market books (see curation/src/ledger/invariant.ts) and
 * exits 1 when anything is off. Read only, in one snapshot, so it is safe beside a running Curia. With no
 * DATABASE_URL it uses the embedded database in $CURIA_DATA_DIR/pglite (through the running launcher's socket when
 * there is one).
 *
 *   npm run ledger:check            human-readable
 *   npm run ledger:check -- --json  the report as JSON (amounts in micro-credits, as strings)
 */
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { openDatabase } from '@curia/db'
import { describeLedgerReport, isLedgerSound } from '@curia/curation/ledger/invariant'
import { checkLedgerInvariant } from '@curia/curation/service/ledger'

const env = z
  .object({
    DATABASE_URL: z.string().optional(),
    CURIA_DATA_DIR: z.string().default(join(resolve(import.meta.dirname, '..'), 'data')),
  })
  .parse(process.env)

const database = await openDatabase({
  url: env.DATABASE_URL,
  dataDir: join(env.CURIA_DATA_DIR, 'pglite'),
  max: 1,
  name: 'curia-ledger-check',
})
try {
  const report = await checkLedgerInvariant(database)
  if (process.argv.includes('--json')) {
    console.log(
      JSON.stringify(
        { ok: isLedgerSound(report), ...report },
        (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
        2,
      ),
    )
  } else {
    console.log(describeLedgerReport(report))
  }
  process.exitCode = isLedgerSound(report) ? 0 : 1
} finally {
  await database.close()
}
