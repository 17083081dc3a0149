import { schemas } from '@atproto/api'
import { Lexicons, type LexiconDoc } from '@atproto/lexicon'
import type { MapResult, SkipReason } from './types'
import { compileRecordValidator } from './validator'

/**
 * Limits on fields the lexicons leave unbounded. No real client produces more; a record over them is skipped as
 * `oversized_record` rather than stored, so one hostile record cannot bloat the table or a rendered page.
 */
export const RECORD_LIMITS = {
  facetFeatures: 300,
  altChars: 10_000,
  titleChars: 3_000,
  descriptionChars: 10_000,
  uriChars: 8_192,
  displayNameChars: 640,
} as const

/** A claimed `createdAt` more than this far past the event time is a lie (or a broken clock): it is clamped. */
export const MAX_CLOCK_SKEW_MS = 10 * 60_000

/** What mapping needs besides the event: the time the network saw it, for clamping `createdAt`. */
export interface RecordContext {
  did: string
  rkey: string
  uri: string
  eventTimeMs: number
}

export type JsonObject = Record<string, unknown>

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function skip(reason: SkipReason, detail: string): MapResult {
  return { kind: 'skip', reason, detail }
}

/**
 * Text as Postgres can store it. NUL is not allowed in `text` or `jsonb` and is replaced by a space (one byte, so
 * facet byte offsets stay right); a lone surrogate (possible in JSON, never in valid UTF-8) would make `jsonb` reject
 * the whole batch, so it becomes U+FFFD.
 */
export function cleanText(value: string): string {
  let out = value.includes('\u0000') ? value.replaceAll('\u0000', ' ') : value
  const wellFormed = out as unknown as ES2024String // Node 24 has these; the shared tsconfig targets ES2023 types
  if (!wellFormed.isWellFormed()) out = wellFormed.toWellFormed()
  return out
}

interface ES2024String {
  isWellFormed(): boolean
  toWellFormed(): string
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/
/** Nothing on the network predates the Unix epoch; Postgres also rejects year 0, so this floor keeps writes safe. */
const EARLIEST_MS = 0

/**
 * The time a record claims, as an ISO string, unless it is absurd: not an RFC 3339 datetime, before 1970, or more
 * than `MAX_CLOCK_SKEW_MS` after the network saw the event. Then the event time stands in, so a post cannot
 * pin itself to the top of a freshness-ranked feed by claiming to come from the future.
 */
export function clampCreatedAt(claimed: unknown, eventTimeMs: number): { iso: string; clamped: boolean } {
  if (typeof claimed !== 'string') return { iso: new Date(eventTimeMs).toISOString(), clamped: true }
  // Nearly every client writes the canonical form already: then the string is its own ISO form, and the parse,
  // Date and toISOString below (about 1 us an event, bench/ingest.ts) are not needed.
  const canonicalMs = canonicalIsoMs(claimed)
  if (canonicalMs !== undefined && canonicalMs <= eventTimeMs + MAX_CLOCK_SKEW_MS) {
    return { iso: claimed, clamped: false }
  }
  if (RFC3339.test(claimed)) {
    const ms = Date.parse(claimed)
    if (Number.isFinite(ms) && ms >= EARLIEST_MS && ms <= eventTimeMs + MAX_CLOCK_SKEW_MS) {
      return { iso: new Date(ms).toISOString(), clamped: false }
    }
  }
  return { iso: new Date(eventTimeMs).toISOString(), clamped: true }
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * The instant of `YYYY-MM-DDTHH:MM:SS.sssZ` (what `toISOString` writes) from 1970 on, when every field is in its
 * calendar range, i.e. exactly when `new Date(Date.parse(value)).toISOString() === value`; otherwise undefined
 * (Date.parse rolls `02-30` or `T24:00` over to another day, whose ISO form differs: the full path handles those).
 */
function canonicalIsoMs(value: string): number | undefined {
  if (
    value.length !== 24 ||
    value.charCodeAt(4) !== 45 || // -
    value.charCodeAt(7) !== 45 ||
    value.charCodeAt(10) !== 84 || // T
    value.charCodeAt(13) !== 58 || // :
    value.charCodeAt(16) !== 58 ||
    value.charCodeAt(19) !== 46 || // .
    value.charCodeAt(23) !== 90 // Z
  ) {
    return undefined
  }
  const year = digits(value, 0, 4)
  const month = digits(value, 5, 2)
  const day = digits(value, 8, 2)
  const hour = digits(value, 11, 2)
  const minute = digits(value, 14, 2)
  const second = digits(value, 17, 2)
  const ms = digits(value, 20, 3)
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return undefined
  if (minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return undefined
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  if (day > DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0)) return undefined
  return Date.UTC(year, month - 1, day, hour, minute, second, ms)
}

/** The decimal number in `value[start, start + count)`, or -1 when a character there is not a digit. */
function digits(value: string, start: number, count: number): number {
  let n = 0
  for (let i = start; i < start + count; i++) {
    const d = value.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n
}

/** Collections whose `createdAt` mapping always replaces with `clampCreatedAt`'s canonical ISO string. */
const CLAMPED_COLLECTIONS = new Set(['app.bsky.feed.post', 'app.bsky.feed.like', 'app.bsky.feed.repost'])

/**
 * Bluesky's lexicons as @atproto/api ships them, with one change: the `createdAt` of posts, likes and reposts is
 * checked as a plain string, because mapping always replaces it with `clampCreatedAt`'s canonical ISO string before
 * validating (a malformed or absurd time is corrected, not fatal). Re-checking that string's datetime format was
 * about a fifth of validation's CPU on the hot path (bench/ingest.ts). Every other rule is the lexicon's own.
 */
export const indexerLexicons = new Lexicons(
  (schemas as unknown as LexiconDoc[]).map((doc) => {
    if (!CLAMPED_COLLECTIONS.has(doc.id)) return doc
    const copy = structuredClone(doc)
    const main = copy.defs.main as { record: { properties: Record<string, unknown> } }
    main.record.properties.createdAt = { type: 'string' }
    return copy
  }),
)

/** One validator per indexed collection, compiled once from `indexerLexicons` (see validator.ts for why). */
const validators = new Map<string, (record: unknown) => string | undefined>()

/** Validates a record in its JSON form against its lexicon; returns the error, or undefined when it is valid. */
export function validateRecord(collection: string, record: JsonObject): string | undefined {
  if (record.$type !== collection) return `$type is ${JSON.stringify(record.$type)}, expected ${collection}`
  let validate = validators.get(collection)
  if (!validate) {
    validate = compileRecordValidator(indexerLexicons, collection)
    validators.set(collection, validate)
  }
  return validate(record)
}

/**
 * validateRecord for a post, like or repost whose `createdAt` mapping replaces with `clampCreatedAt`'s `iso` (see
 * indexerLexicons): the lexicon check sees that string. The record is copied only when the claimed value differs,
 * which a canonical claim does not: no copy of every record on the hot path.
 */
export function validateClampedRecord(collection: string, record: JsonObject, createdAtIso: string) {
  return validateRecord(
    collection,
    record.createdAt === createdAtIso ? record : { ...record, createdAt: createdAtIso },
  )
}

/** The CID of a blob in JSON form: `{ref: {$link}}`, or the legacy `{cid}` shape. */
export function blobCid(blob: unknown): string | undefined {
  if (!isObject(blob)) return undefined
  const ref = blob.ref
  if (isObject(ref) && typeof ref.$link === 'string') return ref.$link
  return typeof blob.cid === 'string' ? blob.cid : undefined
}

/** `at://<did>/<collection>/<rkey>` and its parts, or undefined when it is not a DID-based record URI. */
export function parseRecordUri(uri: string): { did: string; collection: string; rkey: string } | undefined {
  const match = /^at:\/\/(did:[a-z]+:[a-zA-Z0-9._:%-]+)\/([a-zA-Z0-9.-]+)\/([a-zA-Z0-9._:~-]{1,512})$/.exec(
    uri,
  )
  if (!match) return undefined
  return { did: match[1]!, collection: match[2]!, rkey: match[3]! }
}

export function isPostUri(uri: string): boolean {
  return parseRecordUri(uri)?.collection === 'app.bsky.feed.post'
}

const DID = /^did:[a-z]+:[a-zA-Z0-9._:%-]{1,2048}$/
const RKEY = /^[a-zA-Z0-9._:~-]{1,512}$/

export function isDid(value: unknown): value is string {
  return typeof value === 'string' && DID.test(value)
}

export function isRecordKey(value: unknown): value is string {
  return typeof value === 'string' && RKEY.test(value) && value !== '.' && value !== '..'
}
