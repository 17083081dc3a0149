/**
 * The verified-human faucet: a one-time grant, mint -> curator, for a curator DID whose owner proves membership of
 * the jury group with the faucet's scope (`../jury/faucet.ts`). One claim per human (the proof's nullifier) and one
 * per DID; the grant is not linked to which member claimed it.
 *
 * The checks, in order; the first failure refuses and nothing is recorded:
 *   0. the faucet is on (a grant above zero)                                             faucet_disabled
 *   1. the recipient is a DID (the caller's session's, never a form field)               bad_request
 *   2. the proof's shape                                                                 bad_proof
 *   3. depth, scope, message = the faucet message for this DID                           wrong_depth / _scope / _message
 *   4. this DID has not had the grant (a cheap read: it is the caller's own state)       did_already_claimed
 *   5. the root is a version of this group, current or replaced less than an hour ago,   wrong_root
 *      and not from before the latest member removal
 *   6. the proof verifies                                                                invalid_proof
 *   7. in one transaction, under a shared lock on the group's head (a removal takes it exclusively, so none lands
 *      between the root check and the grant): the root check again, the claim row (its nullifier primary key and
 *      DID unique index decide a race), the ledger entry                                  human_already_claimed /
 *                                                                                         did_already_claimed
 * The cheap checks come first so junk costs a parse, not a pairing.
 */
import type { Database } from '@curia/db'
import { CurationError } from '../errors'
import { acceptClaimRoot, checkFaucetProof, type ClaimRoot } from '../jury/faucet'
import { inTransaction, type Tx } from '../ledger/transaction'
import { assertProofVerifies, type VerifyProof } from './ballot'
import { assertDid, grantFromMint } from './ledger'

export interface ClaimHumanGrantOptions {
  /** The recipient: the signed-in curator's DID, from the session. */
  did: string
  proof: unknown
  now: Date
  /** The grant (`LedgerParams.humanGrantMicro`); 0 means the faucet is off. */
  amountMicro: bigint
  /** Semaphore's verifyProof unless given (a worker pool, say). */
  verifyProof?: VerifyProof
  /** How long a replaced root stays acceptable; `FAUCET_ROOT_WINDOW_MS` unless given. */
  rootWindowMs?: number
}

export interface HumanGrant {
  did: string
  nullifier: string
  amountMicro: bigint
  /** The curator's balance right after the grant. */
  balanceMicro: bigint
  rootVersion: number
}

export async function claimHumanGrant(database: Database, opts: ClaimHumanGrantOptions): Promise<HumanGrant> {
  if (typeof opts.amountMicro !== 'bigint' || opts.amountMicro < 0n) {
    throw new TypeError('the human grant is a non-negative bigint of micro-credits')
  }
  if (opts.amountMicro === 0n) {
    throw new CurationError('faucet_disabled', 'The verified-human grant is not offered here.')
  }
  assertDid(opts.did)
  const { did, now } = opts
  const proof = checkFaucetProof(opts.proof, did)
  if (await hasClaimed(database.sql, did)) throw didClaimed()
  await checkRoot(database.sql, proof.merkleTreeRoot, now, opts.rootWindowMs)

  await assertProofVerifies(proof, opts.verifyProof)

  const nowIso = now.toISOString()
  return inTransaction(database, async (tx) => {
    await tx`select 1 from jury_group where id = 1 for share`
    const rootVersion = await checkRoot(tx, proof.merkleTreeRoot, now, opts.rootWindowMs)
    const inserted = await tx`
      insert into faucet_claim (nullifier, did, root_version, claimed_at)
      values (${proof.nullifier}, ${did}, ${rootVersion}, ${nowIso}::timestamptz)
      on conflict do nothing
      returning 1`
    if (inserted.length === 0) {
      // Under READ COMMITTED this statement sees the row that won (the insert waited for its transaction).
      const [used] = await tx`select 1 from faucet_claim where nullifier = ${proof.nullifier}`
      if (used) {
        throw new CurationError(
          'human_already_claimed',
          'This juror identity has already claimed the verified-human grant (for this or another account). It is one per human.',
        )
      }
      throw didClaimed()
    }
    const { granted, balanceMicro } = await grantFromMint(tx, {
      did,
      amountMicro: opts.amountMicro,
      reason: 'human_grant',
      reference: proof.nullifier,
      atIso: nowIso,
    })
    // The claim row is new, so its nullifier has no entry yet: anything else is a broken ledger, not a refusal.
    if (!granted) throw new Error(`human_grant for nullifier ${proof.nullifier} already in the ledger`)
    return { did, nullifier: proof.nullifier, amountMicro: opts.amountMicro, balanceMicro, rootVersion }
  })
}

/** Whether this DID has had the verified-human grant. */
export async function hasClaimedHumanGrant(database: Pick<Database, 'sql'>, did: string): Promise<boolean> {
  return hasClaimed(database.sql, did)
}

async function hasClaimed(sql: Tx | Database['sql'], did: string): Promise<boolean> {
  const [row] = await sql`select 1 from faucet_claim where did = ${did}`
  return row !== undefined
}

/** The root's version if a claim may use it (see `acceptClaimRoot`), else `wrong_root`. */
async function checkRoot(
  sql: Tx | Database['sql'],
  root: string,
  now: Date,
  windowMs: number | undefined,
): Promise<number> {
  // A root belongs to one version (every change adds or zeroes a leaf); the newest is taken should two match.
  const [found] = await sql<{ version: number; supersededMs: number | null; latestRemoved: number | null }[]>`
    select r.version,
           (extract(epoch from next.created_at) * 1000)::float8 as "supersededMs",
           (select max(removed_version) from jury_member) as "latestRemoved"
    from jury_group_root r
    left join jury_group_root next on next.version = r.version + 1
    where r.root = ${root}
    order by r.version desc
    limit 1`
  if (!found) {
    throw new CurationError(
      'wrong_root',
      "This proof is not against any root of Curia's jury group (another group, or a member list that was never ours).",
    )
  }
  const claimRoot: ClaimRoot = {
    version: found.version,
    supersededAt: found.supersededMs === null ? null : new Date(found.supersededMs),
  }
  const verdict = acceptClaimRoot(claimRoot, {
    latestRemovedVersion: found.latestRemoved,
    now,
    ...(windowMs !== undefined ? { windowMs } : {}),
  })
  if (!verdict.ok) {
    throw new CurationError(
      'wrong_root',
      verdict.reason === 'before_removal'
        ? `This proof is against root version ${found.version}, from before a member was removed; prove again against the current group.`
        : `This proof is against root version ${found.version}, which the group replaced over an hour ago; prove again against the current group.`,
    )
  }
  return found.version
}

function didClaimed(): CurationError {
  return new CurationError(
    'did_already_claimed',
    'This account has already received the verified-human grant. It is one per account.',
  )
}
