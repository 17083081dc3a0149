/**
 * What the jury's pages, its API routes and its proof worker exchange. Times are ISO 8601 UTC; field elements
 * (commitments, roots, nullifiers, scopes) are canonical decimal strings, as Semaphore prints them.
 */
import type { SemaphoreProof } from '@semaphore-protocol/core'
import type { Vote } from '@curia/curation/jury/ballot'
import type { FeedPostView } from '../feed-types'

export type { Vote }

/** One artifact file as the prover downloads it: from Curia, checked against its sha256. */
export interface ArtifactRef {
  url: string
  bytes: number
  /** Hex sha256. */
  sha256: string
}

export interface ArtifactManifest {
  depth: number
  wasm: ArtifactRef
  zkey: ArtifactRef
}

/** A sampled post on the ballot: the post as the feed shows it, never its price, market or traders. */
export interface BallotPostView {
  postUri: string
  /**
   * On a ballot, the post as it stood when its market opened; elsewhere, as it is now. Null when Curia has no copy
   * (a market opened before copies were kept, on a post since deleted): the juror may still abstain.
   */
  post: FeedPostView | null
  bskyUrl: string | null
  /** On a ballot: what the post's author has done to it since its market opened, if anything. */
  changedSince?: TradedPostChange | null
}

/** `deleted` the post, `rewritten` it at the same address, or deactivated or deleted their `account`. */
export type TradedPostChange = 'deleted' | 'rewritten' | 'account'

/** Everything the ballot page needs to build, prove and send one ballot. */
export interface BallotSheetView {
  roundId: number
  /** Decimal: roundScope(roundId). */
  scope: string
  treeDepth: number
  rootVersion: number
  root: string | null
  votingEndsAt: string
  posts: BallotPostView[]
  /** Where the worker reads the frozen root's commitments (the whole group, never one member's path). */
  groupUrl: string
  artifacts: ArtifactManifest
}

/** The ballot route's answers. */
export type BallotResponse =
  | { status: 'accepted'; roundId: number; nullifier: string }
  | { status: 'refused'; code: string; message: string }

// --- The page <-> proof worker protocol ---------------------------------------------------------------------

export interface ProveRequest {
  type: 'prove'
  id: number
  /** The identity's exported private key (base64). It stays on this device: page -> worker, never the network. */
  privateKey: string
  groupUrl: string
  /** The root the round froze: the rebuilt tree must have exactly it. */
  root: string
  scope: string
  /** The juror's choices; the worker builds the canonical content and its message (sha256) from them. */
  votes: [string, Vote][]
  depth: number
  artifacts: ArtifactManifest
}

/**
 * A membership proof for any scope and message against a given group export: the verified-human faucet's claim
 * (scope `FAUCET_SCOPE`, message `faucetMessage(did)`), say. The page passes the values the server rendered.
 */
export interface ProveSignalRequest {
  type: 'prove-signal'
  id: number
  /** The identity's exported private key (base64). It stays on this device: page -> worker, never the network. */
  privateKey: string
  /** Where the worker reads the group version's commitments (the whole group, never one member's path). */
  groupUrl: string
  /** That version's root: the rebuilt tree must have exactly it. */
  root: string
  /** Decimal field elements. */
  scope: string
  message: string
  depth: number
  /** What the proof is for: the words of the worker's refusals. */
  purpose: 'faucet'
  artifacts: ArtifactManifest
}

export interface WarmRequest {
  type: 'warm'
  artifacts: ArtifactManifest
  /** The round's member list to fetch and rebuild ahead of proving. */
  group?: { url: string; root: string }
}

export type WorkerRequest = ProveRequest | ProveSignalRequest | WarmRequest

export type ProvePhase = 'artifacts' | 'group' | 'proving'

export interface ProveTimings {
  /** Waiting for the artifacts (0 when already cached in the worker). */
  artifactsMs: number
  /** Fetching the commitments and rebuilding the tree. */
  groupMs: number
  /** generateProof alone. */
  proveMs: number
}

export type WorkerMessage =
  | { type: 'warm-progress'; loadedBytes: number; totalBytes: number }
  | { type: 'warm-done'; ms: number }
  | { type: 'warm-failed'; message: string }
  | { type: 'progress'; id: number; phase: ProvePhase; loadedBytes?: number; totalBytes?: number }
  | { type: 'proof'; id: number; proof: SemaphoreProof; content: string; timings: ProveTimings }
  | { type: 'signal-proof'; id: number; proof: SemaphoreProof; timings: ProveTimings }
  | { type: 'prove-failed'; id: number; code: ProveFailure; message: string }

/** Why the worker could not prove (each gets its own sentence on the page). */
export type ProveFailure =
  'not_member' | 'root_mismatch' | 'artifacts_unavailable' | 'group_unavailable' | 'bad_identity' | 'failed'
