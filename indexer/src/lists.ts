import type { IdResolver } from '@atproto/identity'
import { ListMembership } from '@curia/curation/candidate'
import { isObject, parseRecordUri, type RecordContext } from '@curia/curation/records/common'
import { LIST_ITEM_COLLECTION, mapListItemRecord } from '@curia/curation/records/listitem'
import type { IndexOp, ListItemRow, SkipReason } from '@curia/curation/records/types'
import type { Sql } from '@curia/db'
import { emptyPlan, type BatchPlan } from './batch'
import { describeError, type IndexerLogger } from './log'
import { backoffDelayMs, type BackoffOptions } from './source/reconnect'
import { textArray, writeBatch } from './write'

/**
 * The candidate lists' members (`CURIA_CANDIDATE_LISTS`), kept live for the candidate policy.
 *
 * Three sources feed one ListMembership, in this order: the members stored by earlier runs (`candidate_list_item`),
 * a backfill that reads a list's items from its owner's PDS at start, then the stream's listitem events, applied
 * as each event is mapped, so a post later in the stream than its author's listitem sees the author as a member
 * (the rows themselves are written with the rest of the batch, write.ts). The stored members are exact as of the
 * stream's committed cursor (same transactions), and the stream replays what happened while the indexer was down,
 * in order; so the backfill runs only for a list never read before (newly configured) or when there is no cursor
 * to resume from (a first start, another source).
 *
 * The backfill writes through writeBatch (the same idempotent statements as the stream), removes stored items the
 * list no longer has, and leaves alone any item the stream has touched since it began, because the stream's view
 * of such an item is at least as new as the listing. A list whose PDS cannot be reached is retried with backoff in
 * the background; the indexer runs meanwhile, and its members' posts are candidates only once they are known.
 */
export class CandidateLists {
  readonly membership = new ListMembership()
  private readonly pending: Set<string>
  /** Item URIs the stream added or removed while a backfill was pending, and which it did last. */
  private readonly touched = new Map<string, 'upsert' | 'delete'>()
  private readonly abort = new AbortController()
  private stopped = false
  private wake: (() => void) | undefined
  private retrying: Promise<void> | undefined

  constructor(private readonly opts: CandidateListsOptions) {
    this.pending = new Set(opts.lists)
  }

  /**
   * Loads the stored members, then makes one backfill attempt per list that needs one; failed lists are retried in
   * the background. `resuming`: the source resumes from a committed cursor, so it replays every membership change
   * since the stored members were written, and a list read in full before (`candidate_list`) needs no backfill.
   * Reading it again would be worse than useless then: the replay would judge the posts of the downtime by today's
   * members (someone removed since would lose the posts they wrote while still on the list).
   */
  async start(resuming: boolean): Promise<void> {
    const { sql } = this.opts
    // A list no longer configured is not followed: its rows would go stale, so they go now (a list configured again
    // later is read afresh).
    const configured = textArray([...this.opts.lists])
    await sql`delete from candidate_list_item where list_uri <> all(${configured}::text::text[])`
    await sql`delete from candidate_list where uri <> all(${configured}::text::text[])`
    if (this.opts.lists.size === 0) return
    if (resuming) {
      for (const r of await sql<{ uri: string }[]>`select uri from candidate_list`) this.pending.delete(r.uri)
    }
    const rows = await sql<{ uri: string; subject_did: string }[]>`
      select uri, subject_did from candidate_list_item`
    for (const r of rows) this.membership.set(r.uri, r.subject_did)
    await this.backfillPending()
    if (this.pending.size > 0) this.retrying = this.retry()
  }

  /** A stream op, in stream order, before its batch is written. */
  apply(op: IndexOp): void {
    if (op.op === 'list_item_upsert') {
      this.membership.set(op.row.uri, op.row.subjectDid)
      if (this.pending.size > 0) this.touched.set(op.row.uri, 'upsert')
    } else if (op.op === 'list_item_delete') {
      this.membership.delete(op.uri)
      if (this.pending.size > 0) this.touched.set(op.uri, 'delete')
    }
  }

  /** Lists whose backfill has not succeeded yet. */
  get unloaded(): string[] {
    return [...this.pending]
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.abort.abort(new Error('stopping'))
    this.wake?.()
    await this.retrying
  }

  private async retry(): Promise<void> {
    for (let attempt = 0; this.pending.size > 0 && !this.stopped; attempt++) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoffDelayMs(attempt, this.backoff, Math.random()))
        this.wake = () => (clearTimeout(timer), resolve())
      })
      if (!this.stopped) await this.backfillPending(attempt + 1)
    }
  }

  private get backoff(): BackoffOptions {
    return this.opts.retry ?? { initialMs: 5_000, maxMs: 300_000 }
  }

  /** Attempt number `attempt` for every pending list; never throws. */
  private async backfillPending(attempt = 0): Promise<void> {
    for (const listUri of [...this.pending]) {
      if (this.stopped) return
      try {
        await this.backfill(listUri)
        this.pending.delete(listUri)
      } catch (err) {
        if (this.stopped) return
        const seconds = Math.max(1, Math.ceil(backoffDelayMs(attempt, this.backoff, 1) / 1000))
        this.opts.log.warn(
          `candidate list ${listUri}: cannot load its members (${describeError(err)}) — retrying within ${seconds}s; ` +
            'meanwhile only members stored earlier or added from now on count',
        )
      }
    }
    if (this.pending.size === 0) this.touched.clear()
  }

  private async backfill(listUri: string): Promise<void> {
    const { sql, log } = this.opts
    const listing = await fetchListItems(listUri, { ...this.opts, signal: this.abort.signal })
    if (!listing.exists) {
      log.warn(
        `candidate list ${listUri} does not exist on ${listing.pds}: no one is on it until it is created`,
      )
    }
    const listed = new Set(listing.items.map((i) => i.uri))
    const stored = await sql<
      { uri: string }[]
    >`select uri from candidate_list_item where list_uri = ${listUri}`
    const upserts = listing.items.filter((i) => !this.touched.has(i.uri))
    const deletes = stored.map((r) => r.uri).filter((uri) => !listed.has(uri) && !this.touched.has(uri))
    // List items alone, through the indexer's writer, with no cursor.
    const write = (items: Partial<Pick<BatchPlan, 'listItemUpserts' | 'listItemDeletes'>>) =>
      writeBatch(sql, [{ ...emptyPlan(), ...items }], undefined)
    for (let i = 0; i < upserts.length; i += WRITE_CHUNK) {
      await write({ listItemUpserts: upserts.slice(i, i + WRITE_CHUNK) })
    }
    for (let i = 0; i < deletes.length; i += WRITE_CHUNK) {
      await write({ listItemDeletes: deletes.slice(i, i + WRITE_CHUNK) })
    }
    // The stream may have touched an item while these writes ran: its view wins, in memory and in the table. A
    // delete it committed just before the backfill's upsert of the same item is written again.
    for (const uri of deletes) if (!this.touched.has(uri)) this.membership.delete(uri)
    for (const item of upserts) {
      if (!this.touched.has(item.uri)) this.membership.set(item.uri, item.subjectDid)
    }
    const undone = upserts.filter((i) => this.touched.get(i.uri) === 'delete').map((i) => i.uri)
    if (undone.length > 0) await write({ listItemDeletes: undone })
    // Last: a backfill cut short is done again at the next start.
    await sql`insert into candidate_list (uri) values (${listUri}) on conflict (uri) do update set loaded_at = now()`
    const members = new Set(listing.items.map((i) => i.subjectDid)).size
    log.info(
      `candidate list ${listUri}: ${plural(members, 'member')} (${plural(listing.items.length, 'item')}) from ${listing.pds}` +
        (deletes.length > 0 ? `; removed ${plural(deletes.length, 'stored item')} no longer on it` : '') +
        (listing.invalid > 0 ? `; skipped ${plural(listing.invalid, 'invalid item')}` : ''),
    )
  }
}

export interface CandidateListsOptions extends Omit<ListFetchOptions, 'signal'> {
  /** A pooled client: the backfill's writes run in their own transactions beside the stream's. */
  sql: Sql
  lists: ReadonlySet<string>
  log: IndexerLogger
  /** Between backfill attempts of a list that could not be read (default 5 s doubling to 5 min). */
  retry?: BackoffOptions
}

export interface ListFetchOptions {
  /** Resolves a list owner's DID document to find their PDS: the same resolver the firehose verifies commits with. */
  idResolver: IdResolver
  /** An invalid item read by the backfill, counted with the stream's skips. */
  onSkip: (reason: SkipReason, detail: string) => void
  /** Aborts the listing's requests (the indexer stopping). */
  signal?: AbortSignal
}

/** Items per backfill statement. */
const WRITE_CHUNK = 2_000
/** Records per listRecords page: the most the lexicon allows. */
const PAGE_SIZE = 100
const FETCH_TIMEOUT_MS = 15_000
/** A page of 100 list items is a few tens of KB; anything this large is not one. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024

export interface ListListing {
  /** The PDS the items were read from. */
  pds: string
  /** Whether the list record itself exists. */
  exists: boolean
  items: ListItemRow[]
  invalid: number
}

/**
 * Every item of one list, read from its owner's repo (`com.atproto.repo.listRecords` on the PDS named by the
 * owner's DID document), page by page, through the stream's own mapper: the owner's items of other lists are
 * dropped, invalid ones reported to `onSkip`. Throws when the PDS cannot be reached or answers with an error.
 */
export async function fetchListItems(listUri: string, opts: ListFetchOptions): Promise<ListListing> {
  const owner = parseRecordUri(listUri)
  if (!owner) throw new Error(`${listUri} is not a record URI`)
  const identity = await opts.idResolver.did.resolveAtprotoData(owner.did)
  const pds = identity.pds

  const get = async (method: string, params: Record<string, string>) => {
    const url = new URL(`/xrpc/${method}`, pds)
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
    const res = await fetch(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: opts.signal
        ? AbortSignal.any([opts.signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)])
        : AbortSignal.timeout(FETCH_TIMEOUT_MS),
    })
    const text = await readLimited(res)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    return { status: res.status, body }
  }

  // getRecord answers 400 RecordNotFound for a list that does not exist.
  const list = await get('com.atproto.repo.getRecord', {
    repo: owner.did,
    collection: owner.collection,
    rkey: owner.rkey,
  })
  if (list.status >= 500 || (list.status !== 200 && list.status !== 400 && list.status !== 404)) {
    throw new Error(`${pds} answered ${list.status} to getRecord`)
  }
  const exists = list.status === 200

  const items: ListItemRow[] = []
  let invalid = 0
  const only = new Set([listUri])
  const nowMs = Date.now()
  const seen = new Set<string>()
  let cursor: string | undefined
  for (;;) {
    const page = await get('com.atproto.repo.listRecords', {
      repo: owner.did,
      collection: LIST_ITEM_COLLECTION,
      limit: String(PAGE_SIZE),
      ...(cursor === undefined ? {} : { cursor }),
    })
    if (page.status !== 200 || !isObject(page.body) || !Array.isArray(page.body.records)) {
      throw new Error(
        `${pds} answered ${page.status} to listRecords${page.status === 200 ? ' without records' : ''}`,
      )
    }
    for (const record of page.body.records as unknown[]) {
      const uri = isObject(record) && typeof record.uri === 'string' ? parseRecordUri(record.uri) : undefined
      if (!uri || uri.did !== owner.did || uri.collection !== LIST_ITEM_COLLECTION) {
        invalid++
        opts.onSkip('invalid_record', `${listUri}: listRecords gave an item without a valid URI`)
        continue
      }
      const ctx: RecordContext = {
        did: uri.did,
        rkey: uri.rkey,
        uri: (record as { uri: string }).uri,
        eventTimeMs: nowMs,
      }
      const result = mapListItemRecord((record as { value?: unknown }).value, 'create', ctx, only)
      if (result.kind === 'op' && result.op.op === 'list_item_upsert') items.push(result.op.row)
      else if (result.kind === 'skip') {
        invalid++
        opts.onSkip(result.reason, result.detail)
      }
    }
    const next = page.body.cursor
    // A PDS that repeats a cursor would page forever.
    if (typeof next !== 'string' || next.length === 0 || page.body.records.length === 0 || seen.has(next))
      break
    seen.add(next)
    cursor = next
  }
  return { pds, exists, items, invalid }
}

async function readLimited(res: Response): Promise<string> {
  const length = Number(res.headers.get('content-length') ?? '0')
  if (length > MAX_RESPONSE_BYTES) {
    await res.body?.cancel()
    throw new Error(`${res.url} sent ${length} bytes, more than a page of list items`)
  }
  const text = await res.text()
  if (text.length > MAX_RESPONSE_BYTES) throw new Error(`${res.url} sent more than a page of list items`)
  return text
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`
