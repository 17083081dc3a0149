import { sql } from 'drizzle-orm'
import { check, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'

/**
 * The verified-human faucet (MECHANISM.md, "Units and accounting"): a larger one-time grant for a curator DID that
 * proves membership of the jury group with scope "faucet". The proof's nullifier is one per human and unlinkable to
 * the juror's identity and to its round nullifiers (another scope), so this table says which DIDs a human funded,
 * never which human. The grant itself is the ledger's `human_grant` entry, referenced by the nullifier.
 */
export const faucetClaim = pgTable(
  'faucet_claim',
  {
    /** The Semaphore nullifier of the claim's proof, decimal: one claim per human. */
    nullifier: text('nullifier').primaryKey(),
    /** The curator DID the proof's message named: one claim per DID. */
    did: text('did').notNull(),
    /** The group root version the proof was made against. */
    rootVersion: integer('root_version').notNull(),
    claimedAt: timestamp('claimed_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('faucet_claim_did_key').on(t.did),
    check('faucet_claim_nullifier_decimal', sql`${t.nullifier} ~ '^(0|[1-9][0-9]{0,77})$'`),
    check('faucet_claim_root_version_positive', sql`${t.rootVersion} > 0`),
  ],
)
