import type { Metadata } from 'next'
import Link from 'next/link'
import { formatCredits } from '../../lib/credits'
import { formatDuration } from '../../lib/format'
import { getWebConfig } from '../../server/config'

export const metadata: Metadata = { title: 'How Curia works' }

const section = 'space-y-2'
const h2 = 'text-base font-semibold text-zinc-900 dark:text-zinc-100'
const link = 'text-sky-700 underline hover:no-underline dark:text-sky-400'

/** Reads the running configuration, so the numbers on this page are the ones this deployment uses. */
export const dynamic = 'force-dynamic'

export default function AboutPage() {
  const { market, ledger, ranking } = getWebConfig()
  return (
    <article className="space-y-6 px-5 py-8 text-[15px] leading-relaxed text-zinc-700 sm:px-8 dark:text-zinc-300">
      <h1 className="font-serif text-3xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">
        How Curia works
      </h1>
      <p>
        Curia is a Bluesky feed curated in two layers. A market ranks it; a jury keeps the market honest. No
        amount of credits buys a vote on the jury: that is what went wrong with stake-weighted curation
        before.
      </p>
      <section className={section}>
        <h2 className={h2}>The market</h2>
        <p>
          Every post in the feed has a small prediction market: “if this post is sampled, will the jury
          endorse it?” Curators buy and sell YES and NO with credits, which cannot be bought: each Bluesky
          account gets {formatCredits(ledger.startingGrantMicro, 0)} once when it first signs in
          {ledger.humanGrantMicro > 0n ? (
            <>
              , and a verified human can claim {formatCredits(ledger.humanGrantMicro, 0)} more, once per
              person
            </>
          ) : null}
          . A market trades for {formatDuration(market.windowMs)} after its post, and one account may hold at
          most {formatCredits(market.positionCapMicro, 0)} shares of either side. Anyone signed in can{' '}
          <Link href="/open" className={link}>
            open a market
          </Link>{' '}
          on a Bluesky post the feed has not picked, for {formatCredits(market.openFeeMicro, 0)} credits.
        </p>
      </section>
      <section className={section}>
        <h2 className={h2}>The ranking</h2>
        <p>
          Posts are ranked by their market’s price, recomputed without the largest YES position and the
          largest NO position, so no single account, however rich, can lift or sink a post alone. A market
          with fewer than {ranking.minTraders} distinct traders ranks at a default price of{' '}
          {Math.round(ranking.priorPrice * 100)}% until enough curators weigh in. A post’s score halves every{' '}
          {formatDuration(ranking.halfLifeMs)} of its age, and {Math.round(ranking.explorationShare * 100)}%
          of the slots go to markets with few trades, so that every post gets a chance to be seen and priced.
        </p>
      </section>
      <section className={section}>
        <h2 className={h2}>The jury</h2>
        <p>
          Verified humans (admitted by invitation, by the operator, or by an on-chain proof of personhood)
          judge a random sample of closed markets’ posts in regular rounds: one person, one vote, no money at
          stake. Each ballot is an anonymous zero-knowledge proof made in the juror’s own browser; nobody,
          Curia included, can tell who cast it. Jurors see the post as it was when curators bet on it (its
          author deleting it later changes nothing), never its price or its likes. Posts pushed higher up the
          feed are likelier to be sampled, and the sample comes from a seed committed before the round and a
          public beacon, so anyone can recompute it.
        </p>
      </section>
      <section className={section}>
        <h2 className={h2}>Settlement</h2>
        <p>
          When the jury endorses a sampled post, each YES share pays 1 credit; when it rejects it, each NO
          share does. A market that was not sampled, or whose verdict lacked a quorum, refunds every trader
          what they put in. Good forecasts win credits and bad ones lose them: the{' '}
          <Link href="/leaderboard" className={link}>
            leaderboard
          </Link>{' '}
          ranks curators by profit and by forecasting skill.
        </p>
      </section>
      <section className={section}>
        <h2 className={h2}>Checking Curia</h2>
        <p>
          After each round closes, its{' '}
          <Link href="/jury/rounds" className={link}>
            public record
          </Link>{' '}
          holds every ballot and proof, the seed, the beacon, the eligible markets and the sample, with an
          export that anyone can verify without trusting Curia’s servers.
        </p>
      </section>
      <section className={section}>
        <h2 className={h2}>Reading the feed</h2>
        <p>
          Use Curia here or subscribe to it as a custom feed in any Bluesky app. Each post links to bsky.app,
          where you can reply, like or repost.
        </p>
      </section>
    </article>
  )
}
