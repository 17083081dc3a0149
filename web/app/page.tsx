import { connection } from 'next/server'
import { FeedList } from '../components/feed-list'
import { FEED_PAGE_SIZE } from '../lib/feed-types'
import { getFeedPage } from '../server/queries/feed'

/**
 * The reader's page. The first page is rendered on the server (readable before any script runs, and one round
 * trip); FeedList then continues from its cursor in the browser. A failure here is caught by error.tsx.
 */
export default async function FeedPage() {
  await connection() // the feed is live: render per request, never at build time
  const page = await getFeedPage({ limit: FEED_PAGE_SIZE })
  return (
    <>
      <h1 className="sr-only">Curia feed</h1>
      <FeedList initialPage={page} renderedAtMs={Date.now()} />
    </>
  )
}
