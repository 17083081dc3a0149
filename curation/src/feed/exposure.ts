import { isIPv4, isIPv6 } from 'node:net'
import type { Database } from '@curia/db'

export interface ExposureRecorder {
  /**
   * Counts one impression for each post `viewer` was served, unless that viewer was already counted for that post
   * within the window (cheap: map lookups; the database sees a batch per flush).
   */
  record: (postIds: readonly number[], viewer?: string) => void
  flush: () => Promise<void>
  stop: () => Promise<void>
}

/** Everyone the caller could not tell apart: counted as one viewer. */
const ANONYMOUS_VIEWER = 'anonymous'

/**
 * The viewer an unauthenticated request counts as, from its connecting address: an IPv4 address as it is, an IPv6
 * one by its /64 network (one subscriber's allocation: anyone with a /64, which is most IPv6 users, holds 2^64
 * addresses and would otherwise be that many viewers, each adding an impression to the post of their choice).
 */
export function addressViewer(address: string | undefined): string {
  if (address === undefined || address === '') return 'ip:unknown'
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)
  if (mapped) return `ip:${mapped[1]}`
  if (isIPv4(address) || !isIPv6(address)) return `ip:${address}`
  return `ip6:${ipv6Groups(address).slice(0, 4).join(':')}::/64`
}

/**
 * The client's address from an X-Forwarded-For header behind `hops` trusted reverse proxies, each of which appended
 * the address it received the request from: the entry `hops` from the end. Entries before it are the client's to
 * write, so they are never read. Undefined when the header has fewer entries than that (no proxy in the way).
 * A port (`1.2.3.4:5678`, `[2001:db8::1]:443`) is dropped.
 */
export function forwardedClientAddress(header: string | null | undefined, hops: number): string | undefined {
  if (!header || !Number.isInteger(hops) || hops < 1) return undefined
  const entries = header.split(',').map((e) => e.trim())
  const entry = entries[entries.length - hops]
  if (!entry) return undefined
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry)
  if (bracketed) return bracketed[1]
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry)
  return v4WithPort ? v4WithPort[1] : entry
}

/** The eight 16-bit groups of a valid IPv6 address, as lower-case hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  const bare = address.replace(/%.*$/, '') // a zone index (fe80::1%eth0) is not part of the address
  const [head = '', tail] = bare.split('::') as [string, string | undefined]
  const parse = (part: string) => (part === '' ? [] : part.split(':'))
  const left = parse(head)
  const right = tail === undefined ? [] : parse(tail)
  // An embedded IPv4 tail (::1.2.3.4 forms) takes two groups.
  const expand = (groups: string[]) =>
    groups.flatMap((g) =>
      g.includes('.')
        ? (() => {
            const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number]
            return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)]
          })()
        : [parseInt(g, 16).toString(16)],
    )
  const l = expand(left)
  const r = expand(right)
  const zeros = tail === undefined ? [] : Array<string>(8 - l.length - r.length).fill('0')
  return [...l, ...zeros, ...r]
}

export interface ExposureRecorderOptions {
  flushMs?: number
  /** How long a viewer's impression of a post stands before it can count again (default one hour). */
  windowMs?: number
  /** Viewer-post pairs remembered per window (default 2,000,000); past it the window turns over early. */
  maxTracked?: number
  now?: () => number
  log?: (line: string) => void
}

/**
 * "Has this viewer been counted for this post lately?" in two generations: a pair is remembered for between one
 * and two windows, and memory is bounded by `maxTracked` pairs per generation (a full generation ends the window
 * early, which only lets a pair count again sooner).
 */
function createSeenPairs(windowMs: number, maxTracked: number, now: () => number) {
  let current = new Map<string, Set<number>>()
  let previous = new Map<string, Set<number>>()
  let tracked = 0
  let startedMs = now()

  return {
    /** True the first time (viewer, post) is offered in a window, and remembers it. */
    firstSight(viewer: string, postId: number): boolean {
      if (now() - startedMs >= windowMs || tracked >= maxTracked) {
        previous = current
        current = new Map()
        tracked = 0
        startedMs = now()
      }
      if (previous.get(viewer)?.has(postId)) return false
      let posts = current.get(viewer)
      if (!posts) current.set(viewer, (posts = new Set()))
      if (posts.has(postId)) return false
      posts.add(postId)
      tracked += 1
      return true
    },
  }
}

/**
 * Counts the impressions the feed serves into `feed_exposure`, which weighs the jury's sample (MECHANISM.md). An
 * impression is one viewer seeing one post: the same viewer paging over the same post again within the window is not
 * another one, so nobody can raise a market's odds of being sampled by asking for its page in a loop (a viewer is a
 * verified DID where the caller has one; see the callers for the rest).
 *
 * Counts accumulate in memory and are added in one statement every `flushMs`, so the feed's hot path never waits on
 * the database for them. A failed flush keeps its counts for the next one; a crash loses at most one interval of
 * impressions, which only nudges sampling weights.
 */
export function createExposureRecorder(
  database: Database,
  opts: ExposureRecorderOptions = {},
): ExposureRecorder {
  let pending = new Map<number, number>()
  let flushing: Promise<void> | undefined
  const seen = createSeenPairs(opts.windowMs ?? 3_600_000, opts.maxTracked ?? 2_000_000, opts.now ?? Date.now)

  async function doFlush(): Promise<void> {
    if (pending.size === 0) return
    const batch = pending
    pending = new Map()
    const ids = [...batch.keys()].map(String)
    const counts = [...batch.values()].map(String)
    const { sql } = database
    try {
      await sql`
        insert into feed_exposure (post_id, impressions, updated_at)
        select id, n, now() from unnest(${sql.array(ids)}::bigint[], ${sql.array(counts)}::bigint[]) as t(id, n)
        on conflict (post_id) do update
          set impressions = feed_exposure.impressions + excluded.impressions, updated_at = now()`
    } catch (err) {
      for (const [id, n] of batch) pending.set(id, (pending.get(id) ?? 0) + n)
      opts.log?.(
        `exposure: flush failed, keeping ${batch.size} counts for the next try: ${(err as Error).message}`,
      )
    }
  }

  const flush = () =>
    (flushing ??= doFlush().finally(() => {
      flushing = undefined
    }))
  const timer = setInterval(() => void flush(), opts.flushMs ?? 5_000)
  timer.unref()

  return {
    record: (postIds, viewer = ANONYMOUS_VIEWER) => {
      for (const id of postIds) {
        if (seen.firstSight(viewer, id)) pending.set(id, (pending.get(id) ?? 0) + 1)
      }
    },
    flush,
    async stop() {
      clearInterval(timer)
      await flushing
      await flush()
    },
  }
}
