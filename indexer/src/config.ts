import { join } from 'node:path'
import { z } from 'zod'
import type { CandidatePolicy } from '@curia/curation/candidate'
import { IndexerError } from './errors'
import { parseRecordUri } from '@curia/curation/records/common'
import { SUPPORTED_COLLECTIONS, type Collection } from '@curia/curation/records/types'

export type SourceKind = 'jetstream' | 'firehose'

export interface IndexerConfig {
  source: SourceKind
  jetstream: {
    url: string
    /**
     * Only these repos' events, when set. Jetstream applies it to every collection, so likes and reposts by anyone
     * else are dropped too: use it for an authors-only feed, not to narrow a language feed. It cannot follow a
     * candidate list's membership: a member's posts arrive only if the member is listed here too.
     */
    wantedDids: string[]
  }
  firehose: { url: string }
  identity: {
    plcUrl: string
    /** Lets the identity resolver fetch plain-http PLC and did:web documents: a local network only. */
    allowHttp: boolean
    /**
     * How long the firehose waits for a did:web host that does not answer before skipping the commit as unverified
     * (PLC, everyone's directory, is waited for however long it is away; see FirehoseSourceOptions.didWebWaitMs).
     */
    didWebWaitMs: number
    /**
     * An XRPC service answering `com.atproto.identity.resolveHandle` (CURIA_OAUTH_HANDLE_RESOLVER, the same one the
     * curation service and sign-in use; the local PDS on a local network, whose `.test` handles are in no DNS), to
     * check identity events' handles back to their DIDs; unset: DNS and `/.well-known/atproto-did`, as in production.
     */
    handleResolver: string | undefined
  }
  /** Record collections indexed; everything else is not asked for (Jetstream) or dropped (firehose). */
  collections: Collection[]
  candidate: CandidatePolicy
  batch: {
    /** A batch is written once it holds this many events... */
    maxEvents: number
    /** ...or when its oldest event has waited this long. */
    flushIntervalMs: number
  }
  status: { port: number; host: string }
  database: {
    /** postgres:// URL; absent means embedded PGlite in `pgliteDir`. */
    url: string | undefined
    pgliteDir: string
  }
}

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : v === 'true' || v === '1'))

/** Comma-separated, blanks dropped, so `A, B,` and `A,B` mean the same. */
const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  )

const wsUrl = z.string().regex(/^wss?:\/\/[^\s]+$/, 'a ws:// or wss:// URL')
const did = z.string().regex(/^did:[a-z]+:[a-zA-Z0-9._:%-]+$/, 'a DID')
const listUri = z
  .string()
  .regex(
    /^at:\/\/did:[a-z]+:[a-zA-Z0-9._:%-]+\/app\.bsky\.graph\.list\/[a-zA-Z0-9._:~-]{1,512}$/,
    'the at:// URI of a list record, at://<owner DID>/app.bsky.graph.list/<rkey> (a DID, not a handle)',
  )
const LIST_ITEMS: Collection = 'app.bsky.graph.listitem'

/** Every variable the indexer reads, with the defaults that make `npm start` work unconfigured. */
const env = z.object({
  CURIA_INDEXER_SOURCE: z.enum(['jetstream', 'firehose']).default('jetstream'),
  CURIA_JETSTREAM_URL: wsUrl.default('wss://jetstream2.us-east.bsky.network/subscribe'),
  CURIA_JETSTREAM_WANTED_DIDS: list.pipe(z.array(did)),
  CURIA_FIREHOSE_URL: wsUrl.default('wss://bsky.network'),
  CURIA_PLC_URL: z.url().default('https://plc.directory'),
  CURIA_ALLOW_HTTP_IDENTITY: z.enum(['true', 'false', '1', '0', '']).optional(),
  CURIA_DIDWEB_WAIT_MS: z.coerce.number().int().min(0).max(86_400_000).default(300_000),
  CURIA_OAUTH_HANDLE_RESOLVER: z.url({ protocol: /^https?$/ }).optional(),
  CURIA_INDEXER_COLLECTIONS: list.pipe(z.array(z.enum(SUPPORTED_COLLECTIONS))),
  CURIA_CANDIDATE_AUTHORS: list.pipe(z.array(did)),
  CURIA_CANDIDATE_LISTS: list.pipe(z.array(listUri)),
  // Unset or blank means English; `*` means every language.
  CURIA_CANDIDATE_LANGS: list
    .transform((v) => (v.length === 0 ? ['en'] : v.includes('*') ? [] : v))
    .pipe(
      z.array(
        z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/, 'a language tag such as en or pt-BR, or *'),
      ),
    ),
  CURIA_CANDIDATE_ALLOW_UNKNOWN_LANG: bool(false),
  CURIA_CANDIDATE_INCLUDE_REPLIES: bool(false),
  CURIA_INDEXER_BATCH_SIZE: z.coerce.number().int().min(1).max(50_000).default(1_000),
  CURIA_INDEXER_FLUSH_MS: z.coerce.number().int().min(1).max(60_000).default(250),
  CURIA_INDEXER_STATUS_PORT: z.coerce.number().int().min(0).max(65535).default(3002),
  CURIA_INDEXER_STATUS_HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
        .optional(),
    ),
  CURIA_DATA_DIR: z.string().min(1).default('data'),
})

/** Pure: the environment in, a typed config out, or an `invalid_config` error naming every bad variable. */
export function parseIndexerConfig(source: Record<string, string | undefined>): IndexerConfig {
  const parsed = env.safeParse(source)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`)
    throw new IndexerError('invalid_config', `invalid indexer configuration: ${problems.join('; ')}`)
  }
  const e = parsed.data
  const lists = new Set(e.CURIA_CANDIDATE_LISTS)
  // List items are only asked for when there are lists to follow: otherwise they are a stream of work for nothing.
  const collections =
    e.CURIA_INDEXER_COLLECTIONS.length > 0
      ? e.CURIA_INDEXER_COLLECTIONS
      : SUPPORTED_COLLECTIONS.filter((c) => c !== LIST_ITEMS || lists.size > 0)
  const problems: string[] = []
  if (lists.size > 0 && !collections.includes(LIST_ITEMS)) {
    problems.push(
      `CURIA_CANDIDATE_LISTS: the lists' members are followed through ${LIST_ITEMS} records, which CURIA_INDEXER_COLLECTIONS leaves out`,
    )
  }
  const wanted = new Set(e.CURIA_JETSTREAM_WANTED_DIDS)
  const owners = [...lists].map((uri) => parseRecordUri(uri)!.did)
  const unwanted = owners.filter((owner) => !wanted.has(owner))
  if (e.CURIA_INDEXER_SOURCE === 'jetstream' && wanted.size > 0 && unwanted.length > 0) {
    problems.push(
      `CURIA_CANDIDATE_LISTS: the items of a list are in its owner's repo, and CURIA_JETSTREAM_WANTED_DIDS leaves out ${[...new Set(unwanted)].join(', ')}`,
    )
  }
  if (problems.length > 0) {
    throw new IndexerError('invalid_config', `invalid indexer configuration: ${problems.join('; ')}`)
  }
  const allowHttp =
    e.CURIA_ALLOW_HTTP_IDENTITY === undefined || e.CURIA_ALLOW_HTTP_IDENTITY === ''
      ? e.CURIA_PLC_URL.startsWith('http://') // a plain-http PLC only exists on a local network
      : e.CURIA_ALLOW_HTTP_IDENTITY === 'true' || e.CURIA_ALLOW_HTTP_IDENTITY === '1'
  return {
    source: e.CURIA_INDEXER_SOURCE,
    jetstream: { url: e.CURIA_JETSTREAM_URL, wantedDids: e.CURIA_JETSTREAM_WANTED_DIDS },
    firehose: { url: e.CURIA_FIREHOSE_URL },
    identity: {
      plcUrl: e.CURIA_PLC_URL,
      allowHttp,
      didWebWaitMs: e.CURIA_DIDWEB_WAIT_MS,
      handleResolver: e.CURIA_OAUTH_HANDLE_RESOLVER,
    },
    collections,
    candidate: {
      authors: new Set(e.CURIA_CANDIDATE_AUTHORS),
      lists,
      listMembers: new Set(), // filled in by the indexer (ListMembership)
      langs: e.CURIA_CANDIDATE_LANGS,
      allowUnknownLang: e.CURIA_CANDIDATE_ALLOW_UNKNOWN_LANG,
      includeReplies: e.CURIA_CANDIDATE_INCLUDE_REPLIES,
    },
    batch: { maxEvents: e.CURIA_INDEXER_BATCH_SIZE, flushIntervalMs: e.CURIA_INDEXER_FLUSH_MS },
    status: { port: e.CURIA_INDEXER_STATUS_PORT, host: e.CURIA_INDEXER_STATUS_HOST },
    database: { url: e.DATABASE_URL, pgliteDir: join(e.CURIA_DATA_DIR, 'pglite') },
  }
}

export function readIndexerConfig(): IndexerConfig {
  return parseIndexerConfig(process.env)
}
