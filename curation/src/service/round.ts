/**
 * Jury rounds: open (commit to a seed, freeze the root version), freeze (record the eligible markets and their
 * exposure with a commitment to them, publish it, then fix the beacon block), reveal (check the seed against its
 * commitment and the eligible list against its own, mix the seed with the beacon, draw the sample), close (tally,
 * verdicts, the export's Merkle root). Each step's transactions lock the round row, re-read its state and do
 * nothing when the step already ran, so the job queue may run any step twice, or again after a crash inside it.
 * The timeline and its reasons are in ../jury/round.ts; the sampling rule in ../jury/sampling.ts.
 */
import { randomBytes } from 'node:crypto'
import type { Database } from '@curia/db'
import { CurationError } from '../errors'
import { parseBallotContent, roundScope, type Vote } from '../jury/ballot'
import { eligibleSetHash } from '../jury/eligible'
import { exportMerkleRoot } from '../jury/export'
import { JURY_TREE_DEPTH } from '../jury/group'
import type { Hex32 } from '../jury/hash'
import {
  assertRoundParams,
  beaconAfterCommitment,
  FIRST_WINDOW_START_MS,
  roundParamsRecord,
  type RoundParams,
} from '../jury/round'
import { drawSample, isSeed, mixSeed, seedCommitment, type Beacon, type BeaconKind } from '../jury/sampling'
import { tallyBallots, type Verdict } from '../jury/tally'
import { constraintName, inTransaction, isRetryable, type Tx } from '../ledger/transaction'
import { buildRoundExport } from './audit'
import { closeDueMarkets } from './market'

export type RoundStatus = 'committed' | 'frozen' | 'voting' | 'closed'

/** The beacon as it stands: chosen at opening, its block fixed at freeze, its hash read at reveal. */
export type StoredBeacon =
  { kind: 'operator' } | { kind: 'block'; chainId: number; number?: number; hash?: Hex32 }

/** Where the block beacon comes from: viem against an RPC in production (jury-beacon.ts), anvil or fixed in tests. */
export interface BlockSource {
  chainId: number
  latestBlockNumber(): Promise<number>
  /** The block's hash, or undefined while it is not mined yet. */
  getBlockHash(blockNumber: number): Promise<Hex32 | undefined>
}

/** Where a round's eligible commitment was anchored: the chain and the block that included it. */
export interface CommitmentBlock {
  chainId: number
  blockNumber: number
}

/** A round as anyone may see it: the seed appears only once revealed. */
export interface RoundSummary {
  id: number
  status: RoundStatus
  scope: string
  treeDepth: number
  openedAt: string
  windowStartsAt: string
  windowEndsAt: string
  votingMs: number
  rootVersion: number
  root: string | null
  params: RoundParams
  seedCommitment: Hex32
  beacon: StoredBeacon
  frozenAt: string | null
  /** The commitment to the eligible list, from freeze (null before, and in rounds frozen before it existed). */
  eligibleHash: Hex32 | null
  seed: Hex32 | null
  mixedSeed: Hex32 | null
  revealedAt: string | null
  votingEndsAt: string | null
  closedAt: string | null
  exportRoot: Hex32 | null
  /** When the jury worker found the export root anchored on-chain; null while it is not (or nothing anchors). */
  exportAnchoredAt: string | null
  settledAt: string | null
}

export interface StepResult {
  round: RoundSummary
  /** False when the step had already run (or, for open, a round is still collecting): nothing changed. */
  changed: boolean
}

export interface OpenRoundOptions {
  now: Date
  /** How long the round's window collects closed markets: the cadence. */
  windowMs: number
  /** How long voting lasts once the sample is drawn. */
  votingMs: number
  params: RoundParams
  beacon: { kind: 'operator' } | { kind: 'block'; chainId: number }
  /** The secret seed; random when absent (tests pass one). */
  seed?: Hex32
}

/**
 * Opens the next round: its window starts where the last one ended (the first takes everything before), the current
 * root version is frozen as the only root its proofs may use, and the seed commitment is published. While a round
 * is still collecting (its window not over) nothing opens: `{ changed: false }` with that round.
 */
export async function openRound(database: Database, opts: OpenRoundOptions): Promise<StepResult> {
  assertRoundParams(opts.params)
  if (!Number.isSafeInteger(opts.windowMs) || opts.windowMs <= 0)
    throw new TypeError('windowMs must be positive')
  if (!Number.isSafeInteger(opts.votingMs) || opts.votingMs <= 0)
    throw new TypeError('votingMs must be positive')
  const seed = opts.seed ?? `0x${randomBytes(32).toString('hex')}`
  if (!isSeed(seed)) throw new CurationError('bad_request', 'A seed is 32 bytes of lowercase 0x hex.')
  const nowMs = opts.now.getTime()
  const beacon: StoredBeacon =
    opts.beacon.kind === 'operator' ? { kind: 'operator' } : { kind: 'block', chainId: opts.beacon.chainId }
  return inTransaction(
    database,
    async (tx) => {
      const [last] = await tx<{ id: string; endsMs: number }[]>`
        select id::text, (extract(epoch from window_ends_at) * 1000)::float8 as "endsMs"
        from jury_round order by window_ends_at desc limit 1 for update`
      if (last && last.endsMs > nowMs) {
        return { round: (await selectRound(tx, Number(last.id)))!, changed: false }
      }
      const startsMs = last ? last.endsMs : FIRST_WINDOW_START_MS
      const endsMs = Math.max(nowMs, startsMs) + opts.windowMs
      const [head] = await tx<{ version: number; root: string | null }[]>`
        select version, root from jury_group where id = 1 for share`
      const [row] = await tx<{ id: string }[]>`
        insert into jury_round (status, scope, opened_at, window_starts_at, window_ends_at, voting_ms, root_version,
          root, params, seed_commitment, beacon)
        values ('committed', '0', ${opts.now.toISOString()}::timestamptz,
          ${new Date(startsMs).toISOString()}::timestamptz, ${new Date(endsMs).toISOString()}::timestamptz,
          ${opts.votingMs}, ${head?.version ?? 0}, ${head?.root ?? null},
          ${JSON.stringify(roundParamsRecord(opts.params))}::jsonb, ${seedCommitment(seed)},
          ${JSON.stringify(beacon)}::jsonb)
        returning id::text`
      const id = Number(row!.id)
      await tx`update jury_round set scope = ${roundScope(id).toString()} where id = ${id}`
      await tx`insert into jury_round_secret (round_id, seed) values (${id}, ${seed})`
      return { round: (await selectRound(tx, id))!, changed: true }
    },
    // Two openers racing for the same window: the loser runs again and finds the winner's round collecting.
    { retryOn: (err) => isRetryable(err) || constraintName(err) === 'jury_round_window_starts_at_key' },
  )
}

/**
 * Freezes eligibility once the window is over, in two parts.
 *
 * First, one transaction (after marking due markets closed): every closed market not yet in a round whose trading
 * closed before the window's end is recorded with its post's exposure now, and `eligibleSetHash` of that list is
 * stored on the round, which is then `frozen`. "Not yet in a round", not "closed inside the window": a market
 * committed after an earlier freeze with its close inside that freeze's window (a clock behind, an opening that
 * waited on locks across the window's end) is taken by the next round rather than left unjudged, its escrow locked.
 *
 * Then, for a block beacon, once that commit is visible to every reader: `publishEligible` (the jury worker anchors
 * the commitment on-chain) and only after it the beacon block. Anchored on the beacon's chain, the beacon block is
 * the one right after the block that included the commitment (`beaconAfterCommitment`): the rule leaves the
 * operator no block to pick, which `verify-round --anchor` checks (a beacon "the one after the latest" would let an
 * operator holding the seed wait, compute each new block's sample, and record the block it liked). Its hash cannot
 * be known while the list is decided or before its commitment is public, so the list cannot be edited to steer
 * the sample either. Unanchored (no chain for the worker to write to), the beacon block is the one after the
 * latest, and nothing public shows that the operator did not pick it.
 * A crash between the parts leaves a frozen round without a beacon block; running freeze again finishes it.
 */
export async function freezeRound(
  database: Database,
  opts: {
    roundId: number
    now: Date
    blocks?: BlockSource | undefined
    /**
     * Idempotent: a freeze finished after a crash calls it again. Errors propagate (the step is retried). Resolves
     * to the block that holds the commitment (on every call, the first or a repeat), or nothing when it is not on a
     * chain.
     */
    publishEligible?: ((round: RoundSummary) => Promise<CommitmentBlock | void>) | undefined
  },
): Promise<StepResult> {
  const before = await requireRound(database.sql, opts.roundId)
  if (before.status !== 'committed' && !awaitsBeaconBlock(before)) return { round: before, changed: false }
  if (before.status === 'committed' && opts.now.getTime() < Date.parse(before.windowEndsAt)) {
    throw new CurationError(
      'round_state',
      `Round ${before.id}'s window is open until ${before.windowEndsAt}.`,
    )
  }
  const blocks =
    before.beacon.kind === 'block' ? requireBlocks(opts.blocks, before.beacon.chainId) : undefined
  let round = before
  let changed = false
  if (before.status === 'committed') {
    await closeDueMarkets(database, { now: opts.now })
    const frozen = await inTransaction(database, (tx) => recordEligible(tx, opts.roundId, opts.now))
    round = frozen.round
    changed = frozen.changed
  }
  if (!awaitsBeaconBlock(round) || !blocks) return { round, changed }
  const committedIn = await opts.publishEligible?.(round)
  const number =
    committedIn && committedIn.chainId === blocks.chainId
      ? beaconAfterCommitment(committedIn.blockNumber)
      : (await blocks.latestBlockNumber()) + 1
  return inTransaction(database, async (tx) => {
    const locked = await lockRound(tx, opts.roundId)
    if (!awaitsBeaconBlock(locked)) return { round: locked, changed }
    const beacon: StoredBeacon = { kind: 'block', chainId: blocks.chainId, number }
    await tx`update jury_round set beacon = ${JSON.stringify(beacon)}::jsonb where id = ${locked.id}`
    return { round: (await selectRound(tx, locked.id))!, changed: true }
  })
}

/** Freeze's first part: the eligible list and its commitment, under the round's lock. */
async function recordEligible(tx: Tx, roundId: number, now: Date): Promise<StepResult> {
  const round = await lockRound(tx, roundId)
  if (round.status !== 'committed') return { round, changed: false }
  await tx`
    insert into jury_round_market (round_id, market_id, post_uri, exposure)
    select ${round.id}, m.id, m.post_uri, coalesce(e.impressions, 0)
    from market m
    left join post p on p.uri = m.post_uri
    left join feed_exposure e on e.post_id = p.id
    where m.status = 'closed' and m.closes_at < ${round.windowEndsAt}::timestamptz
      and not exists (select 1 from jury_round_market j where j.market_id = m.id)
    order by m.id`
  const eligibleHash = eligibleSetHash(round.id, await selectEligible(tx, round.id))
  await tx`
    update jury_round set status = 'frozen', frozen_at = ${now.toISOString()}::timestamptz,
      eligible_hash = ${eligibleHash}
    where id = ${round.id}`
  return { round: (await selectRound(tx, round.id))!, changed: true }
}

/** A frozen round whose beacon block freeze has not chosen yet. */
function awaitsBeaconBlock(round: RoundSummary): boolean {
  return round.status === 'frozen' && round.beacon.kind === 'block' && round.beacon.number === undefined
}

async function selectEligible(
  sql: Tx | Database['sql'],
  roundId: number,
): Promise<{ marketId: number; postUri: string; exposure: number }[]> {
  const rows = await sql<{ marketId: string; postUri: string; exposure: string }[]>`
    select market_id::text as "marketId", post_uri as "postUri", exposure::text from jury_round_market
    where round_id = ${roundId} order by market_id`
  return rows.map((r) => ({ marketId: Number(r.marketId), postUri: r.postUri, exposure: Number(r.exposure) }))
}

/**
 * Reveals the seed (the stored secret, or one the operator passes by hand: either must match the commitment),
 * mixes it with the beacon and draws the sample; voting opens for `voting_ms`. A block beacon whose block is not
 * mined yet refuses with `beacon_pending` (the job queue retries).
 */
export async function revealRound(
  database: Database,
  opts: { roundId: number; now: Date; blocks?: BlockSource | undefined; seed?: Hex32 },
): Promise<StepResult> {
  const before = await requireRound(database.sql, opts.roundId)
  if (before.status !== 'frozen') {
    if (before.status === 'committed') {
      throw new CurationError('round_state', `Round ${before.id} is not frozen yet.`)
    }
    return { round: before, changed: false }
  }
  let beacon: Beacon = { kind: 'operator' }
  if (before.beacon.kind === 'block') {
    const { chainId, number } = before.beacon
    if (number === undefined) {
      throw new CurationError(
        'round_state',
        `Round ${before.id}'s freeze has not chosen its beacon block yet (it does once the eligible list's commitment is public).`,
      )
    }
    const hash = await requireBlocks(opts.blocks, chainId).getBlockHash(number)
    if (hash === undefined) {
      throw new CurationError('beacon_pending', `Block ${number} is not mined yet; the reveal waits for it.`)
    }
    beacon = { kind: 'block', chainId, number, hash }
  }
  return inTransaction(database, async (tx) => {
    const round = await lockRound(tx, opts.roundId)
    if (round.status !== 'frozen') return { round, changed: false }
    let seed = opts.seed
    if (seed === undefined) {
      const [secret] = await tx<
        { seed: Hex32 }[]
      >`select seed from jury_round_secret where round_id = ${round.id}`
      if (!secret)
        throw new CurationError('seed_mismatch', `Round ${round.id} has no stored seed; pass it by hand.`)
      seed = secret.seed
    }
    if (!isSeed(seed) || seedCommitment(seed) !== round.seedCommitment) {
      throw new CurationError('seed_mismatch', `That seed does not match round ${round.id}'s commitment.`)
    }
    const mixedSeed = mixSeed(seed, beacon)
    const eligible = await selectEligible(tx, round.id)
    // The sample is drawn from the list committed to at freeze, or not at all: rows edited since (an exposure
    // raised, a market dropped, once the beacon told what the sample would be) are refused, loudly.
    if (round.eligibleHash !== null && eligibleSetHash(round.id, eligible) !== round.eligibleHash) {
      throw new Error(
        `round ${round.id}: the eligible markets no longer hash to the commitment fixed at freeze (${round.eligibleHash}); no sample is drawn from them`,
      )
    }
    const { probabilities, sampled } = drawSample(mixedSeed, eligible, round.params)
    if (probabilities.length > 0) {
      const inSample = new Set(sampled)
      await tx`
        update jury_round_market j set probability = t.p, sampled = t.s
        from unnest(${tx.array(probabilities.map((p) => String(p.marketId)))}::bigint[],
                    ${tx.array(probabilities.map((p) => String(p.probability)))}::float8[],
                    ${tx.array(probabilities.map((p) => String(inSample.has(p.marketId))))}::boolean[]) as t(id, p, s)
        where j.round_id = ${round.id} and j.market_id = t.id`
    }
    const votingEndsAt = new Date(opts.now.getTime() + round.votingMs).toISOString()
    await tx`
      update jury_round set status = 'voting', seed = ${seed}, mixed_seed = ${mixedSeed},
        beacon = ${JSON.stringify(beacon)}::jsonb, revealed_at = ${opts.now.toISOString()}::timestamptz,
        voting_ends_at = ${votingEndsAt}::timestamptz
      where id = ${round.id}`
    return { round: (await selectRound(tx, round.id))!, changed: true }
  })
}

/**
 * Closes voting: tallies every ballot over the sampled posts, records each verdict, and fixes the export's Merkle
 * root. The round row's lock waits for ballots being inserted (they hold it shared), so none slips in after.
 */
export async function closeRound(
  database: Database,
  opts: { roundId: number; now: Date },
): Promise<StepResult> {
  return inTransaction(database, async (tx) => {
    const round = await lockRound(tx, opts.roundId)
    if (round.status === 'closed') return { round, changed: false }
    if (round.status !== 'voting') {
      throw new CurationError('round_state', `Round ${round.id} is ${round.status}, not voting.`)
    }
    if (opts.now.getTime() < Date.parse(round.votingEndsAt!)) {
      throw new CurationError('round_state', `Round ${round.id} is voting until ${round.votingEndsAt}.`)
    }
    const sampled = await tx<{ marketId: string; postUri: string }[]>`
      select market_id::text as "marketId", post_uri as "postUri" from jury_round_market
      where round_id = ${round.id} and sampled order by market_id`
    const ballots = await tx<
      { content: string }[]
    >`select content from jury_ballot where round_id = ${round.id}`
    // Every stored ballot passed parseBallotContent on the way in; parsing again cannot fail on honest data.
    const votes: Map<string, Vote>[] = ballots.map((b) => parseBallotContent(b.content))
    const tallies = tallyBallots(
      sampled.map((s) => s.postUri),
      votes,
      round.params.quorum,
    )
    if (tallies.length > 0) {
      await tx`
        update jury_round_market j
        set endorse_votes = t.e, reject_votes = t.r, abstain_votes = t.a, verdict = t.v
        from unnest(${tx.array(sampled.map((s) => s.marketId))}::bigint[],
                    ${tx.array(tallies.map((t) => String(t.endorse)))}::int[],
                    ${tx.array(tallies.map((t) => String(t.reject)))}::int[],
                    ${tx.array(tallies.map((t) => String(t.abstain)))}::int[],
                    ${tx.array(tallies.map((t) => t.verdict))}::text[]) as t(id, e, r, a, v)
        where j.round_id = ${round.id} and j.market_id = t.id`
    }
    const closedAt = opts.now.toISOString()
    const exp = await buildRoundExport(tx, round.id, { closedAt })
    await tx`
      update jury_round set status = 'closed', closed_at = ${closedAt}::timestamptz,
        export_root = ${exportMerkleRoot(exp)}
      where id = ${round.id}`
    return { round: (await selectRound(tx, round.id))!, changed: true }
  })
}

/** Records that the settlement hook ran for a closed round (idempotent). */
export async function markRoundSettled(
  database: Database,
  opts: { roundId: number; now: Date },
): Promise<StepResult> {
  return inTransaction(database, async (tx) => {
    const round = await lockRound(tx, opts.roundId)
    if (round.status !== 'closed') {
      throw new CurationError('round_state', `Round ${round.id} is ${round.status}, not closed.`)
    }
    if (round.settledAt !== null) return { round, changed: false }
    await tx`update jury_round set settled_at = ${opts.now.toISOString()}::timestamptz where id = ${round.id}`
    return { round: (await selectRound(tx, round.id))!, changed: true }
  })
}

export interface RoundMarketOutcome {
  marketId: number
  postUri: string
  sampled: boolean
  /** The jury's verdict for a sampled market; null for one the sample passed over. */
  verdict: Verdict | null
}

/** Every eligible market of a closed round and what the jury decided (for settlement). */
export async function listRoundOutcomes(
  database: Pick<Database, 'sql'>,
  roundId: number,
): Promise<RoundMarketOutcome[]> {
  const round = await requireRound(database.sql, roundId)
  if (round.status !== 'closed') {
    throw new CurationError('round_state', `Round ${round.id} is ${round.status}: verdicts come at close.`)
  }
  const rows = await database.sql<
    { marketId: string; postUri: string; sampled: boolean; verdict: Verdict | null }[]
  >`
    select market_id::text as "marketId", post_uri as "postUri", sampled, verdict
    from jury_round_market where round_id = ${roundId} order by market_id`
  return rows.map((r) => ({
    marketId: Number(r.marketId),
    postUri: r.postUri,
    sampled: r.sampled,
    verdict: r.verdict,
  }))
}

/**
 * A closed round's outcomes in settlement's vocabulary (`settleMarkets`' verdicts): endorse -> yes, reject -> no,
 * void (no quorum) -> void, not sampled -> unsampled.
 */
export async function roundSettlementVerdicts(
  database: Pick<Database, 'sql'>,
  roundId: number,
): Promise<Map<number, 'yes' | 'no' | 'void' | 'unsampled'>> {
  const map = { endorse: 'yes', reject: 'no', void: 'void' } as const
  const outcomes = await listRoundOutcomes(database, roundId)
  return new Map(outcomes.map((o) => [o.marketId, o.verdict === null ? 'unsampled' : map[o.verdict]]))
}

export async function getRound(
  database: Pick<Database, 'sql'>,
  roundId: number,
): Promise<RoundSummary | undefined> {
  if (!Number.isSafeInteger(roundId) || roundId <= 0) return undefined
  return selectRound(database.sql, roundId)
}

/** Rounds, newest first. */
export async function listRounds(
  database: Pick<Database, 'sql'>,
  opts: { limit?: number; status?: RoundStatus } = {},
): Promise<RoundSummary[]> {
  const { sql } = database
  const limit = Math.min(Math.max(1, Math.floor(opts.limit ?? 50)), 500)
  const rows = await sql<RoundRow[]>`
    select ${sql.unsafe(ROUND_COLUMNS)} from jury_round
    where ${opts.status === undefined ? sql`true` : sql`status = ${opts.status}`}
    order by id desc limit ${limit}`
  return rows.map(toSummary)
}

/**
 * The latest round and every round not yet closed and settled (and, with `anchoring`, not yet anchored), newest
 * first: what the job worker schedules.
 */
export async function listUnfinishedRounds(
  database: Pick<Database, 'sql'>,
  opts: { anchoring?: boolean } = {},
): Promise<RoundSummary[]> {
  const { sql } = database
  const rows = await sql<RoundRow[]>`
    select ${sql.unsafe(ROUND_COLUMNS)} from jury_round
    where status <> 'closed' or settled_at is null or id = (select max(id) from jury_round)
      or (${opts.anchoring === true} and export_anchored_at is null)
    order by id desc`
  return rows.map(toSummary)
}

export interface BallotSheet {
  roundId: number
  scope: string
  treeDepth: number
  /** The root version to rebuild (getGroupCommitments) and prove against. */
  rootVersion: number
  root: string | null
  votingEndsAt: string
  /** The sampled posts, by URI. Never a price, a market id or a trade count: jurors judge the post. */
  posts: { postUri: string }[]
  /**
   * With the juror's round nullifier, what picks the posts its ballot covers (../jury/assignment.ts); the juror
   * computes it on its device, so fetching the sheet reveals nothing. postsPerBallot null: all of them.
   */
  mixedSeed: Hex32
  postsPerBallot: number | null
}

/** What a juror needs to vote in a round that is voting: the posts to judge and what to prove against. */
export async function getRoundBallotSheet(
  database: Pick<Database, 'sql'>,
  roundId: number,
): Promise<BallotSheet> {
  const round = await requireRound(database.sql, roundId)
  if (round.status !== 'voting') {
    throw new CurationError('voting_closed', `Round ${round.id} is ${round.status}, not voting.`)
  }
  const rows = await database.sql<{ postUri: string }[]>`
    select post_uri as "postUri" from jury_round_market where round_id = ${roundId} and sampled order by post_uri`
  return {
    roundId: round.id,
    scope: round.scope,
    treeDepth: round.treeDepth,
    rootVersion: round.rootVersion,
    root: round.root,
    votingEndsAt: round.votingEndsAt!,
    posts: rows.map((r) => ({ postUri: r.postUri })),
    mixedSeed: round.mixedSeed!,
    postsPerBallot: round.params.postsPerBallot ?? null,
  }
}

/** The kinds of beacon a round may choose. */
export const BEACON_KINDS: readonly BeaconKind[] = ['operator', 'block']

function requireBlocks(blocks: BlockSource | undefined, chainId: number): BlockSource {
  if (!blocks)
    throw new CurationError('beacon_pending', 'This round uses a block beacon: a chain source is needed.')
  if (blocks.chainId !== chainId) {
    throw new CurationError(
      'beacon_pending',
      `This round's beacon is on chain ${chainId}, not ${blocks.chainId}.`,
    )
  }
  return blocks
}

async function requireRound(sql: Tx | Database['sql'], roundId: number): Promise<RoundSummary> {
  const round = Number.isSafeInteger(roundId) && roundId > 0 ? await selectRound(sql, roundId) : undefined
  if (!round) throw new CurationError('unknown_round', `There is no round ${roundId}.`)
  return round
}

async function lockRound(tx: Tx, roundId: number): Promise<RoundSummary> {
  const [row] = await tx<
    RoundRow[]
  >`select ${tx.unsafe(ROUND_COLUMNS)} from jury_round where id = ${roundId} for update`
  if (!row) throw new CurationError('unknown_round', `There is no round ${roundId}.`)
  return toSummary(row)
}

const ts = (column: string, as: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "${as}"`

const ROUND_COLUMNS = `
  id::text, status, scope, ${ts('opened_at', 'openedAt')}, ${ts('window_starts_at', 'windowStartsAt')},
  ${ts('window_ends_at', 'windowEndsAt')}, voting_ms::text as "votingMs", root_version as "rootVersion", root,
  params, seed_commitment as "seedCommitment", beacon, ${ts('frozen_at', 'frozenAt')},
  eligible_hash as "eligibleHash", seed, mixed_seed as "mixedSeed",
  ${ts('revealed_at', 'revealedAt')}, ${ts('voting_ends_at', 'votingEndsAt')}, ${ts('closed_at', 'closedAt')},
  export_root as "exportRoot", ${ts('export_anchored_at', 'exportAnchoredAt')}, ${ts('settled_at', 'settledAt')}`

interface RoundRow extends Omit<RoundSummary, 'id' | 'votingMs' | 'treeDepth'> {
  id: string
  votingMs: string
}

export async function selectRound(
  sql: Tx | Database['sql'],
  roundId: number,
): Promise<RoundSummary | undefined> {
  const [row] = await sql<
    RoundRow[]
  >`select ${sql.unsafe(ROUND_COLUMNS)} from jury_round where id = ${roundId}`
  return row ? toSummary(row) : undefined
}

function toSummary(r: RoundRow): RoundSummary {
  return { ...r, id: Number(r.id), votingMs: Number(r.votingMs), treeDepth: JURY_TREE_DEPTH }
}
