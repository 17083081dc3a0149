import { IdResolver, type CacheResult, type DidCache, type DidDocument } from '@atproto/identity'

/**
 * A bounded in-memory DID document cache, for @atproto/identity's IdResolver: the indexer's commit verification and
 * the feed generator's service-auth verifier share it. @atproto/identity's MemoryCache never evicts, and both meet
 * DIDs of a stranger's choosing (the firehose names millions; any caller of the feed can name an issuer): this one
 * drops the least recently used past `maxEntries`, and does not keep a document longer than `maxDocChars` as JSON (a
 * real one is under a kilobyte; a did:web host can serve half a megabyte), which is fetched again when next needed.
 *
 * A stale entry is refreshed by the resolver before it is used; when that refresh fails (the directory down or
 * rate-limiting), the stale document is kept and used until it expires rather than failing every lookup of it.
 * Time is read from `now` so staleness is testable.
 */
export class LruDidCache implements DidCache {
  private readonly entries = new Map<string, { doc: DidDocument; updatedAt: number }>()

  constructor(
    private readonly maxEntries = 100_000,
    private readonly staleMs = 60 * 60_000,
    private readonly maxAgeMs = 24 * 60 * 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxDocChars = 16 * 1024,
  ) {}

  get size(): number {
    return this.entries.size
  }

  cacheDid(did: string, doc: DidDocument): Promise<void> {
    this.entries.delete(did)
    if (JSON.stringify(doc).length > this.maxDocChars) return Promise.resolve()
    this.entries.set(did, { doc, updatedAt: this.now() })
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next()
      if (!oldest.done) this.entries.delete(oldest.value)
    }
    return Promise.resolve()
  }

  async refreshCache(did: string, getDoc: () => Promise<DidDocument | null>): Promise<void> {
    // A failed refresh keeps the stale entry (see above); a document the directory no longer has keeps it too,
    // as MemoryCache does, until it expires.
    const doc = await getDoc().catch(() => null)
    if (doc) await this.cacheDid(did, doc)
  }

  checkCache(did: string): Promise<CacheResult | null> {
    const entry = this.entries.get(did)
    if (!entry) return Promise.resolve(null)
    this.entries.delete(did) // refresh recency
    this.entries.set(did, entry)
    const age = this.now() - entry.updatedAt
    return Promise.resolve({
      did,
      doc: entry.doc,
      updatedAt: entry.updatedAt,
      stale: age > this.staleMs,
      expired: age > this.maxAgeMs,
    })
  }

  clearEntry(did: string): Promise<void> {
    this.entries.delete(did)
    return Promise.resolve()
  }

  clear(): Promise<void> {
    this.entries.clear()
    return Promise.resolve()
  }
}

/**
 * An IdResolver for `plcUrl` with a bounded DID cache (`didCache`, default an LruDidCache of 100,000 documents):
 * the indexer's, and the feed generator's for viewers (feed/auth.ts). `allowHttp`: a local network only, since
 * @atproto/identity refuses plain-http PLC and did:web documents unless handed a fetch (its own is SSRF-protected).
 */
export function createIdResolver(opts: {
  plcUrl: string
  allowHttp: boolean
  didCache?: DidCache
}): IdResolver {
  return new IdResolver({
    plcUrl: opts.plcUrl,
    didCache: opts.didCache ?? new LruDidCache(),
    ...(opts.allowHttp ? { fetch: globalThis.fetch } : {}),
  })
}
