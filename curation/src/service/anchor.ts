/**
 * Anchoring closed jury rounds on-chain: each round's export Merkle root (fixed at close, `jury_round.export_root`)
 * written once to the RoundAnchor contract, so the operator cannot later publish a different export for the round.
 * Anyone re-verifying an export (`scripts/verify-round.ts`) can compare its root with `readRoundAnchor`.
 */
import type { Address, Hex } from 'viem'
import type { Database } from '@curia/db'
import { anchorRoot, readAnchor, type ChainClients } from '../chain/anchor'
import { CurationError } from '../errors'
import { getRound } from './round'

export interface RoundAnchorTarget {
  clients: ChainClients
  address: Address
}

export interface AnchoredRound {
  roundId: number
  root: Hex
  /** False when the same root was already anchored (nothing sent). */
  sent: boolean
  txHash: Hex | null
  gasUsed: bigint | null
}

/**
 * Anchors a closed round's export root. Idempotent: a round already anchored with the same root returns without a
 * transaction. A different root already anchored is refused (`already_anchored`): the chain's root stands, and an
 * export that hashes otherwise is not the one published at close.
 */
export async function anchorRound(
  database: Database,
  target: RoundAnchorTarget,
  opts: { roundId: number },
): Promise<AnchoredRound> {
  const round = await getRound(database, opts.roundId)
  if (!round) throw new CurationError('bad_request', `No round ${opts.roundId}.`)
  if (round.status !== 'closed' || !round.exportRoot) {
    throw new CurationError(
      'bad_request',
      `Round ${round.id} is ${round.status}: its export root comes at close.`,
    )
  }
  const root = round.exportRoot.toLowerCase() as Hex
  const existing = await readRoundAnchor(target, round.id)
  if (existing !== null) {
    if (existing === root) return { roundId: round.id, root, sent: false, txHash: null, gasUsed: null }
    throw new CurationError(
      'already_anchored',
      `Round ${round.id} is anchored with ${existing}, not its export root ${root}.`,
    )
  }
  const receipt = await anchorRoot(target.clients, { address: target.address, roundId: round.id, root })
  return { roundId: round.id, root, sent: true, txHash: receipt.txHash, gasUsed: receipt.gasUsed }
}

/** The root anchored on-chain for a round, lower-case hex, or null. */
export async function readRoundAnchor(target: RoundAnchorTarget, roundId: number): Promise<Hex | null> {
  try {
    const root = await readAnchor(target.clients.publicClient, { address: target.address, roundId })
    return root === null ? null : (root.toLowerCase() as Hex)
  } catch (err) {
    throw new CurationError('chain_unavailable', `The anchor contract could not be read: ${String(err)}`, {
      cause: err,
    })
  }
}
