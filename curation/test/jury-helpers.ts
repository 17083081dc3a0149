/** Shared set-up for the jury's database tests: markets with exposure, and real Semaphore proofs. */
import { generateProof, type Group, type Identity, type SemaphoreProof } from '@semaphore-protocol/core'
import type { Database } from '@curia/db'
import { ballotMessage, canonicalBallotContent, roundScope, type Vote } from '../src/jury/ballot'
import { JURY_TREE_DEPTH } from '../src/jury/group'
import type { Hex32 } from '../src/jury/hash'
import type { RoundParams } from '../src/jury/round'
import { DEFAULT_MARKET_PARAMS } from '../src/market/params'
import { semaphoreArtifacts } from '../src/service/jury-artifacts'
import { DEFAULT_JURY_CONFIG, type JuryConfig } from '../src/service/jury-config'
import { addMember } from '../src/service/jury-group'
import { openMarket } from '../src/service/market'
import { openRound } from '../src/service/round'
import { fundLedger } from './helpers'

export const HOUR = 3_600_000
export const MINUTE = 60_000
export const T0 = new Date('2026-03-01T00:00:00Z')
export const at = (ms: number) => new Date(T0.getTime() + ms)
export const postUri = (n: number | string) => `at://did:plc:jurytest/app.bsky.feed.post/${n}`

/** The job worker on a 3-second cadence (1.5 s of voting), polling twice a second; one juror makes a quorum. */
export const FAST_JURY_CONFIG: JuryConfig = {
  ...DEFAULT_JURY_CONFIG,
  cadenceMs: 3_000,
  votingMs: 1_500,
  pollSeconds: 0.5,
  params: { pMin: 0.5, pMax: 1, halfExposure: 10, capacity: 10, quorum: 1 },
}

/** Markets trade for an hour after their post. */
export const MARKET_PARAMS = { ...DEFAULT_MARKET_PARAMS, windowMs: HOUR, openFeeMicro: 0n }

export async function setupMarkets(
  database: Database,
  posts: { n: number | string; createdAt: Date; impressions?: number }[],
): Promise<{ marketId: number; postUri: string; postId: number }[]> {
  await fundLedger(database, { now: T0 })
  const out = []
  for (const p of posts) {
    const uri = postUri(p.n)
    const [row] = await database.sql<{ id: string }[]>`
      insert into post (uri, cid, author_did, text, created_at)
      values (${uri}, 'bafytest', 'did:plc:jurytest', ${`post ${p.n}`}, ${p.createdAt.toISOString()}::timestamptz)
      returning id::text`
    const postId = Number(row!.id)
    if (p.impressions !== undefined) {
      await database.sql`insert into feed_exposure (post_id, impressions) values (${postId}, ${p.impressions})`
    }
    const { market } = await openMarket(database, { postUri: uri, now: p.createdAt, params: MARKET_PARAMS })
    out.push({ marketId: market.id, postUri: uri, postId })
  }
  return out
}

/**
 * Admits `jurors` at T0, opens a market on posts 1..n (made half an hour before T0, post i + 1 with `impressions[i]`)
 * and opens a round over them at T0 under the operator's beacon, with an hour of voting; resolves to the round's id.
 */
export async function openJuryRound(
  database: Database,
  opts: {
    jurors: readonly Identity[]
    impressions: readonly number[]
    windowMs: number
    params: RoundParams
    seed?: Hex32
  },
): Promise<number> {
  for (const j of opts.jurors) await addMember(database, { commitment: j.commitment, now: T0 })
  await setupMarkets(
    database,
    opts.impressions.map((impressions, i) => ({ n: i + 1, createdAt: at(-30 * MINUTE), impressions })),
  )
  const { round } = await openRound(database, {
    now: T0,
    windowMs: opts.windowMs,
    votingMs: HOUR,
    params: opts.params,
    beacon: { kind: 'operator' },
    seed: opts.seed,
  })
  return round.id
}

/** A real Semaphore proof of `votes` for a round, against `group` (a copy of its Merkle path is taken). */
export async function proveBallot(opts: {
  identity: Identity
  group: Group
  roundId: number
  votes: Iterable<readonly [string, Vote]>
  depth?: number
  /** Override the scope (a proof made for something else). */
  scope?: bigint
}): Promise<{ proof: SemaphoreProof; content: string }> {
  const content = canonicalBallotContent(opts.votes)
  const depth = opts.depth ?? JURY_TREE_DEPTH
  const index = opts.group.indexOf(opts.identity.commitment)
  if (index < 0) throw new Error('identity not in the group')
  const path = opts.group.generateMerkleProof(index)
  const proof = await generateProof(
    opts.identity,
    // generateProof pads the siblings in place: hand it a copy.
    { ...path, siblings: [...path.siblings] },
    ballotMessage(content),
    opts.scope ?? roundScope(opts.roundId),
    depth,
    semaphoreArtifacts(depth),
  )
  return { proof, content }
}

export async function terminateCurve(): Promise<void> {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate()
}
