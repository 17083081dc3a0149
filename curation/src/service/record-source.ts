import { isObject } from '../records/common'
import { mapProfileRecord } from '../records/profile'

/**
 * Reading records from the network on demand, through one configured record source: `com.atproto.repo.getRecord`
 * on the public AppView in production (`CURIA_RECORD_SOURCE_URL`, default https://public.api.bsky.app) or on the
 * local PDS of a development network. One source, set by the operator, rather than each author's PDS as their DID
 * document names it: a DID document is written by whoever owns the DID, so following it would let anyone point
 * Curia's server at an address of their choosing.
 */
export interface RecordSource {
  recordSourceUrl: string
  fetch?: typeof fetch
}

export type RecordResult =
  | { kind: 'found'; cid: string; value: unknown }
  | { kind: 'not_found' }
  | { kind: 'unavailable'; detail: string }

const FETCH_TIMEOUT_MS = 10_000
/** A post or profile record is a few KB; anything this large is not one. */
const MAX_RECORD_BYTES = 512 * 1024

export async function getRecord(
  source: RecordSource,
  did: string,
  collection: string,
  rkey: string,
  signal?: AbortSignal,
): Promise<RecordResult> {
  const url = new URL('/xrpc/com.atproto.repo.getRecord', source.recordSourceUrl)
  url.searchParams.set('repo', did)
  url.searchParams.set('collection', collection)
  url.searchParams.set('rkey', rkey)
  let res: Response
  try {
    const timeout = AbortSignal.timeout(FETCH_TIMEOUT_MS)
    res = await (source.fetch ?? fetch)(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    })
  } catch (err) {
    return { kind: 'unavailable', detail: `${url.origin}: ${String(err)}` }
  }
  const body = await readJson(res)
  // getRecord answers 400 RecordNotFound (and 400 InvalidRequest for an unknown repo) for what does not exist.
  if (res.status === 400 || res.status === 404) return { kind: 'not_found' }
  if (!res.ok || !isObject(body))
    return { kind: 'unavailable', detail: `${url.origin} answered ${res.status}` }
  if (typeof body.cid !== 'string' || !('value' in body)) return { kind: 'not_found' }
  return { kind: 'found', cid: body.cid, value: body.value }
}

async function readJson(res: Response): Promise<unknown> {
  const length = Number(res.headers.get('content-length') ?? '0')
  if (length > MAX_RECORD_BYTES) {
    await res.body?.cancel()
    return null
  }
  const text = await res.text().catch(() => '')
  if (text.length > MAX_RECORD_BYTES) return null
  try {
    return JSON.parse(text) as unknown
  } catch {
    return null
  }
}

/** What an author's `app.bsky.actor.profile/self` says, as the indexer would store it. */
export interface ProfileFields {
  displayName: string | null
  avatarCid: string | null
}

/**
 * An author's profile, read through the record source and put through the indexer's own mapper (lexicon
 * validation, limits, cleaning). An account without a profile record, or with one that fails the lexicon, is
 * nameless, as the indexer would leave it; `undefined` means the source could not be asked (try again later).
 */
export async function fetchProfile(
  source: RecordSource,
  did: string,
  nowMs: number,
  signal?: AbortSignal,
): Promise<ProfileFields | undefined> {
  const found = await getRecord(source, did, 'app.bsky.actor.profile', 'self', signal)
  if (found.kind === 'unavailable') return undefined
  if (found.kind === 'not_found') return { displayName: null, avatarCid: null }
  const uri = `at://${did}/app.bsky.actor.profile/self`
  const mapped = mapProfileRecord(found.value, 'update', { did, rkey: 'self', uri, eventTimeMs: nowMs })
  return mapped.kind === 'op' && mapped.op.op === 'profile'
    ? { displayName: mapped.op.displayName, avatarCid: mapped.op.avatarCid }
    : { displayName: null, avatarCid: null }
}
