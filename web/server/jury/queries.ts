import 'server-only'
import type { Database } from '@curia/db'
import { parseBallotContent, type Vote } from '@curia/curation/jury/ballot'
import type { RoundExport } from '@curia/curation/jury/export'
import { exportRound } from '@curia/curation/service/audit'
import { countMembers, countMembersAt, getGroupHead } from '@curia/curation/service/jury-group'
import { getRound, getRoundBallotSheet, listRounds, type RoundSummary } from '@curia/curation/service/round'
import { postUrl } from '../../lib/bsky-urls'
import type { FeedPostView } from '../../lib/feed-types'
import type { BallotPostView, BallotSheetView } from '../../lib/jury/types'
import { presentPost, type BlobUrlTemplates, type HydratedPostRow } from '../present-post'
import { hydratePostsByUri } from '../queries/feed'
import { artifactManifest } from './artifacts'

/**
 * The jury's read side for pages: skeleton (the round's records from @curia/curation) -> hydrate (the posts from
 * Curia's index) -> present (DTOs). What a page may show depends on the round's state: the sample only once the
 * seed is revealed, tallies and ballots only once the round has closed.
 */

/** Where the worker fetches the commitments of a root version. */
export const groupUrl = (rootVersion: number) => `/api/jury/group/${rootVersion}`

/**
 * The ballot sheet with what the juror's device needs to work out which sampled posts its ballot covers
 * (`assignBallotPosts` from @curia/curation/jury/assignment, with the round nullifier it computes from its own
 * identity). Every juror gets the same sheet, every sampled post included: the server never learns which posts a
 * juror was assigned before the ballot arrives.
 */
export interface AssignedBallotSheetView extends BallotSheetView {
  /** The round's mixed seed (0x hex), public since the reveal. */
  mixedSeed: string
  /** Posts each ballot covers; null: every sampled post (a round opened before assignment). */
  postsPerBallot: number | null
}

/** The ballot of a round that is voting (throws `voting_closed` / `unknown_round` otherwise). */
export async function loadBallotSheet(
  database: Database,
  urls: BlobUrlTemplates,
  roundId: number,
): Promise<AssignedBallotSheetView> {
  const sheet = await getRoundBallotSheet(database, roundId)
  // The jury judges what curators bet on: each post as its market opened, whatever its author did since.
  const rows = await hydratePostsByUri(
    database.sql,
    sheet.posts.map((p) => p.postUri),
    { asTraded: true },
  )
  const byUri = new Map(rows.map((row) => [row.uri, row]))
  return {
    roundId: sheet.roundId,
    scope: sheet.scope,
    treeDepth: sheet.treeDepth,
    rootVersion: sheet.rootVersion,
    root: sheet.root,
    votingEndsAt: sheet.votingEndsAt,
    posts: sheet.posts.map((p) => {
      const row = byUri.get(p.postUri)
      return {
        postUri: p.postUri,
        post: row ? presentForJury(row, urls) : null,
        bskyUrl: postUrl(p.postUri),
        changedSince: row?.tradedChange ?? null,
      }
    }),
    groupUrl: groupUrl(sheet.rootVersion),
    artifacts: artifactManifest(),
    mixedSeed: sheet.mixedSeed,
    postsPerBallot: sheet.postsPerBallot,
  }
}

export interface RoundListItem {
  id: number
  status: RoundSummary['status']
  openedAt: string
  windowEndsAt: string
  votingEndsAt: string | null
  closedAt: string | null
  settledAt: string | null
  members: number
  eligible: number | null
  sampled: number | null
  ballots: number | null
}

/** Rounds, newest first, with what each may show in its state. */
export async function loadRoundList(database: Database, limit = 50): Promise<RoundListItem[]> {
  const rounds = await listRounds(database, { limit })
  if (rounds.length === 0) return []
  const ids = rounds.map((r) => String(r.id))
  const counts = await database.sql<
    { roundId: string; eligible: number; sampled: number; ballots: number }[]
  >`
    select r.id::text as "roundId",
      (select count(*)::int from jury_round_market m where m.round_id = r.id) as eligible,
      (select count(*)::int from jury_round_market m where m.round_id = r.id and m.sampled) as sampled,
      (select count(*)::int from jury_ballot b where b.round_id = r.id) as ballots
    from jury_round r where r.id = any(${database.sql.array(ids)}::bigint[])`
  const byId = new Map(counts.map((c) => [Number(c.roundId), c]))
  // Members in each round's frozen root: its leaves minus those removed by then (a root version is not a size).
  const members = await countMembers(
    database,
    rounds.map((r) => r.rootVersion),
  )
  return rounds.map((r) => {
    const c = byId.get(r.id)
    const revealed = r.status === 'voting' || r.status === 'closed'
    return {
      id: r.id,
      status: r.status,
      openedAt: r.openedAt,
      windowEndsAt: r.windowEndsAt,
      votingEndsAt: r.votingEndsAt,
      closedAt: r.closedAt,
      settledAt: r.settledAt,
      members: members.get(r.rootVersion) ?? 0,
      eligible: r.status === 'committed' ? null : (c?.eligible ?? 0),
      sampled: revealed ? (c?.sampled ?? 0) : null,
      // How many voted is part of the tally: published at close.
      ballots: r.status === 'closed' ? (c?.ballots ?? 0) : null,
    }
  })
}

export interface AuditBallotView {
  nullifier: string
  content: string
  votes: { postUri: string; vote: Vote }[]
}

export type RoundPageView = {
  /** Members in the round's frozen root (its leaves minus those removed by then). */
  members: number
} & (
  | { kind: 'open'; round: RoundSummary; eligible: number | null; sampled: BallotPostView[] | null }
  | {
      kind: 'closed'
      round: RoundSummary
      exp: RoundExport
      posts: Record<string, BallotPostView>
      ballots: AuditBallotView[]
    }
)

/** A round's public page; undefined for a round that does not exist. */
export async function loadRoundPage(
  database: Database,
  urls: BlobUrlTemplates,
  roundId: number,
): Promise<RoundPageView | undefined> {
  const round = await getRound(database, roundId)
  if (!round) return undefined
  const members = await countMembersAt(database, round.rootVersion)
  if (round.status !== 'closed') {
    const [row] = await database.sql<{ eligible: number }[]>`
      select count(*)::int as eligible from jury_round_market where round_id = ${round.id}`
    let sampled: BallotPostView[] | null = null
    if (round.status === 'voting') {
      const sheet = await getRoundBallotSheet(database, round.id)
      const posts = await presentPosts(
        database,
        urls,
        sheet.posts.map((p) => p.postUri),
      )
      sampled = sheet.posts.map((p) => ({
        postUri: p.postUri,
        post: posts.get(p.postUri) ?? null,
        bskyUrl: postUrl(p.postUri),
      }))
    }
    return {
      kind: 'open',
      members,
      round,
      eligible: round.status === 'committed' ? null : (row?.eligible ?? 0),
      sampled,
    }
  }
  const exp = await exportRound(database, round.id)
  const uris = exp.tallies.map((t) => t.postUri)
  const presented = await presentPosts(database, urls, uris)
  const posts: Record<string, BallotPostView> = {}
  for (const uri of uris) {
    posts[uri] = { postUri: uri, post: presented.get(uri) ?? null, bskyUrl: postUrl(uri) }
  }
  const ballots = exp.ballots.map((b) => ({
    nullifier: b.nullifier,
    content: b.content,
    votes: [...parseBallotContent(b.content)].map(([postUri, vote]) => ({ postUri, vote })),
  }))
  return { kind: 'closed', members, round, exp, posts, ballots }
}

/** The JSON export of a closed round (throws `round_state` before close, `unknown_round` for no round). */
export function loadRoundExport(database: Database, roundId: number): Promise<RoundExport> {
  return exportRound(database, roundId)
}

/** How many members the jury has now (for the jury's landing page): removed members do not count. */
export async function loadJurySize(database: Database): Promise<number> {
  const { version } = await getGroupHead(database)
  return countMembersAt(database, version)
}

/**
 * What a juror coming to the jury's page needs to know about rounds: the one taking ballots now (the newest voting
 * round), and the next round whose ballot is still to open (the oldest one collecting closed markets or drawing its
 * sample), so that a juror who finds no ballot learns when to come back.
 */
export interface JuryAgenda {
  voting: RoundSummary | undefined
  next: RoundSummary | undefined
}

export async function loadJuryAgenda(database: Database): Promise<JuryAgenda> {
  // Rounds are opened on a cadence and overlap by at most a few: the newest ten hold every unfinished one.
  const rounds = await listRounds(database, { limit: 10 })
  return {
    voting: rounds.find((r) => r.status === 'voting'),
    next: rounds.findLast((r) => r.status === 'committed' || r.status === 'frozen'),
  }
}

/** Live posts by URI, as `presentForJury` shows them (the public round pages). */
async function presentPosts(
  database: Database,
  urls: BlobUrlTemplates,
  uris: readonly string[],
): Promise<Map<string, FeedPostView>> {
  const rows = await hydratePostsByUri(database.sql, uris)
  return new Map(rows.map((row) => [row.uri, presentForJury(row, urls)]))
}

/**
 * A post as the feed presents it, minus anything about its market: a juror judges the post, not what curators bet
 * on it (the price would anchor the vote the market is trying to predict).
 */
function presentForJury(row: HydratedPostRow, urls: BlobUrlTemplates): FeedPostView {
  return { ...presentPost(row, '', urls), market: null, path: null }
}
