/**
 * The demo's simulated jurors. Each has a deterministic Semaphore identity and is admitted through Curia's real
 * admission service: the first half through the operator's allowlist, the rest with invite codes the first half
 * create (a small web of trust). Whenever a round is voting, each juror rebuilds the round's tree from every
 * commitment, proves a real ballot at the jury's fixed depth, and sends it: to the web app's ballot route when a
 * URL is given (exactly what a browser sends), else straight to the ballot service. Votes follow the same hidden
 * quality the demo's curators trade on (`quality:<uri>`), seen through each juror's own noise, so verdicts mostly
 * agree with the better-informed curators and the market has something to forecast.
 *
 * Rounds run on the jury worker's cadence. Nothing in the demo waits 48 hours: `npm run demo` sets short windows
 * (markets close 2.4 minutes after a post, a round every 3 minutes, 2 minutes of voting); override any of them:
 *
 *   CURIA_MARKET_WINDOW_HOURS   trading closes this long after a post (markets must close to be judged)
 *   CURIA_JURY_CADENCE_MINUTES  a round opens this often; its window collects the markets that closed meanwhile
 *   CURIA_JURY_VOTING_MINUTES   how long jurors vote once the sample is drawn
 *   CURIA_JURY_P_MIN            the least chance a closed market is sampled (the default, 0.05, samples few)
 *   CURIA_JURY_QUORUM           endorse + reject votes a verdict needs
 *   CURIA_JURY_POSTS_PER_BALLOT posts each juror judges, assigned by its round nullifier (default 12): with J jurors
 *                               and n sampled posts a post expects J * 12 / n votes, so keep n small or J large
 *   CURIA_DEMO_JURORS           how many simulated jurors (default 6; at most the simulated accounts)
 *
 * Pass `rounds` (a parsed JuryConfig) to run the jury worker (`startJuryWorker`: open, freeze, reveal, close, settle)
 * here, once the jurors are enrolled, for a Curia started with CURIA_JURY_ENABLED=false: the demo does, because a
 * round freezes the group's root when it opens, and a round opened before anyone enrolled could take no ballots.
 * `stop()` lets a ballot in progress finish, stops that worker, and terminates snarkjs's curve threads so the
 * process can exit.
 */
import { createHash } from 'node:crypto'
import { Group, Identity, generateProof } from '@semaphore-protocol/core'
import type { Database } from '@curia/db'
import type { InvitePolicy } from '@curia/curation/admission/admission-config'
import { allowlistVerifier } from '@curia/curation/admission/allowlist'
import { inviteVerifier } from '@curia/curation/admission/invite'
import { isCurationError } from '@curia/curation/errors'
import { assignBallotPosts } from '@curia/curation/jury/assignment'
import { ballotMessage, canonicalBallotContent, roundScope, type Vote } from '@curia/curation/jury/ballot'
import { JURY_TREE_DEPTH } from '@curia/curation/jury/group'
import { semaphoreNullifier } from '@curia/curation/jury/nullifier'
import {
  addToAllowlist,
  admitJuror,
  createInvite,
  createOperatorInvites,
} from '@curia/curation/service/admission'
import { submitBallot } from '@curia/curation/service/ballot'
import { semaphoreArtifacts } from '@curia/curation/service/jury-artifacts'
import type { JuryConfig } from '@curia/curation/service/jury-config'
import { getGroupCommitments } from '@curia/curation/service/jury-group'
import { startJuryWorker, type JuryWorker } from '@curia/curation/service/jury-jobs'
import { getRoundBallotSheet, listRounds } from '@curia/curation/service/round'
import { settleRound } from '@curia/curation/service/settlement'

export interface DemoJurorsOptions {
  database: Database
  log: (line: string) => void
  /** The simulated accounts' DIDs; the first `count` become jurors. */
  dids: string[]
  seed: number
  /** Jurors to enroll (default 6). */
  count?: number
  /** How often to look for a round that is voting (default 5 s). One ballot is proved per look. */
  intervalMs?: number
  /** The web app (e.g. http://localhost:3000): ballots go to its /api/jury/ballots, as from a browser. */
  webUrl?: string
  /** Invites members may create; the default is Curia's (3 per 30 days, valid 14 days). */
  invitePolicy?: InvitePolicy
  /** Run the jury's round cadence (open, freeze, reveal, close, settle) in this process with this config. */
  rounds?: JuryConfig
}

export interface DemoJurors {
  jurors: { did: string; commitment: string; via: 'allowlist' | 'invite' }[]
  /** An operator invite for a person trying the demo: sign in and paste it on /jury. */
  guestInvite: string
  stop(): Promise<void>
}

const DEFAULT_INVITES: InvitePolicy = { perPeriod: 3, periodMs: 30 * 86_400_000, ttlMs: 14 * 86_400_000 }

/** Uniform in [0, 1) from a string (the same construction as the demo's curators). */
function unit(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32
}

/**
 * A juror's vote on a post: the hidden quality plus this juror's noise; close calls are abstentions (they do not
 * count toward the quorum, so a post nobody can call is refunded rather than decided by a coin flip).
 */
export function demoVote(seed: number, did: string, postUri: string): Vote {
  const seen = unit(`quality:${postUri}`) + (unit(`${seed}:juror:${did}:${postUri}`) - 0.5) * 0.4
  if (Math.abs(seen - 0.5) < 0.05) return 'abstain'
  return seen > 0.5 ? 'endorse' : 'reject'
}

export async function startDemoJurors(opts: DemoJurorsOptions): Promise<DemoJurors> {
  const { database, log, seed } = opts
  const policy = opts.invitePolicy ?? DEFAULT_INVITES
  const count = Math.min(opts.count ?? 6, opts.dids.length)
  const firstHalf = Math.max(1, Math.ceil(count / 2))
  const members: { did: string; identity: Identity; via: 'allowlist' | 'invite' }[] = []

  for (let i = 0; i < count; i++) {
    const did = opts.dids[i]!
    const identity = new Identity(`curia-demo-juror-${seed}-${did}`)
    const now = new Date()
    const viaAllowlist = i < firstHalf
    try {
      if (viaAllowlist) {
        await addToAllowlist(database, { by: 'demo', did, note: 'demo juror', now })
        await admitJuror(database, {
          verifier: allowlistVerifier(),
          evidence: { did },
          commitment: identity.commitment,
          now,
        })
      } else {
        // Invited by one of the allowlisted jurors, round robin: a two-level invite tree.
        const inviter = members[(i - firstHalf) % firstHalf]!.did
        const { code } = await createInvite(database, { inviter, now, policy })
        await admitJuror(database, {
          verifier: inviteVerifier(),
          evidence: { did, code },
          commitment: identity.commitment,
          now,
        })
      }
    } catch (err) {
      // A demo restarted on the same data: the juror is already in.
      if (!isCurationError(err, 'already_admitted')) throw err
    }
    members.push({ did, identity, via: viaAllowlist ? 'allowlist' : 'invite' })
  }
  const [guest] = await createOperatorInvites(database, { by: 'demo', count: 1, now: new Date(), policy })
  log(
    `${members.length} simulated jurors enrolled (${firstHalf} through the allowlist, ${members.length - firstHalf} ` +
      `by their invites); to join the jury yourself, sign in and use invite ${guest!.code} on /jury`,
  )

  let worker: JuryWorker | undefined
  if (opts.rounds) {
    worker = await startJuryWorker({ database, config: opts.rounds, log, settleRound })
  }

  /** `<round>:<did>` for every ballot sent (or not possible: not a member of that round's root). */
  const done = new Set<string>()
  let stopped = false
  let running: Promise<void> | undefined

  async function send(body: { roundId: number; proof: unknown; content: string }): Promise<string> {
    if (opts.webUrl) {
      const res = await fetch(`${opts.webUrl}/api/jury/ballots`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })
      const answer = (await res.json()) as { status: string; code?: string; message?: string }
      return answer.status === 'accepted' ? 'accepted' : (answer.code ?? `HTTP ${res.status}`)
    }
    try {
      await submitBallot(database, body)
      return 'accepted'
    } catch (err) {
      if (isCurationError(err)) return err.code
      throw err
    }
  }

  async function voteOnce(): Promise<void> {
    for (const round of await listRounds(database, { status: 'voting', limit: 5 })) {
      const pending = members.filter((m) => !done.has(`${round.id}:${m.did}`))
      if (pending.length === 0) continue
      let sheet
      try {
        sheet = await getRoundBallotSheet(database, round.id)
      } catch (err) {
        if (isCurationError(err, 'voting_closed')) continue
        throw err
      }
      const { commitments } = await getGroupCommitments(database, { rootVersion: sheet.rootVersion })
      const juror = pending[0]!
      const key = `${round.id}:${juror.did}`
      if (!commitments.includes(juror.identity.commitment.toString()) || sheet.posts.length === 0) {
        done.add(key) // enrolled after this round froze its members, or nothing to judge
        continue
      }
      // The posts this juror's ballot must cover: a hash of its round nullifier picks them (the server checks it).
      const assigned = assignBallotPosts({
        mixedSeed: sheet.mixedSeed,
        nullifier: semaphoreNullifier(juror.identity.secretScalar, roundScope(round.id)),
        sampledPostUris: sheet.posts.map((p) => p.postUri),
        postsPerBallot: sheet.postsPerBallot ?? undefined,
      })
      const votes = assigned.map((uri): [string, Vote] => [uri, demoVote(seed, juror.did, uri)])
      const content = canonicalBallotContent(votes)
      const t0 = performance.now()
      const proof = await generateProof(
        juror.identity,
        new Group(commitments.map((c) => BigInt(c))),
        ballotMessage(content),
        roundScope(round.id),
        JURY_TREE_DEPTH,
        semaphoreArtifacts(JURY_TREE_DEPTH),
      )
      const outcome = await send({ roundId: round.id, proof, content })
      if (outcome === 'accepted' || outcome === 'duplicate_ballot' || outcome === 'voting_closed')
        done.add(key)
      const tally = votes.map(([, v]) => v[0]).join('')
      log(
        `juror …${juror.did.slice(-8)} ${outcome === 'accepted' ? 'voted' : `was refused (${outcome})`} in round ` +
          `${round.id} on ${votes.length} of ${sheet.posts.length} sampled posts [${tally}], proof ` +
          `${Math.round(performance.now() - t0)} ms`,
      )
      return // one proof per tick: proving takes the CPU for a few seconds
    }
  }

  const timer = setInterval(() => {
    if (stopped || running) return
    running = voteOnce()
      .catch((err: unknown) => log(`jurors: ${(err as Error).message}`))
      .finally(() => {
        running = undefined
      })
  }, opts.intervalMs ?? 5_000)

  return {
    jurors: members.map((m) => ({ did: m.did, commitment: m.identity.commitment.toString(), via: m.via })),
    guestInvite: guest!.code,
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
      await worker?.stop()
      // snarkjs's curve keeps worker threads (and so the process) alive until terminated.
      await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate()
    },
  }
}
