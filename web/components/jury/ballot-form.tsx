'use client'

import { useEffect, useId, useRef, useState, type ReactNode } from 'react'
import type { Vote } from '@curia/curation/jury/ballot'
import { ballotAssignment } from '../../lib/jury/ballot-assignment'
import { loadIdentities, type StoredIdentity } from '../../lib/jury/identity-store'
import {
  ProverError,
  startProver,
  type Prover,
  type ProveProgress,
  type WarmState,
} from '../../lib/jury/prover'
import type { BallotResponse, ProveTimings } from '../../lib/jury/types'
import { markVoted, votedIn } from '../../lib/jury/voted-store'
import { focusRing } from '../../lib/styles'
import { IdentitySelect, percent, ProvingStatus } from './proving-parts'
import type { AssignedBallotSheetView } from '../../server/jury/queries'

// The page imports nothing from the proving stack (snarkjs, the prover): the worker builds the content and the
// proof. Which posts this juror judges it works out itself (`ballotAssignment`: the round nullifier from the
// identity, then the round's assignment), loading Semaphore's identity package only when it holds an identity.
const VOTES = ['endorse', 'reject', 'abstain'] as const satisfies readonly Vote[]
const VOTE_LABELS: Record<Vote, string> = { endorse: 'Endorse', reject: 'Reject', abstain: 'Abstain' }

type Stage =
  | { kind: 'choosing' }
  | { kind: 'proving'; progress: ProveProgress; startedAt: number }
  | { kind: 'sending'; timings: ProveTimings }
  | { kind: 'accepted'; nullifier: string; timings: ProveTimings | null }
  | { kind: 'refused'; code: string; message: string; retry: PendingBallot | null }

interface PendingBallot {
  body: string
  timings: ProveTimings
}

/**
 * The juror's ballot: one choice per post assigned to this juror, then a proof made in a Web Worker on this device
 * and a POST without credentials. The server learns the votes and that some member cast them, nothing else: no
 * cookie, no account, no Merkle path request. `cards` are the sampled posts, rendered on the server (never with
 * their prices); every juror receives all of them, and this page shows the ones its identity is assigned. `images`
 * are every card's remote images: all are loaded first, whichever posts are shown, so the image host sees the
 * same requests from every juror (`cardImageUrls`).
 */
export function BallotForm({
  sheet,
  cards,
  images,
}: {
  sheet: Omit<AssignedBallotSheetView, 'posts'> & { posts: { postUri: string }[] }
  cards: Record<string, ReactNode>
  images: readonly string[]
}) {
  const [votes, setVotes] = useState<Partial<Record<string, Vote>>>({})
  const [identities, setIdentities] = useState<StoredIdentity[] | null>(null)
  const [chosen, setChosen] = useState<string>('')
  /** The chosen identity's assigned posts (by commitment, so a switch of identity never shows stale posts). */
  const [assignment, setAssignment] = useState<{ commitment: string; posts: string[] } | null>(null)
  const [warm, setWarm] = useState<WarmState>({ status: 'loading', loadedBytes: 0, totalBytes: 1 })
  const [stage, setStage] = useState<Stage>({ kind: 'choosing' })
  const [already, setAlready] = useState<string | null>(null)
  const prover = useRef<Prover | null>(null)
  const ids = useId()

  useEffect(() => {
    const list = loadIdentities()
    setIdentities(list)
    setChosen(list.at(-1)?.commitment ?? '')
    setAlready(votedIn(sheet.roundId))
    // Nothing to prove with (no identity on this device) or nobody could vote: no 5 MB download.
    if (sheet.root === null || list.length === 0) return
    const p = startProver(sheet.artifacts, setWarm, { url: sheet.groupUrl, root: sheet.root })
    prover.current = p
    return () => {
      p.terminate()
      prover.current = null
    }
  }, [sheet])

  usePreloadedImages(images)

  const identity = identities?.find((i) => i.commitment === chosen)

  // Whether the chosen identity is in the group the round froze at its opening (a juror admitted since votes from
  // the next round): from the same whole-group file the prover reads (cached, and the same for every visitor), so
  // the page can say so before the juror judges anything rather than after a proof.
  const [members, setMembers] = useState<ReadonlySet<string> | null>(null)
  useEffect(() => {
    if (sheet.root === null || !identities?.length) return
    let live = true
    fetch(sheet.groupUrl, { credentials: 'omit' })
      .then((res) => (res.ok ? (res.json() as Promise<{ commitments?: unknown }>) : null))
      .then((group) => {
        // Unreadable: the prover will say why when it gets there.
        if (live && group && Array.isArray(group.commitments))
          setMembers(new Set(group.commitments.map(String)))
      })
      .catch(() => {})
    return () => {
      live = false
    }
  }, [sheet, identities])
  const outsider = identity !== undefined && members !== null && !members.has(identity.commitment)

  useEffect(() => {
    if (!identity) return
    let live = true
    ballotAssignment(identity.privateKey, sheet).then(
      ({ posts }) => {
        if (live) setAssignment({ commitment: identity.commitment, posts })
      },
      () => {
        // A key that cannot be read fails the proof too; show the whole sample meanwhile, the server decides.
        if (live) setAssignment({ commitment: identity.commitment, posts: sheet.posts.map((p) => p.postUri) })
      },
    )
    return () => {
      live = false
    }
  }, [identity, sheet])

  // With an identity: its assigned posts once known (none while this device's identities load or the assignment is
  // computed, so the whole sample never flashes up first). Without one: the whole sample, to read.
  const assigned =
    identities === null
      ? null
      : identity
        ? assignment?.commitment === identity.commitment
          ? assignment.posts
          : null
        : undefined
  const shown =
    assigned === undefined ? sheet.posts : assigned === null ? [] : assigned.map((postUri) => ({ postUri }))
  const missing = assigned ? assigned.filter((uri) => !votes[uri]).length : sheet.posts.length
  const busy = stage.kind === 'proving' || stage.kind === 'sending'
  const done = stage.kind === 'accepted'

  async function send(pending: PendingBallot): Promise<void> {
    setStage({ kind: 'sending', timings: pending.timings })
    let res: Response
    try {
      // No cookie, no session: a ballot must not be linkable to the account that enrolled.
      res = await fetch('/api/jury/ballots', {
        method: 'POST',
        credentials: 'omit',
        cache: 'no-store',
        headers: { 'Content-Type': 'application/json' },
        body: pending.body,
      })
    } catch {
      setStage({
        kind: 'refused',
        code: 'network',
        message: 'The ballot could not be sent (network). Sending it again is safe: it counts once.',
        retry: pending,
      })
      return
    }
    const answer = (await res.json().catch(() => null)) as BallotResponse | null
    if (answer?.status === 'accepted') {
      markVoted(sheet.roundId, answer.nullifier)
      setStage({ kind: 'accepted', nullifier: answer.nullifier, timings: pending.timings })
      return
    }
    const code = answer?.code ?? 'unavailable'
    setStage({
      kind: 'refused',
      code,
      message: refusalSentence(code, answer?.message),
      retry: code === 'unavailable' ? pending : null,
    })
  }

  async function submit(): Promise<void> {
    if (!identity || !assigned || !prover.current || sheet.root === null || missing > 0 || outsider) return
    // Exactly the assigned posts: a vote left over from another identity's assignment is not sent.
    const choices = assigned.map((uri): [string, Vote] => [uri, votes[uri]!])
    const startedAt = Date.now()
    setStage({ kind: 'proving', progress: { phase: 'artifacts' }, startedAt })
    let proved
    try {
      proved = await prover.current.prove(
        {
          privateKey: identity.privateKey,
          groupUrl: sheet.groupUrl,
          root: sheet.root,
          scope: sheet.scope,
          votes: choices,
          depth: sheet.treeDepth,
        },
        (progress) => setStage({ kind: 'proving', progress, startedAt }),
      )
    } catch (err) {
      setStage({
        kind: 'refused',
        code: err instanceof ProverError ? err.code : 'failed',
        message: err instanceof Error ? err.message : String(err),
        retry: null,
      })
      return
    }
    await send({
      body: JSON.stringify({ roundId: sheet.roundId, proof: proved.proof, content: proved.content }),
      timings: proved.timings,
    })
  }

  return (
    <form
      aria-label="Ballot"
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}
    >
      <AssignmentLine
        sampled={sheet.posts.length}
        assigned={assigned}
        postsPerBallot={sheet.postsPerBallot}
      />
      {outsider ? (
        <p
          role="alert"
          className="mx-4 mt-3 rounded-lg bg-amber-50 px-4 py-3 text-sm text-amber-900 sm:mx-5 dark:bg-amber-950 dark:text-amber-200"
          data-testid="ballot-not-member"
        >
          This identity was not a member of the jury when round {sheet.roundId} opened (it joined after, or it
          was removed), so it cannot vote in this round. Members vote in rounds that open after they join.
        </p>
      ) : null}
      <ol className="divide-y divide-zinc-200 dark:divide-zinc-800">
        {shown.map((p, i) => (
          <li key={p.postUri} data-testid="ballot-post" data-uri={p.postUri}>
            {cards[p.postUri]}
            <fieldset className="px-4 pb-4 sm:px-5" disabled={busy || done || !assigned || outsider}>
              <legend className="sr-only">Your verdict on post {i + 1}</legend>
              <div className="flex flex-wrap gap-2 sm:ml-[3.25rem]">
                {VOTES.map((vote) => (
                  <label
                    key={vote}
                    className={`cursor-pointer rounded-full border px-3.5 py-1.5 text-sm font-medium has-[:checked]:border-zinc-900 has-[:checked]:bg-zinc-900 has-[:checked]:text-white has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-sky-600 dark:has-[:checked]:border-zinc-100 dark:has-[:checked]:bg-zinc-100 dark:has-[:checked]:text-zinc-900 ${
                      vote === 'abstain'
                        ? 'border-zinc-300 text-zinc-600 dark:border-zinc-700 dark:text-zinc-300'
                        : 'border-zinc-300 text-zinc-800 dark:border-zinc-700 dark:text-zinc-100'
                    }`}
                  >
                    <input
                      type="radio"
                      className="sr-only"
                      name={`${ids}-vote-${i}`}
                      value={vote}
                      checked={votes[p.postUri] === vote}
                      onChange={() => setVotes((v) => ({ ...v, [p.postUri]: vote }))}
                    />
                    {VOTE_LABELS[vote]}
                  </label>
                ))}
              </div>
            </fieldset>
          </li>
        ))}
      </ol>

      <div className="border-t border-zinc-200 px-4 py-4 sm:px-5 dark:border-zinc-800">
        <IdentityPicker
          identities={identities}
          chosen={chosen}
          onChoose={setChosen}
          disabled={busy || done}
        />
        {already && stage.kind === 'choosing' ? (
          <p className="mt-2 text-sm text-amber-800 dark:text-amber-300" data-testid="ballot-already">
            This device already sent a ballot in this round. The first ballot stands; a second one is refused.
          </p>
        ) : null}
        <div className={`mt-3 flex flex-wrap items-center gap-3 ${done ? 'hidden' : ''}`}>
          <button
            type="submit"
            disabled={
              !identity || !assigned || busy || done || missing > 0 || sheet.root === null || outsider
            }
            className={`rounded-full bg-zinc-900 px-5 py-2.5 text-sm font-semibold text-white transition-colors hover:bg-zinc-700 disabled:cursor-not-allowed disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300 ${focusRing}`}
          >
            {stage.kind === 'proving'
              ? 'Proving…'
              : stage.kind === 'sending'
                ? 'Sending…'
                : 'Prove and send ballot'}
          </button>
          {missing > 0 && !done ? (
            <span className="text-sm text-zinc-600 dark:text-zinc-400">
              {!assigned
                ? ''
                : missing === assigned.length
                  ? 'Choose a verdict for each post (abstaining is a choice).'
                  : `${missing} post${missing === 1 ? '' : 's'} left to judge.`}
            </span>
          ) : null}
        </div>
        <WarmLine warm={warm} hidden={stage.kind !== 'choosing' || !identities?.length} />
        <StageLine stage={stage} onRetry={(p) => void send(p)} />
      </div>
    </form>
  )
}

/**
 * Loads every image in `urls` as the page mounts, before any card is shown, and keeps them for the page's life:
 * the shown cards' <img> elements then take them from the document's images (and the HTTP cache) instead of asking
 * the host again for just their own.
 */
function usePreloadedImages(urls: readonly string[]): void {
  const kept = useRef<HTMLImageElement[]>([])
  useEffect(() => {
    kept.current = urls.map((url) => {
      const image = new Image()
      image.referrerPolicy = 'no-referrer'
      image.decoding = 'async'
      image.src = url
      return image
    })
  }, [urls])
}

/** Says how many of the sampled posts this ballot covers, and why these. */
function AssignmentLine({
  sampled,
  assigned,
  postsPerBallot,
}: {
  sampled: number
  /** undefined: no identity on this device; null: being worked out. */
  assigned: string[] | null | undefined
  postsPerBallot: number | null
}) {
  if (assigned === undefined) {
    return (
      <p
        className="px-4 pt-4 text-sm text-zinc-600 sm:px-5 dark:text-zinc-400"
        data-testid="ballot-assignment"
      >
        The round sampled {sampled} post{sampled === 1 ? '' : 's'}
        {postsPerBallot !== null && postsPerBallot < sampled
          ? `; each juror judges ${postsPerBallot} of them, assigned to their identity`
          : ''}
        .
      </p>
    )
  }
  if (assigned === null) {
    return (
      <p
        className="px-4 pt-4 text-sm text-zinc-600 sm:px-5 dark:text-zinc-400"
        data-testid="ballot-assignment"
      >
        Working out which posts are yours to judge…
      </p>
    )
  }
  return (
    <p
      className="px-4 pt-4 text-sm text-zinc-600 sm:px-5 dark:text-zinc-400"
      data-testid="ballot-assignment"
      data-assigned={assigned.length}
      data-sampled={sampled}
    >
      {assigned.length === sampled
        ? `Your ballot covers all ${sampled} sampled post${sampled === 1 ? '' : 's'}.`
        : `Your ballot covers ${assigned.length} of the ${sampled} sampled posts, picked by a hash of your ` +
          'anonymous ballot identifier for this round: nobody chooses what they judge, and the server checks ' +
          'it without learning who you are.'}
    </p>
  )
}

function IdentityPicker({
  identities,
  chosen,
  onChoose,
  disabled,
}: {
  identities: StoredIdentity[] | null
  chosen: string
  onChoose: (commitment: string) => void
  disabled: boolean
}) {
  const id = useId()
  if (identities === null) return null
  if (identities.length === 0) {
    return (
      <p className="text-sm text-zinc-700 dark:text-zinc-300" data-testid="ballot-no-identity">
        This device holds no juror identity.{' '}
        <a href="/jury" className="text-sky-700 underline dark:text-sky-400">
          Enroll or import your backup
        </a>{' '}
        to vote.
      </p>
    )
  }
  if (identities.length === 1) {
    return (
      <p className="text-xs text-zinc-600 dark:text-zinc-400">
        Voting with the juror identity stored on this device
        {identities[0]!.did ? ` (enrolled as ${identities[0]!.did})` : ''}. Its secret never leaves this
        browser.
      </p>
    )
  }
  return (
    <IdentitySelect
      id={id}
      label="Vote as"
      identities={identities}
      chosen={chosen}
      onChoose={onChoose}
      disabled={disabled}
    />
  )
}

function WarmLine({ warm, hidden }: { warm: WarmState; hidden: boolean }) {
  if (hidden) return null
  const text =
    warm.status === 'ready'
      ? 'Prover ready on this device.'
      : warm.status === 'failed'
        ? `The prover could not start: ${warm.message}`
        : `Preparing the prover on this device… ${percent(warm.loadedBytes, warm.totalBytes)}`
  return (
    <p
      className={`mt-2 text-xs ${warm.status === 'failed' ? 'text-red-700 dark:text-red-400' : 'text-zinc-600 dark:text-zinc-400'}`}
      data-testid="prover-status"
      data-state={warm.status}
      data-warm-ms={warm.status === 'ready' ? Math.round(warm.ms) : undefined}
    >
      {text}
    </p>
  )
}

function StageLine({ stage, onRetry }: { stage: Stage; onRetry: (pending: PendingBallot) => void }) {
  if (stage.kind === 'choosing') return null
  if (stage.kind === 'proving') {
    const { progress } = stage
    return (
      <ProvingStatus
        progress={progress}
        startedAt={stage.startedAt}
        bytes={progress.totalBytes ? { loaded: progress.loadedBytes ?? 0, total: progress.totalBytes } : null}
        testId="ballot-status"
        barLabel="Ballot progress"
      />
    )
  }
  if (stage.kind === 'sending') {
    return (
      <p
        className="mt-3 text-sm text-zinc-700 dark:text-zinc-200"
        role="status"
        data-testid="ballot-status"
        data-phase="sending"
      >
        Proof made in {(stage.timings.proveMs / 1000).toFixed(1)} s. Sending the ballot anonymously…
      </p>
    )
  }
  if (stage.kind === 'accepted') {
    return (
      <div
        className="mt-3 rounded-lg bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200"
        role="status"
        data-testid="ballot-status"
        data-phase="accepted"
        data-prove-ms={stage.timings ? Math.round(stage.timings.proveMs) : undefined}
        data-group-ms={stage.timings ? Math.round(stage.timings.groupMs) : undefined}
      >
        <p className="font-semibold">Your ballot is in.</p>
        <p className="mt-1">
          It is counted once and published with the round when voting closes. Its nullifier (the round&apos;s
          record of it, unlinkable to you):{' '}
          <code className="break-all text-xs" data-testid="ballot-nullifier">
            {stage.nullifier}
          </code>
        </p>
      </div>
    )
  }
  return (
    <div
      className="mt-3 rounded-lg bg-red-50 px-4 py-3 text-sm text-red-900 dark:bg-red-950 dark:text-red-200"
      role="alert"
      data-testid="ballot-status"
      data-phase="refused"
      data-code={stage.code}
    >
      <p>{stage.message}</p>
      {stage.retry ? (
        <button
          type="button"
          onClick={() => onRetry(stage.retry!)}
          className={`mt-2 rounded-full border border-red-300 px-3 py-1 text-sm font-medium dark:border-red-800 ${focusRing}`}
        >
          Send again
        </button>
      ) : null}
    </div>
  )
}

function refusalSentence(code: string, message: string | undefined): string {
  switch (code) {
    case 'duplicate_ballot':
      return 'A ballot from your juror identity is already in this round. The first ballot stands; this one was not counted.'
    case 'voting_closed':
      return 'Voting in this round has closed; the ballot was not counted.'
    case 'wrong_root':
      return "The ballot was proved against another version of the jury than this round's; it was not counted."
    case 'wrong_assignment':
      return 'The ballot did not cover exactly the posts assigned to your identity in this round; it was not counted.'
    case 'unavailable':
      return 'Curia could not take the ballot right now. Sending it again is safe: it counts once.'
    default:
      return message ?? 'The ballot was refused.'
  }
}
