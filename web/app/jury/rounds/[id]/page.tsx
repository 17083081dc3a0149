import type { Metadata } from 'next'
import { notFound } from 'next/navigation'
import type { ReactNode } from 'react'
import type { RoundExport } from '@curia/curation/jury/export'
import { FIRST_WINDOW_START_MS } from '@curia/curation/jury/round'
import {
  DeletedPost,
  Fact,
  Hash,
  StatusBadge,
  Time,
  describeBeacon,
} from '../../../../components/jury/round-parts'
import { PostCard } from '../../../../components/post-card'
import type { BallotPostView } from '../../../../lib/jury/types'
import { postPath } from '../../../../lib/post-path'
import { focusRing } from '../../../../lib/styles'
import { getWebConfig } from '../../../../server/config'
import { getWebServices } from '../../../../server/db'
import { loadRoundPage, type AuditBallotView } from '../../../../server/jury/queries'

export const metadata: Metadata = { title: 'Jury round — Curia' }
export const dynamic = 'force-dynamic'

const th = 'px-2 py-2 text-left text-xs font-medium tracking-wide text-zinc-600 uppercase dark:text-zinc-400'
const td = 'px-2 py-2 align-top tabular-nums'

/**
 * A round's public page. Before close: its timeline, the seed commitment, from freeze the commitment to the
 * eligible list, and once revealed the seed and the sample. After close: everything in the export (seed, beacon, eligible set, sample, tallies and verdicts, every
 * ballot by nullifier) and the export itself, which `npm run verify-round` checks with no Curia server.
 */
export default async function RoundPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  if (!/^[1-9][0-9]{0,14}$/.test(id)) notFound()
  const view = await loadRoundPage(await getWebServices().database, getWebConfig(), Number(id))
  if (!view) notFound()
  const { round } = view
  const nowMs = Date.now()

  return (
    <div className="pb-8">
      <div className="px-4 pt-6 sm:px-6">
        <a href="/jury/rounds" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
          ← All rounds
        </a>
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <h1 className="font-serif text-2xl font-semibold tracking-tight">Round {round.id}</h1>
          <StatusBadge status={round.status} settled={round.settledAt !== null} />
        </div>
        {view.kind === 'open' && round.status === 'voting' ? (
          <a
            href={`/jury/rounds/${round.id}/ballot`}
            className="mt-4 inline-block rounded-full bg-zinc-900 px-4 py-2 text-sm font-medium text-white dark:bg-zinc-100 dark:text-zinc-900"
          >
            Open the ballot
          </a>
        ) : null}
        {view.kind === 'closed' ? (
          <p className="mt-3 text-sm">
            <a
              href={`/jury/rounds/${round.id}/export.json`}
              className="font-medium text-sky-700 underline dark:text-sky-400"
              data-testid="round-export-link"
            >
              Download the round export (JSON)
            </a>{' '}
            <span className="text-zinc-600 dark:text-zinc-400">
              and check it yourself:{' '}
              <code className="text-xs">npm run verify-round -- curia-round-{round.id}.json</code>
            </span>
          </p>
        ) : null}
      </div>

      <section aria-labelledby="timeline" className="mt-6 px-4 sm:px-6">
        <h2 id="timeline" className="text-base font-semibold">
          Timeline and randomness
        </h2>
        <dl className="mt-2 divide-y divide-zinc-100 dark:divide-zinc-900">
          <Fact label="Opened">
            <Time iso={round.openedAt} />
          </Fact>
          <Fact label="Window">
            {Date.parse(round.windowStartsAt) === FIRST_WINDOW_START_MS ? (
              // The first round takes every market that closed before its window ended.
              <>
                Markets that closed before <Time iso={round.windowEndsAt} /> (the first round)
              </>
            ) : (
              <>
                Markets that closed from <Time iso={round.windowStartsAt} /> to{' '}
                <Time iso={round.windowEndsAt} />
              </>
            )}
          </Fact>
          <Fact label="Eligibility frozen">
            <Time iso={round.frozenAt} />
          </Fact>
          {round.eligibleHash ? (
            // Public from freeze on, before the beacon block is chosen: the list the sample is drawn from cannot
            // change once the block's hash tells what the sample would be. The export carries the list.
            <Fact label="Eligible list commitment" testId="round-eligible-hash">
              <Hash value={round.eligibleHash} />
            </Fact>
          ) : null}
          <Fact label="Seed commitment" testId="round-seed-commitment">
            <Hash value={round.seedCommitment} />
          </Fact>
          <Fact label="Seed" testId="round-seed">
            {round.seed ? (
              <Hash value={round.seed} />
            ) : (
              'Revealed once eligibility is frozen and the beacon exists.'
            )}
          </Fact>
          <Fact label="Beacon" testId="round-beacon">
            {describeBeacon(round.beacon)}
          </Fact>
          {round.mixedSeed ? (
            <Fact label="Mixed seed">
              <Hash value={round.mixedSeed} />
            </Fact>
          ) : null}
          <Fact label="Jury (frozen root)">
            {view.members} members
            {round.root ? (
              <>
                , root <Hash value={round.root} />
              </>
            ) : (
              ''
            )}
          </Fact>
          <Fact label="Parameters">
            p_min {round.params.pMin}, p_max {round.params.pMax}, half exposure {round.params.halfExposure},
            capacity {round.params.capacity}, quorum {round.params.quorum},{' '}
            {round.params.postsPerBallot === undefined
              ? 'every ballot covers every sampled post'
              : `${round.params.postsPerBallot} posts per ballot (assigned by nullifier)`}
          </Fact>
          <Fact label="Voting ends">
            <Time iso={round.votingEndsAt} />
          </Fact>
          <Fact label="Closed">
            <Time iso={round.closedAt} />
          </Fact>
          {round.exportRoot ? (
            <Fact label="Export Merkle root" testId="round-export-root">
              <Hash value={round.exportRoot} />
            </Fact>
          ) : null}
        </dl>
      </section>

      {view.kind === 'open' ? (
        <OpenRound eligible={view.eligible} sampled={view.sampled} nowMs={nowMs} />
      ) : (
        <ClosedRound exp={view.exp} posts={view.posts} ballots={view.ballots} />
      )}
    </div>
  )
}

function OpenRound({
  eligible,
  sampled,
  nowMs,
}: {
  eligible: number | null
  sampled: BallotPostView[] | null
  nowMs: number
}) {
  return (
    <section aria-labelledby="sample" className="mt-6">
      <h2 id="sample" className="px-4 text-base font-semibold sm:px-6">
        Sample
      </h2>
      <p className="mt-1 px-4 text-sm text-zinc-600 sm:px-6 dark:text-zinc-400">
        {eligible === null
          ? 'The window is still collecting closed markets.'
          : sampled === null
            ? `${eligible} eligible markets are frozen; the sample is drawn when the seed is revealed.`
            : `${sampled.length} of ${eligible} eligible posts were sampled. Tallies and ballots stay hidden until voting closes.`}
      </p>
      {sampled && sampled.length > 0 ? (
        <ul className="mt-3 divide-y divide-zinc-200 border-y border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
          {sampled.map((p) => (
            <li key={p.postUri}>
              {p.post ? (
                <PostCard post={p.post} nowMs={nowMs} showMarket={false} showCounts={false} />
              ) : (
                <DeletedPost postUri={p.postUri} bskyUrl={p.bskyUrl} />
              )}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  )
}

const VERDICT_TEXT = { endorse: 'Endorsed', reject: 'Rejected', void: 'Void (no quorum)' } as const

/** A post in the audit tables, linked to its page on Curia (its market and how it settled) when it has one. */
function PostLink({ uri, children }: { uri: string; children: ReactNode }) {
  const path = postPath(uri)
  if (!path) return <>{children}</>
  return (
    <a href={path} className={`rounded-sm text-sky-700 hover:underline dark:text-sky-400 ${focusRing}`}>
      {children}
    </a>
  )
}

function ClosedRound({
  exp,
  posts,
  ballots,
}: {
  exp: RoundExport
  posts: Record<string, BallotPostView>
  ballots: AuditBallotView[]
}) {
  const label = (uri: string) => {
    const p = posts[uri]?.post
    if (!p) return uri
    const name = p.author.handle ? `@${p.author.handle}` : p.author.did
    const text = p.text.length > 90 ? `${p.text.slice(0, 90)}…` : p.text
    return `${name}: ${text}`
  }
  const index = new Map(exp.tallies.map((t, i) => [t.postUri, i + 1]))

  return (
    <>
      <section aria-labelledby="verdicts" className="mt-8 px-4 sm:px-6">
        <h2 id="verdicts" className="text-base font-semibold">
          Tallies and verdicts
        </h2>
        {exp.tallies.length === 0 ? (
          <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">Nothing was sampled in this round.</p>
        ) : (
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400" data-testid="verdict-rule">
            A post is endorsed with more endorse than reject votes, and rejected otherwise, once endorse and
            reject votes together reach the quorum of {exp.round.params.quorum}; abstentions do not count
            toward it, and a post short of it is void (its bets are refunded).
          </p>
        )}
        {exp.tallies.length === 0 ? null : (
          <div className="mt-2 overflow-x-auto">
            <table className="w-full min-w-[34rem] text-sm" data-testid="round-tallies">
              <thead className="border-b border-zinc-200 dark:border-zinc-800">
                <tr>
                  <th scope="col" className={th}>
                    #
                  </th>
                  <th scope="col" className={th}>
                    Post
                  </th>
                  <th scope="col" className={`${th} text-right`}>
                    Endorse
                  </th>
                  <th scope="col" className={`${th} text-right`}>
                    Reject
                  </th>
                  <th scope="col" className={`${th} text-right`}>
                    Abstain
                  </th>
                  <th scope="col" className={th}>
                    Verdict
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100 dark:divide-zinc-900">
                {exp.tallies.map((t) => (
                  <tr key={t.marketId} data-testid="tally-row" data-uri={t.postUri} data-verdict={t.verdict}>
                    <td className={td}>{index.get(t.postUri)}</td>
                    <td className={`${td} max-w-[18rem] break-words`}>
                      <PostLink uri={t.postUri}>
                        <bdi>{label(t.postUri)}</bdi>
                      </PostLink>
                    </td>
                    <td className={`${td} text-right`}>{t.endorse}</td>
                    <td className={`${td} text-right`}>{t.reject}</td>
                    <td className={`${td} text-right`}>{t.abstain}</td>
                    <td className={`${td} font-medium`}>{VERDICT_TEXT[t.verdict]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="ballots" className="mt-8 px-4 sm:px-6">
        <h2 id="ballots" className="text-base font-semibold">
          Ballots ({ballots.length})
        </h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Each ballot as received, by nullifier (one per juror per round, unlinkable to who cast it). Posts
          are numbered as in the tallies above.
        </p>
        {ballots.length === 0 ? (
          <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">No ballot was cast.</p>
        ) : (
          <ul className="mt-2 divide-y divide-zinc-100 dark:divide-zinc-900" data-testid="round-ballots">
            {ballots.map((b) => (
              <li key={b.nullifier} className="py-2.5" data-testid="ballot-row" data-nullifier={b.nullifier}>
                <p className="font-mono text-xs break-all text-zinc-600 dark:text-zinc-400">{b.nullifier}</p>
                <p className="mt-1 text-sm">
                  {[...b.votes]
                    .sort((x, y) => (index.get(x.postUri) ?? 0) - (index.get(y.postUri) ?? 0))
                    .map((v) => (
                      <span key={v.postUri} className="mr-3 inline-block">
                        #{index.get(v.postUri) ?? '?'} {v.vote}
                      </span>
                    ))}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="eligible" className="mt-8 px-4 sm:px-6">
        <h2 id="eligible" className="text-base font-semibold">
          Eligible markets ({exp.eligible.length}), sample ({exp.sample.length})
        </h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          A market is sampled when sha256(mixed seed, market id) / 2²⁵⁶ falls under its probability, which
          rises with how often the feed showed the post.
        </p>
        {exp.eligible.length > 0 ? (
          <div className="mt-2 overflow-x-auto">
            <table className="w-full min-w-[30rem] text-sm" data-testid="round-eligible">
              <thead className="border-b border-zinc-200 dark:border-zinc-800">
                <tr>
                  <th scope="col" className={th}>
                    Market
                  </th>
                  <th scope="col" className={th}>
                    Post
                  </th>
                  <th scope="col" className={th}>
                    Tally
                  </th>
                  <th scope="col" className={`${th} text-right`}>
                    Exposure
                  </th>
                  <th scope="col" className={`${th} text-right`}>
                    Probability
                  </th>
                  <th scope="col" className={th}>
                    Sampled
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100 dark:divide-zinc-900">
                {exp.eligible.map((m) => (
                  <tr key={m.marketId}>
                    <td className={td}>{m.marketId}</td>
                    <td className={`${td} max-w-[16rem] font-mono text-xs break-all`}>
                      <PostLink uri={m.postUri}>{m.postUri}</PostLink>
                    </td>
                    <td className={td}>{index.has(m.postUri) ? `#${index.get(m.postUri)}` : '—'}</td>
                    <td className={`${td} text-right`}>{m.exposure}</td>
                    <td className={`${td} text-right`}>{m.probability.toFixed(4)}</td>
                    <td className={td}>{m.sampled ? 'yes' : 'no'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  )
}
