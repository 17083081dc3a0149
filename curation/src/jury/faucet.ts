/**
 * The verified-human faucet (MECHANISM.md, "Units and accounting"): a member of the jury group proves membership
 * with the faucet's scope, and one curator DID of their choice receives a one-time grant. Pure: the scope, the
 * message that binds a claim to its recipient, the checks on a claim's public values, and which group roots a claim
 * may use. The service (`../service/faucet.ts`) adds the database and the proof verification.
 *
 * - Scope: one fixed value, so a human has exactly one faucet nullifier (one claim per human, whichever identity
 *   backup they use on whichever device). It is another scope than every round's, so the faucet nullifier cannot be
 *   linked to the juror's ballots, and a ballot proof is never a faucet claim (or the reverse).
 * - Message: sha256 of a domain-tagged recipient DID. The proof signs it, so a proof seen in transit (a log, a
 *   proxy, a browser extension) pays only the DID it was made for; the server takes the DID from the session and
 *   checks the message against it.
 */
import type { SemaphoreProof } from '@semaphore-protocol/core'
import { CurationError, isCurationError } from '../errors'
import { parseProofShape } from './ballot'
import { JURY_TREE_DEPTH } from './group'
import { hashToField } from './hash'

const FAUCET_TAG = 'curia/faucet/v1'

/** The faucet's Semaphore scope: sha256("curia/faucet/v1") truncated to 248 bits, as `roundScope`. */
export const FAUCET_SCOPE: bigint = hashToField(FAUCET_TAG)

/**
 * The message of a claim for this recipient: sha256("curia/faucet/v1/recipient/<did>") truncated to 248 bits. The
 * tag keeps it apart from every ballot message (a ballot's content is a JSON list, never this text).
 */
export function faucetMessage(did: string): bigint {
  if (typeof did !== 'string' || did.length === 0)
    throw new TypeError('a recipient DID is a non-empty string')
  return hashToField(`${FAUCET_TAG}/recipient/${did}`)
}

/**
 * How long a root stays acceptable after the group moved on (a member joined): the claimant's browser rebuilt the
 * tree from the version it was shown, and the group may change while it downloads the prover and proves. One hour,
 * as Semaphore's own contract defaults to (`merkleTreeDuration`).
 */
export const FAUCET_ROOT_WINDOW_MS = 3_600_000

/**
 * A claim's proof, checked for everything that needs no database and no pairing: its shape (`bad_proof`: the
 * ballot's shape rules, one parser for both), the fixed depth (`wrong_depth`), the faucet scope (`wrong_scope`),
 * and a message naming this recipient (`wrong_message`). Returns the parsed proof.
 */
export function checkFaucetProof(value: unknown, did: string): SemaphoreProof {
  let proof: SemaphoreProof
  try {
    proof = parseProofShape(value)
  } catch (err) {
    // The parser is the ballot's; its refusals are about the proof alone, so only the code changes.
    if (isCurationError(err, 'bad_ballot')) throw new CurationError('bad_proof', err.message, { cause: err })
    throw err
  }
  if (proof.merkleTreeDepth !== JURY_TREE_DEPTH) {
    throw new CurationError(
      'wrong_depth',
      `Faucet claims are proved at tree depth ${JURY_TREE_DEPTH}, not ${proof.merkleTreeDepth}.`,
    )
  }
  if (proof.scope !== FAUCET_SCOPE.toString()) {
    throw new CurationError(
      'wrong_scope',
      'This proof was made for something else (a jury round, say), not for the faucet.',
    )
  }
  if (proof.message !== faucetMessage(did).toString()) {
    throw new CurationError('wrong_message', 'This proof claims the grant for another account, not yours.')
  }
  return proof
}

/** What the faucet knows about the root version a claim names. */
export interface ClaimRoot {
  /** The root's version (the group's versions start at 1). */
  version: number
  /** When the next version replaced it; null while it is the group's current root. */
  supersededAt: Date | null
}

export type RootVerdict = { ok: true } | { ok: false; reason: 'before_removal' | 'stale' }

/**
 * Whether a claim may use this root: the group's current root, or one replaced less than `windowMs` ago, and in
 * either case never a version from before the latest removal (`latestRemovedVersion` is the first version without
 * the latest removed member). A removed member (revoked: a fake, say) is a leaf of every earlier tree, so a proof
 * against one of those could be theirs; the version the removal produced and the later ones no longer hold them.
 */
export function acceptClaimRoot(
  root: ClaimRoot,
  opts: { latestRemovedVersion: number | null; now: Date; windowMs?: number },
): RootVerdict {
  if (opts.latestRemovedVersion !== null && root.version < opts.latestRemovedVersion) {
    return { ok: false, reason: 'before_removal' }
  }
  if (root.supersededAt === null) return { ok: true }
  const windowMs = opts.windowMs ?? FAUCET_ROOT_WINDOW_MS
  return opts.now.getTime() - root.supersededAt.getTime() < windowMs
    ? { ok: true }
    : { ok: false, reason: 'stale' }
}
