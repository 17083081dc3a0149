/**
 * Anchoring jury rounds on-chain, in the RoundAnchor contract (write-once per round and value):
 *  - at freeze, the commitment to the eligible list (`jury_round.eligible_hash`), before the beacon block is fixed
 *    (`freezeRound`'s `publishEligible`, wired by the jury worker): the beacon block is then the one right after
 *    the block that included it, so the chain shows both that the list was fixed before the beacon's hash existed
 *    and that the operator had no block to pick;
 *  - at close, the export's Merkle root (`jury_round.export_root`), by the jury worker's `anchor` step, apart from
 *    settlement: a market that refuses to settle does not hold the anchor back.
 * Anyone re-verifying an export compares both with the chain: `npm run verify-round -- <file> --rpc <url>
 * --anchor <address>` (`../chain/round-anchor-check.ts`).
 */
import type { Address, Hex } from 'viem'
import type { Database } from '@curia/db'
import {
  anchorRoot,
  commitEligibleHash,
  eligibleCommitmentBlock,
  readAnchor,
  readEligibleCommitment,
  type ChainClients,
} from '../chain/anchor'
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
 * Anchors a closed round's export root and records it (`export_anchored_at`). Idempotent: a round already anchored
 * with the same root (by an earlier run that crashed before recording it, say) returns without a transaction. A
 * different root already anchored is refused (`already_anchored`): the chain's root stands, and an export that
 * hashes otherwise is not the one published at close.
 */
export async function anchorRound(
  database: Database,
  target: RoundAnchorTarget,
  opts: { roundId: number; now: Date },
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
  let anchored: AnchoredRound = { roundId: round.id, root, sent: false, txHash: null, gasUsed: null }
  if (existing !== null && existing !== root) {
    throw new CurationError(
      'already_anchored',
      `Round ${round.id} is anchored with ${existing}, not its export root ${root}.`,
    )
  }
  if (existing === null) {
    const receipt = await anchorRoot(target.clients, { address: target.address, roundId: round.id, root })
    anchored = { ...anchored, sent: true, txHash: receipt.txHash, gasUsed: receipt.gasUsed }
  }
  await database.sql`
    update jury_round set export_anchored_at = coalesce(export_anchored_at, ${opts.now.toISOString()}::timestamptz)
    where id = ${round.id}`
  return anchored
}

export interface AnchoredEligible {
  roundId: number
  eligibleHash: Hex
  /** False when the same commitment was already anchored (nothing sent). */
  sent: boolean
  txHash: Hex | null
  /** The block that included it: now, or by the earlier run (a freeze finished after a crash). */
  blockNumber: bigint
  chainId: number
}

/**
 * Anchors a frozen round's eligible commitment and tells the block that included it, which fixes the round's beacon
 * block (the next one). Idempotent like `anchorRound` (the same hash already there sends nothing and finds its block
 * from the contract's event; a different one is refused). `confirmations`: blocks to wait for on top of the
 * including one, so a short reorg cannot move the commitment to another block after the beacon block is recorded.
 */
export async function anchorEligible(
  database: Database,
  target: RoundAnchorTarget,
  opts: { roundId: number; confirmations?: number },
): Promise<AnchoredEligible> {
  const round = await getRound(database, opts.roundId)
  if (!round) throw new CurationError('bad_request', `No round ${opts.roundId}.`)
  if (round.eligibleHash === null) {
    throw new CurationError(
      'bad_request',
      `Round ${round.id} has no eligible commitment (${round.status === 'committed' ? 'it is not frozen yet' : 'frozen before commitments existed'}).`,
    )
  }
  const eligibleHash = round.eligibleHash.toLowerCase() as Hex
  const chainId = target.clients.walletClient.chain.id
  const existing = await readEligibleAnchor(target, round.id)
  if (existing === eligibleHash) {
    const blockNumber = await readChain(() =>
      eligibleCommitmentBlock(target.clients.publicClient, { address: target.address, roundId: round.id }),
    )
    if (blockNumber === null) {
      throw new CurationError(
        'chain_unavailable',
        `Round ${round.id}'s eligible commitment is anchored but its EligibleCommitted event was not found.`,
      )
    }
    return { roundId: round.id, eligibleHash, sent: false, txHash: null, blockNumber, chainId }
  }
  if (existing !== null) {
    throw new CurationError(
      'already_anchored',
      `Round ${round.id}'s eligible commitment is anchored as ${existing}, not ${eligibleHash}.`,
    )
  }
  const receipt = await commitEligibleHash(target.clients, {
    address: target.address,
    roundId: round.id,
    eligibleHash,
    confirmations: opts.confirmations,
  })
  return {
    roundId: round.id,
    eligibleHash,
    sent: true,
    txHash: receipt.txHash,
    blockNumber: receipt.blockNumber,
    chainId,
  }
}

/** The root anchored on-chain for a round, lower-case hex, or null. */
export async function readRoundAnchor(target: RoundAnchorTarget, roundId: number): Promise<Hex | null> {
  return readChain(() => readAnchor(target.clients.publicClient, { address: target.address, roundId }))
}

/** The eligible commitment anchored on-chain for a round, lower-case hex, or null. */
export async function readEligibleAnchor(target: RoundAnchorTarget, roundId: number): Promise<Hex | null> {
  return readChain(() =>
    readEligibleCommitment(target.clients.publicClient, { address: target.address, roundId }),
  )
}

async function readChain<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (err) {
    throw new CurationError('chain_unavailable', `The anchor contract could not be read: ${String(err)}`, {
      cause: err,
    })
  }
}
