import type { Metadata } from 'next'
import { notFound } from 'next/navigation'
import type { ReactNode } from 'react'
import { BallotForm } from '../../../../../components/jury/ballot-form'
import { ChangedSinceNote, DeletedPost } from '../../../../../components/jury/round-parts'
import { PostCard } from '../../../../../components/post-card'
import { cardImageUrls } from '../../../../../lib/card-images'
import { formatAbsoluteTime } from '../../../../../lib/format'
import { getWebConfig } from '../../../../../server/config'
import { getWebServices } from '../../../../../server/db'
import { loadBallotSheet } from '../../../../../server/jury/queries'

export const metadata: Metadata = { title: 'Ballot — Curia jury' }

/**
 * The ballot of a round that is voting. Anyone may open it (it needs no session, and reading it reveals nothing:
 * every juror sees the same page); only a device holding a member's identity can prove a ballot for it.
 */
export default async function BallotPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  if (!/^[1-9][0-9]{0,14}$/.test(id)) notFound()
  const roundId = Number(id)
  const database = await getWebServices().database
  let sheet
  try {
    sheet = await loadBallotSheet(database, getWebConfig(), roundId)
  } catch (err) {
    const code = (err as { code?: unknown }).code
    if (err instanceof Error && err.name === 'CurationError' && code === 'unknown_round') notFound()
    if (err instanceof Error && err.name === 'CurationError' && code === 'voting_closed') {
      return (
        <div className="px-5 py-10 sm:px-8">
          <h1 className="font-serif text-2xl font-semibold tracking-tight">Round {roundId}</h1>
          <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-400" data-testid="ballot-closed">
            This round is not taking ballots.{' '}
            <a href={`/jury/rounds/${roundId}`} className="text-sky-700 underline dark:text-sky-400">
              See the round
            </a>
            .
          </p>
        </div>
      )
    }
    throw err
  }
  const nowMs = Date.now()
  const cards: Record<string, ReactNode> = {}
  // Every sampled post's images, loaded by every juror alike (cardImageUrls says why), sorted so the order of the
  // requests does not follow the sample's either.
  const images = [...new Set(sheet.posts.flatMap((p) => (p.post ? cardImageUrls(p.post) : [])))].sort()
  for (const p of sheet.posts) {
    cards[p.postUri] = p.post ? (
      <>
        {p.changedSince ? <ChangedSinceNote change={p.changedSince} /> : null}
        <PostCard post={p.post} nowMs={nowMs} showMarket={false} showCounts={false} />
      </>
    ) : (
      <DeletedPost postUri={p.postUri} bskyUrl={p.bskyUrl} />
    )
  }

  return (
    <>
      <div className="border-b border-zinc-200 px-4 py-5 sm:px-5 dark:border-zinc-800">
        <a href="/jury" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
          ← Jury
        </a>
        <h1 className="mt-2 font-serif text-2xl font-semibold tracking-tight">
          Round {sheet.roundId} ballot
        </h1>
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
          Would you want this post in a feed of the best of Bluesky? Judge each post on its own: you do not
          see what anyone bet on it or how many liked it, and nobody will see how you voted. One ballot per
          juror; the first one stands. Voting closes {formatAbsoluteTime(sheet.votingEndsAt)}.
        </p>
        {sheet.root === null ? (
          <p className="mt-3 rounded-lg bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
            The jury had no members when this round opened, so nobody can vote in it.
          </p>
        ) : null}
      </div>
      {sheet.posts.length === 0 ? (
        <p className="px-5 py-8 text-sm text-zinc-600 dark:text-zinc-400">
          The sample for this round is empty: there is nothing to judge.
        </p>
      ) : (
        <BallotForm
          sheet={{ ...sheet, posts: sheet.posts.map((p) => ({ postUri: p.postUri })) }}
          cards={cards}
          images={images}
        />
      )}
    </>
  )
}
