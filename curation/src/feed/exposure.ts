import type { Database } from '@curia/db'

export interface ExposureRecorder {
  /** Counts one impression for each post (cheap: a map increment; the database sees a batch per flush). */
  record: (postIds: readonly number[]) => void
  flush: () => Promise<void>
  stop: () => Promise<void>
}

/**
 * Accumulates impressions in memory and adds them to `feed_exposure` in one statement every `flushMs`, so the
 * feed's hot path never waits on the database for them. A failed flush keeps its counts for the next one; a crash
 * loses at most one interval of impressions, which only nudges sampling weights.
 */
export function createExposureRecorder(
  database: Database,
  opts: { flushMs?: number; log?: (line: string) => void } = {},
): ExposureRecorder {
  let pending = new Map<number, number>()
  let flushing: Promise<void> | undefined

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
    record: (postIds) => {
      for (const id of postIds) pending.set(id, (pending.get(id) ?? 0) + 1)
    },
    flush,
    async stop() {
      clearInterval(timer)
      await flushing
      await flush()
    },
  }
}
