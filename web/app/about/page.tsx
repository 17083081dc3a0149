import type { Metadata } from 'next'

export const metadata: Metadata = { title: 'How Curia works' }

const section = 'space-y-2'
const h2 = 'text-base font-semibold text-zinc-900 dark:text-zinc-100'

export default function AboutPage() {
  return (
    <article className="space-y-6 px-5 py-8 text-[15px] leading-relaxed text-zinc-700 sm:px-8 dark:text-zinc-300">
      <h1 className="font-serif text-3xl font-semibold tracking-tight text-zinc-900 dark:text-zinc-50">
        How Curia works
      </h1>
      <p>
        Curia is a Bluesky feed curated in two layers. A market ranks it; a jury keeps the market honest. No
        amount of credits buys a vote on the jury.
      </p>
      <section className={section}>
        <h2 className={h2}>Today</h2>
        <p>
          Curia is being built in stages. Until the markets open, the feed is ordered by an interim ranking:
          engagement (likes, and reposts counted twice) damped so viral posts don’t bury the rest, times
          freshness.
        </p>
      </section>
      <section className={section}>
        <h2 className={h2}>The market</h2>
        <p>
          Every candidate post has a small prediction market: “if this post is sampled, will the jury endorse
          it?” Curators buy and sell YES and NO. Prices rank the feed, with the largest single trader left out
          so one whale cannot lift a post alone.
        </p>
      </section>
      <section className={section}>
        <h2 className={h2}>The jury</h2>
        <p>
          Anonymous, verified humans judge a random sample of posts on a regular cadence: one person, one
          vote, no money at stake. Posts pushed higher up the feed are likelier to be sampled. Verdicts settle
          the markets, so good forecasts win credits and bad ones lose them.
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
