/**
 * What `verify-round --rpc <url> --anchor <address>` checks on-chain, beside the offline checks of the export: an
 * export's Merkle root binds its contents only to itself (an export rewritten whole, a ballot dropped and the
 * tallies and root recomputed, hashes consistently), so the root must equal the one the operator anchored at close;
 * and, for a block beacon, the eligible list's commitment must have been included in the block right before the
 * beacon block (`beaconAfterCommitment`): not later, or the operator could have chosen the list after seeing the
 * block's hash (and with it the sample); not earlier, or the operator, holding the seed, could have waited and
 * named whichever later block gave the sample it liked.
 */
import type { Address, Hex, PublicClient } from 'viem'
import type { Hex32 } from '../jury/hash'
import { BEACON_DELAY_BLOCKS } from '../jury/round'
import { readAnchor, readEligibleCommitment } from './anchor'

export interface AnchorCheck {
  /** Mismatches: the round fails. */
  problems: string[]
  /** What was not checked, and why. */
  notes: string[]
  /** What was compared with the chain, for the summary line. */
  checked: string[]
}

export async function checkRoundAnchors(
  publicClient: PublicClient,
  opts: {
    address: Address
    roundId: number
    /** What the export's contents hash to (recomputed, not claimed). */
    exportRoot: Hex32
    eligibleHash: Hex32
    /** The export says its list was committed at freeze (v2); a v1 export has no commitment. */
    hasEligibleCommitment: boolean
    beaconBlock?: { chainId: number; number: number } | undefined
  },
): Promise<AnchorCheck> {
  const result: AnchorCheck = { problems: [], notes: [], checked: [] }
  const { address, roundId } = opts
  const where = `contract ${address}`
  const chainId = await publicClient.getChainId()

  const root = await readAnchor(publicClient, { address, roundId })
  if (root === null) {
    result.problems.push(
      `anchor: round ${roundId} has no export root anchored at ${where} on chain ${chainId}`,
    )
  } else if (root !== opts.exportRoot) {
    result.problems.push(
      `anchor: the root anchored on-chain for round ${roundId} is ${root}, the export hashes to ${opts.exportRoot}`,
    )
  } else result.checked.push('export root equals the anchored root')

  const committed = await readEligibleCommitment(publicClient, { address, roundId })
  if (committed !== null && committed !== opts.eligibleHash) {
    result.problems.push(
      `anchor: the eligible commitment anchored for round ${roundId} is ${committed}, the export's list hashes to ${opts.eligibleHash}`,
    )
    return result
  }
  const block = opts.beaconBlock
  if (!block) {
    // With the operator's beacon alone the operator knows the sample from the start: a commitment at freeze would
    // not constrain it, so none is anchored.
    if (committed === null)
      result.notes.push('operator beacon: no eligible commitment is anchored (none needed)')
    else result.checked.push('eligible list equals the anchored commitment')
    return result
  }
  if (committed === null) {
    result.problems.push(
      opts.hasEligibleCommitment
        ? `anchor: round ${roundId} has no eligible commitment anchored at ${where}: nothing shows its eligible list was fixed before beacon block ${block.number}`
        : `anchor: round ${roundId}'s export predates eligible commitments (v1): nothing shows its eligible list was fixed before beacon block ${block.number}`,
    )
    return result
  }
  if (block.chainId !== chainId) {
    result.problems.push(
      `anchor: the contract is on chain ${chainId}, the beacon block on chain ${block.chainId}: the eligible commitment cannot be ordered before it`,
    )
    return result
  }
  // The commitment's block is fixed by the beacon block: in the state after it, and not in the state before it.
  const included = block.number - BEACON_DELAY_BLOCKS
  const readAt = async (blockNumber: number): Promise<Hex | null | Error> =>
    readEligibleCommitment(publicClient, { address, roundId, blockNumber }).catch((err: unknown) =>
      err instanceof Error ? err : new Error(String(err)),
    )
  const [after, before] = await Promise.all([readAt(included), readAt(included - 1)])
  for (const [state, at] of [
    [after, included],
    [before, included - 1],
  ] as const) {
    if (state instanceof Error) {
      result.problems.push(
        `anchor: could not read the contract's state at block ${at} (a node that keeps old state, ` +
          `an archive node, is needed): ${state.message.split('\n')[0]}`,
      )
      return result
    }
  }
  if (after !== opts.eligibleHash) {
    result.problems.push(
      `anchor: round ${roundId}'s eligible commitment was not on-chain at block ${included}, before beacon ` +
        `block ${block.number}: the list may have been chosen after the beacon's hash was known`,
    )
  } else if (before !== null) {
    result.problems.push(
      `anchor: round ${roundId}'s eligible commitment was already on-chain at block ${included - 1}: the beacon ` +
        `must be the block right after the one that included it, so block ${block.number} may have been picked ` +
        `among later blocks for the sample it gives`,
    )
  } else
    result.checked.push(
      `eligible list equals the commitment anchored in block ${included}, right before beacon block ${block.number}`,
    )
  return result
}
