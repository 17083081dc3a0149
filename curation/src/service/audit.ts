/**
 * A closed round's export: every ballot (proof, nullifier, content), the seed and its commitment, the beacon, the
 * eligible set with exposures and the commitment to it fixed at freeze, the sample, the frozen root with the commitments that rebuild it, the tallies and
 * verdicts, and the Merkle root anchoring all of it. `scripts/verify-round.ts` checks one with no server.
 */
import type { SemaphoreProof } from '@semaphore-protocol/core'
import type { Database } from '@curia/db'
import { CurationError } from '../errors'
import {
  exportMerkleRoot,
  ROUND_EXPORT_FORMAT,
  ROUND_EXPORT_FORMAT_V1,
  sortBallots,
  type RoundExport,
} from '../jury/export'
import { JURY_TREE_DEPTH } from '../jury/group'
import type { Beacon } from '../jury/sampling'
import type { Verdict } from '../jury/tally'
import type { Tx } from '../ledger/transaction'
import { loadGroupExport } from './jury-group'
import { selectRound } from './round'

/** The export of a closed round, with its Merkle root (the one fixed at close). */
export async function exportRound(database: Pick<Database, 'sql'>, roundId: number): Promise<RoundExport> {
  const round =
    Number.isSafeInteger(roundId) && roundId > 0 ? await selectRound(database.sql, roundId) : undefined
  if (!round) throw new CurationError('unknown_round', `There is no round ${roundId}.`)
  if (round.status !== 'closed') {
    throw new CurationError(
      'round_state',
      `Round ${round.id} is ${round.status}: it is published when it closes.`,
    )
  }
  const exp = await buildRoundExport(database.sql, roundId, { closedAt: round.closedAt! })
  if (exp.merkleRoot !== round.exportRoot) {
    // The tables changed after close: nothing may, so say so loudly rather than publish a different record.
    throw new Error(
      `round ${roundId}: export hashes to ${exp.merkleRoot}, the root fixed at close is ${round.exportRoot}`,
    )
  }
  return exp
}

/**
 * Builds the export from the tables (inside close's transaction, before the round row says closed, hence
 * `closedAt` passed in).
 */
export async function buildRoundExport(
  sql: Tx | Database['sql'],
  roundId: number,
  opts: { closedAt: string },
): Promise<RoundExport> {
  const round = await selectRound(sql, roundId)
  if (
    !round ||
    round.seed === null ||
    round.mixedSeed === null ||
    (round.beacon.kind === 'block' && !round.beacon.hash)
  ) {
    throw new CurationError('round_state', `Round ${roundId} has not revealed its sample.`)
  }
  const group = await loadGroupExport(sql, round.rootVersion)
  const eligible = await sql<
    { marketId: string; postUri: string; exposure: string; probability: number; sampled: boolean }[]
  >`
    select market_id::text as "marketId", post_uri as "postUri", exposure::text, probability, sampled
    from jury_round_market where round_id = ${roundId} order by market_id`
  const ballots = await sql<{ nullifier: string; content: string; proof: SemaphoreProof }[]>`
    select nullifier, content, proof from jury_ballot where round_id = ${roundId}`
  const tallies = await sql<
    {
      marketId: string
      postUri: string
      endorse: number
      reject: number
      abstain: number
      verdict: Verdict
    }[]
  >`
    select market_id::text as "marketId", post_uri as "postUri", endorse_votes as endorse, reject_votes as reject,
      abstain_votes as abstain, verdict
    from jury_round_market where round_id = ${roundId} and sampled order by market_id`
  const body: Omit<RoundExport, 'merkleRoot'> = {
    // A round frozen before the eligible commitment existed keeps the v1 shape its root was fixed over.
    format: round.eligibleHash === null ? ROUND_EXPORT_FORMAT_V1 : ROUND_EXPORT_FORMAT,
    round: {
      id: round.id,
      scope: round.scope,
      treeDepth: JURY_TREE_DEPTH,
      params: round.params,
      openedAt: round.openedAt,
      windowStartsAt: round.windowStartsAt,
      windowEndsAt: round.windowEndsAt,
      frozenAt: round.frozenAt!,
      revealedAt: round.revealedAt!,
      votingEndsAt: round.votingEndsAt!,
      closedAt: opts.closedAt,
    },
    seed: {
      commitment: round.seedCommitment,
      seed: round.seed,
      beacon: round.beacon as Beacon,
      mixedSeed: round.mixedSeed,
    },
    group: { rootVersion: round.rootVersion, root: round.root, commitments: group.commitments },
    ...(round.eligibleHash === null ? {} : { eligibleHash: round.eligibleHash }),
    eligible: eligible.map((m) => ({
      marketId: Number(m.marketId),
      postUri: m.postUri,
      exposure: Number(m.exposure),
      probability: m.probability,
      sampled: m.sampled,
    })),
    sample: eligible.filter((m) => m.sampled).map((m) => Number(m.marketId)),
    ballots: sortBallots(ballots).map((b) => ({
      nullifier: b.nullifier,
      content: b.content,
      proof: b.proof,
    })),
    tallies: tallies.map((t) => ({
      marketId: Number(t.marketId),
      postUri: t.postUri,
      endorse: t.endorse,
      reject: t.reject,
      abstain: t.abstain,
      verdict: t.verdict,
    })),
  }
  return { ...body, merkleRoot: exportMerkleRoot(body) }
}
