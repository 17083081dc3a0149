import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { z } from 'zod'

/**
 * The web app's one environment reader. Everything else takes a `WebConfig` (or a value derived from it), so
 * tests and scripts can build one without touching `process.env`.
 */
export interface WebConfig {
  /** postgres:// URL; when absent the app uses (or starts) embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined
  /** Folder holding embedded PGlite (`<dataDir>/pglite`) and its socket file. */
  dataDir: string
  /** Record key of the feed whose snapshots this app shows. */
  feedRkey: string
  /** How often to look for a newer ranked snapshot and for deletions. */
  snapshotRefreshMs: number
  /** Where an image blob is fetched from; `{did}` and `{cid}` are substituted (URL-encoded). */
  blobUrlTemplate: string
  /** Where an avatar blob is fetched from; same placeholders. */
  avatarUrlTemplate: string
}

const BSKY_CDN_FULLSIZE = 'https://cdn.bsky.app/img/feed_fullsize/plain/{did}/{cid}@jpeg'
const BSKY_CDN_AVATAR = 'https://cdn.bsky.app/img/avatar_thumbnail/plain/{did}/{cid}@jpeg'

// An empty variable means "not set": `.env` files and CI matrices often export `FOO=`.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional())

const blobTemplate = z
  .string()
  .refine((t) => t.includes('{cid}'), 'must contain {cid}')
  .refine((t) => /^https?:\/\//.test(t), 'must be an http(s) URL')

const envSchema = z.object({
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')),
  CURIA_DATA_DIR: optional(z.string()),
  CURIA_FEED_RKEY: optional(z.string().regex(/^[A-Za-z0-9._:~-]{1,512}$/, 'must be a valid record key')),
  CURIA_SNAPSHOT_REFRESH_MS: optional(z.coerce.number().int().min(100).max(3_600_000)),
  CURIA_BLOB_URL_TEMPLATE: optional(blobTemplate),
  CURIA_AVATAR_URL_TEMPLATE: optional(blobTemplate),
})

export function readWebConfig(env: Record<string, string | undefined>, cwd = process.cwd()): WebConfig {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    throw new Error(`Invalid web configuration:\n${z.prettifyError(parsed.error)}`)
  }
  const e = parsed.data
  const blobUrlTemplate = e.CURIA_BLOB_URL_TEMPLATE ?? BSKY_CDN_FULLSIZE
  const root = findRepoRoot(cwd)
  return {
    databaseUrl: e.DATABASE_URL,
    // Relative to the repository root, like the launcher's: `CURIA_DATA_DIR=data` names the same folder whether
    // read here (cwd web/) or by the launcher (cwd the root).
    dataDir: resolve(root, e.CURIA_DATA_DIR ?? 'data'),
    feedRkey: e.CURIA_FEED_RKEY ?? 'curia',
    snapshotRefreshMs: e.CURIA_SNAPSHOT_REFRESH_MS ?? 5_000,
    blobUrlTemplate,
    // The CDN has a small avatar rendition; a custom blob server (the demo's PDS) has only the original.
    avatarUrlTemplate:
      e.CURIA_AVATAR_URL_TEMPLATE ??
      (e.CURIA_BLOB_URL_TEMPLATE === undefined ? BSKY_CDN_AVATAR : blobUrlTemplate),
  }
}

/**
 * `next start` runs with the web workspace as its working directory while the launcher and the indexer run from
 * the repository root; both must agree on where `data/` is, so it is anchored at the root (the nearest folder
 * whose package.json declares workspaces), not at the working directory.
 */
function findRepoRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      try {
        if ('workspaces' in (JSON.parse(readFileSync(manifest, 'utf8')) as object)) return dir
      } catch {
        // An unreadable manifest is not the root; keep walking up.
      }
    }
    if (dirname(dir) === dir) return resolve(from)
  }
}

let cached: WebConfig | undefined

/** The process's configuration, read from the environment once. */
export function getWebConfig(): WebConfig {
  cached ??= readWebConfig(process.env)
  return cached
}
