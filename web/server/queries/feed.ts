import 'server-only'
import type { Sql } from '@curia/db'
import type { PendingQuery, Row } from 'postgres'
import { addressViewer, forwardedClientAddress } from '@curia/curation/feed/exposure'
import type { PageRequest, SkeletonItem, SnapshotStore } from '@curia/curation/feed/snapshot-store'
import { headers } from 'next/headers'
import type { FeedPage } from '../../lib/feed-types'
import { getSession } from '../auth/session'
import { getWebConfig } from '../config'
import { getWebServices } from '../db'
import { presentPost, type BlobUrlTemplates, type HydratedPostRow } from '../present-post'

export interface FeedPageDeps {
  store: Pick<SnapshotStore, 'getPage'>
  sql: Sql
  urls: BlobUrlTemplates
}

/**
 * One page of the reader's feed: skeleton (ranked post ids from the snapshot store) -> hydrate (one query for
 * those posts, their authors and their markets) -> present (DTOs). The cursor is the snapshot store's, passed through untouched,
 * so the page and the Bluesky feed generator page identically.
 *
 * Throws `CurationError('bad_cursor')` for a malformed or expired cursor.
 */
export async function loadFeedPage(deps: FeedPageDeps, req: PageRequest): Promise<FeedPage> {
  const skeleton = await deps.store.getPage(req)
  const hydrated = await hydrateSkeleton(deps.sql, skeleton.items)
  return {
    posts: hydrated.map(({ row, item }) => presentPost(row, item.feedContext, deps.urls)),
    cursor: skeleton.cursor ?? null,
  }
}

/**
 * Loads the skeleton's posts, their authors and their markets in one query and returns them in skeleton order. A
 * post that was deleted (or never indexed, or whose id now names another URI) since the snapshot was taken is left
 * out rather than rendered as a hole; a URI repeated within the page is shown once.
 */
export async function hydrateSkeleton(
  sql: Sql,
  items: readonly SkeletonItem[],
): Promise<{ row: HydratedPostRow; item: SkeletonItem }[]> {
  if (items.length === 0) return []
  const ids = items.map((item) => String(item.postId))
  const rows = await selectPostRows(sql, sql`p.id = any(${sql.array(ids)}::bigint[])`)
  const byId = new Map(rows.map((row) => [row.id, row]))
  const seen = new Set<string>()
  const out: { row: HydratedPostRow; item: SkeletonItem }[] = []
  for (const item of items) {
    const row = byId.get(item.postId)
    if (!row || row.uri !== item.uri || seen.has(row.uri)) continue
    seen.add(row.uri)
    out.push({ row, item })
  }
  return out
}

/**
 * Live posts by at-URI, with author and market (for the post page and the portfolio), in no particular order.
 * `asTraded`: each post with a market as it stood when the market opened, even if since deleted (the jury's view).
 */
export async function hydratePostsByUri(
  sql: Sql,
  uris: readonly string[],
  opts: { asTraded?: boolean } = {},
): Promise<HydratedPostRow[]> {
  if (uris.length === 0) return []
  return selectPostRows(sql, sql`p.uri = any(${sql.array([...new Set(uris)])}::text[])`, opts)
}

/**
 * The one hydration query: live posts of active accounts matching `where`, each with its author (which may not be
 * indexed yet), its market (which most posts do not have), and the posts it quotes and replies to with their
 * authors (see `referenced`). Each join is by primary key. bigint ids travel as
 * text and come back as float8: exact below 2^53, and the column is an identity sequence. Times are formatted here
 * because drizzle, sharing this postgres.js client, swaps its timestamp parser for one that returns Postgres's own
 * text ('2026-03-01 10:00:00+00'): ISO from SQL is the same on every path.
 */
function selectPostRows(
  sql: Sql,
  where: PendingQuery<Row[]>,
  opts: { asTraded?: boolean } = {},
): Promise<HydratedPostRow[]> {
  const posts = opts.asTraded ? postsAsTraded(sql) : sql`post`
  // As traded, a post is shown whatever its author did since (deleted it, deactivated); not what moderation removed.
  const shown = opts.asTraded
    ? sql`(a.status is null or a.status in ('deactivated', 'deleted'))`
    : sql`p.deleted_at is null and a.status is null`
  const tradedChange = opts.asTraded
    ? sql`, case when p.copy_cid is null then null
                 when p.deleted_at is not null then 'deleted'
                 when a.status is not null then 'account'
                 when p.cid <> p.copy_cid then 'rewritten' end as "tradedChange"`
    : sql``
  return sql<HydratedPostRow[]>`
    select p.id::float8 as id, p.uri, p.author_did as "authorDid", p.text, p.facets, p.embed,
           p.reply_parent as "replyParent", p.quote_uri as "quoteUri",
           to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt",
           p.like_count as "likeCount", p.repost_count as "repostCount",
           a.handle, a.display_name as "displayName", a.avatar_cid as "avatarCid",
           m.id::float8 as "marketId", m.status as "marketStatus", m.liquidity_micro::text as "marketB",
           m.q_yes_micro::text as "marketQYes", m.q_no_micro::text as "marketQNo",
           m.trader_count as "marketTraders",
           ${referenced(sql, 'q', 'qa', 'quoted')}, ${referenced(sql, 'r', 'ra', 'parent')} ${tradedChange}
    from ${posts} p
    left join author a on a.did = p.author_did
    left join market m on m.post_uri = p.uri
    left join author qa on qa.did = split_part(p.quote_uri, '/', 3)
    left join post q on q.uri = p.quote_uri and q.deleted_at is null
    left join author ra on ra.did = split_part(p.reply_parent, '/', 3)
    left join post r on r.uri = p.reply_parent and r.deleted_at is null
    where ${where} and ${shown}`
}

/**
 * The post table with each market's post as it stood when the market opened (`market_post_copy`) in place of the
 * post's live content, where one is kept: a post its author has since deleted or rewritten reads as it was.
 * `deleted_at` and `cid` stay the live row's, `copy_cid` is the copy's (null: no copy), for `tradedChange`.
 */
function postsAsTraded(sql: Sql) {
  const pick = (column: string) =>
    sql`case when c.market_id is null then p0.${sql(column)} else c.${sql(column)} end as ${sql(column)}`
  return sql`(
    select p0.uri, p0.id, p0.author_did, p0.like_count, p0.repost_count, p0.deleted_at, p0.cid,
           c.cid as copy_cid, ${pick('text')}, ${pick('facets')}, ${pick('embed')}, ${pick('reply_parent')},
           ${pick('quote_uri')}, ${pick('created_at')}
    from post p0
    left join market m0 on m0.post_uri = p0.uri
    left join market_post_copy c on c.market_id = m0.id
    where p0.deleted_at is null or c.market_id is not null
  )`
}

/**
 * The columns of a referenced post (`post` alias) and its author (`author` alias, joined by the DID in the URI, so
 * an author is known even when the post is not): all null while that author's account is not active.
 */
function referenced(sql: Sql, post: string, author: string, prefix: 'quoted' | 'parent') {
  const [p, a] = [sql(post), sql(author)]
  const active = sql`${a}.status is null`
  return sql`
    case when ${active} then ${p}.text end as ${sql(`${prefix}Text`)},
    case when ${active} then ${p}.embed end as ${sql(`${prefix}Embed`)},
    case when ${active} then to_char(${p}.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') end
      as ${sql(`${prefix}CreatedAt`)},
    case when ${active} then ${a}.handle end as ${sql(`${prefix}Handle`)},
    case when ${active} then ${a}.display_name end as ${sql(`${prefix}DisplayName`)},
    case when ${active} then ${a}.avatar_cid end as ${sql(`${prefix}AvatarCid`)}`
}

/**
 * `loadFeedPage` against this server process's database and snapshot store. The page's impressions are the
 * signed-in curator's, else the reader's address as the trusted proxies in front report it
 * (`CURIA_TRUSTED_PROXY_HOPS`); with none configured every signed-out reader counts as one viewer, since
 * X-Forwarded-For is then whatever the client chose to send.
 */
export async function getFeedPage(req: { cursor?: string | undefined; limit: number }): Promise<FeedPage> {
  const { database, store } = getWebServices()
  const config = getWebConfig()
  const [db, snapshots, session, h] = await Promise.all([database, store, getSession(), headers()])
  const address = forwardedClientAddress(h.get('x-forwarded-for'), config.trustedProxyHops)
  const viewer = session?.did ?? (address === undefined ? undefined : addressViewer(address))
  return loadFeedPage({ store: snapshots, sql: db.sql, urls: config }, { ...req, viewer })
}
