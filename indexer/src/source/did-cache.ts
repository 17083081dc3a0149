import type { CacheResult, DidCache, DidDocument } from '@atproto/identity'

/**
 * A bounded in-memory DID document cache for commit verification. @atproto/identity's MemoryCache never evicts,
 * and the firehose names millions of DIDs: this one drops the least recently used past `maxEntries`.
 * Time is read from `now` so staleness is testable.
 */
export class LruDidCache implements DidCache {
  private readonly entries = new Map<string, { doc: DidDocument; updatedAt: number }>()

  constructor(
    private readonly maxEntries = 100_000,
    private readonly staleMs = 60 * 60_000,
    private readonly maxAgeMs = 24 * 60 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  cacheDid(did: string, doc: DidDocument): Promise<void> {
    this.entries.delete(did)
    this.entries.set(did, { doc, updatedAt: this.now() })
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next()
      if (!oldest.done) this.entries.delete(oldest.value)
    }
    return Promise.resolve()
  }

  async refreshCache(did: string, getDoc: () => Promise<DidDocument | null>): Promise<void> {
    const doc = await getDoc()
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
