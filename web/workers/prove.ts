/**
 * The juror's prover, off the page's main thread: a Web Worker that rebuilds the group's tree from every
 * commitment, finds its own leaf, and proves with Semaphore at Curia's fixed depth: a ballot (`prove`: the worker
 * builds the canonical content and its message from the votes), or any scope and message against a given group
 * export (`prove-signal`: the verified-human faucet's claim, say).
 *
 * - Artifacts come from Curia (`/api/jury/artifacts/...`, cached forever by URL) and are kept here as bytes: given
 *   as URLs, snarkjs would fetch both files again for every proof. Their sha256 is checked against the manifest the
 *   server rendered into the page.
 * - The tree comes from the frozen root's full list of commitments. Asking the server for one's own Merkle path
 *   would tell it which member is about to vote; fetching everyone's commitments tells it nothing.
 * - The curve (snarkjs's multi-threaded BN254, its own workers from blob: URLs) is built, and the tree rebuilt,
 *   while the juror reads, so pressing "Submit" pays for the proof alone.
 * - Every request here is sent without cookies: nothing the prover fetches is tied to a session.
 */
import { Group, Identity, generateProof, type SemaphoreProof } from '@semaphore-protocol/core'
import * as snarkjs from 'snarkjs'
import { ballotMessage, canonicalBallotContent } from '@curia/curation/jury/ballot'
import { sha256Bytes } from '@curia/curation/jury/hash'
import type {
  ArtifactManifest,
  ArtifactRef,
  ProveFailure,
  ProveRequest,
  ProveSignalRequest,
  ProveTimings,
  WorkerMessage,
  WorkerRequest,
} from '../lib/jury/types'

interface WorkerScope {
  postMessage(message: WorkerMessage): void
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRequest>) => void): void
}
const scope = globalThis as unknown as WorkerScope
const post = (message: WorkerMessage) => scope.postMessage(message)

/** snarkjs exports its curve builders as `curves`; its type declarations do not mention them. */
const curves = (snarkjs as unknown as { curves: { getCurveFromName(name: string): Promise<unknown> } }).curves

class ProveError extends Error {
  constructor(
    readonly code: ProveFailure,
    message: string,
  ) {
    super(message)
  }
}

interface ArtifactBytes {
  wasm: Uint8Array
  zkey: Uint8Array
}

/** By manifest (URL pair): one download per page, whatever the number of proofs. */
let artifacts: { key: string; bytes: Promise<ArtifactBytes> } | undefined
let curve: Promise<unknown> | undefined

function loadArtifacts(
  manifest: ArtifactManifest,
  onProgress: (loaded: number, total: number) => void,
): Promise<ArtifactBytes> {
  const key = `${manifest.wasm.url}|${manifest.zkey.url}`
  if (artifacts?.key === key) return artifacts.bytes
  const total = manifest.wasm.bytes + manifest.zkey.bytes
  const loaded = { wasm: 0, zkey: 0 }
  const report = () => onProgress(loaded.wasm + loaded.zkey, total)
  const bytes = Promise.all([
    fetchArtifact(manifest.wasm, (n) => ((loaded.wasm = n), report())),
    fetchArtifact(manifest.zkey, (n) => ((loaded.zkey = n), report())),
  ]).then(([wasm, zkey]) => ({ wasm, zkey }))
  artifacts = { key, bytes }
  // A failed download is not cached: the next attempt starts over.
  bytes.catch(() => {
    if (artifacts?.key === key) artifacts = undefined
  })
  return bytes
}

async function fetchArtifact(ref: ArtifactRef, onProgress: (loaded: number) => void): Promise<Uint8Array> {
  let res: Response
  try {
    res = await fetch(ref.url, { credentials: 'omit' })
  } catch (err) {
    throw new ProveError('artifacts_unavailable', `Could not download the prover files: ${String(err)}`)
  }
  if (!res.ok || !res.body) {
    throw new ProveError('artifacts_unavailable', `The prover files are unavailable (HTTP ${res.status}).`)
  }
  // Read as a stream for the progress bar. Content-Length may be the compressed size, so count decoded bytes
  // against the manifest's size.
  const out = new Uint8Array(ref.bytes)
  let offset = 0
  const reader = res.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    if (offset + value.length > out.length) {
      throw new ProveError('artifacts_unavailable', 'A prover file is larger than announced.')
    }
    out.set(value, offset)
    offset += value.length
    onProgress(offset)
  }
  if (offset !== out.length) throw new ProveError('artifacts_unavailable', 'A prover file was cut short.')
  if ((await sha256Hex(out)) !== ref.sha256) {
    throw new ProveError('artifacts_unavailable', 'A prover file does not match its published hash.')
  }
  return out
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // WebCrypto exists only in secure contexts (https, localhost); elsewhere the curation layer's sha256 does it.
  if (globalThis.crypto?.subtle) {
    const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
  }
  return sha256Bytes(bytes).slice(2)
}

function warmCurve(): Promise<unknown> {
  curve ??= curves.getCurveFromName('bn128')
  return curve
}

interface GroupFile {
  depth: number
  version: number
  root: string | null
  commitments: string[]
}

async function fetchGroup(url: string): Promise<GroupFile> {
  let res: Response
  try {
    res = await fetch(url, { credentials: 'omit' })
  } catch (err) {
    throw new ProveError('group_unavailable', `Could not download the jury's members: ${String(err)}`)
  }
  if (!res.ok)
    throw new ProveError('group_unavailable', `The jury's members are unavailable (HTTP ${res.status}).`)
  const body = (await res.json()) as GroupFile
  if (!Array.isArray(body.commitments))
    throw new ProveError('group_unavailable', 'The member list is malformed.')
  return body
}

interface RebuiltGroup {
  commitments: string[]
  group: Group
}

/** By URL and root: the tree of the round's frozen root, fetched and rebuilt once (while warming, if asked). */
let rebuilt: { key: string; value: Promise<RebuiltGroup> } | undefined

/** What a proof is for: the words of its refusals. */
type Purpose = 'ballot' | 'faucet'

function loadGroup(url: string, root: string): Promise<RebuiltGroup> {
  const key = `${url}|${root}`
  if (rebuilt?.key === key) return rebuilt.value
  const value = fetchGroup(url).then((file) => {
    const group = new Group(file.commitments.map((c) => BigInt(c)))
    if (group.root.toString() !== root) {
      throw new ProveError(
        'root_mismatch',
        "The jury's member list does not rebuild the root it was published for (the round's, or the group's).",
      )
    }
    return { commitments: file.commitments, group }
  })
  rebuilt = { key, value }
  value.catch(() => {
    if (rebuilt?.key === key) rebuilt = undefined
  })
  return value
}

/** What both kinds of request share: who proves, against which group, for which scope, at which depth. */
type ProofTarget = Pick<
  ProveRequest,
  'id' | 'privateKey' | 'groupUrl' | 'root' | 'scope' | 'depth' | 'artifacts'
>

const NOT_MEMBER: Record<Purpose, string> = {
  ballot:
    "This device's juror identity is not in this round's jury: the round froze its members before you enrolled, " +
    'or this is not the identity you enrolled with.',
  faucet:
    "This device's juror identity is not in the jury group: it was never admitted, it was removed, or this is " +
    'not the identity you enrolled with.',
}

/**
 * Loads what proving needs (artifacts, curve, the group's tree), finds the identity's leaf, and proves `message`
 * for the target's scope. `message` is called once the tree is ready (a ballot builds its content there).
 */
async function proveAgainstGroup<T>(
  req: ProofTarget,
  purpose: Purpose,
  message: () => { message: bigint; extra: T },
): Promise<{ proof: SemaphoreProof; extra: T; timings: ProveTimings }> {
  let identity: Identity
  try {
    identity = Identity.import(req.privateKey)
  } catch {
    throw new ProveError('bad_identity', 'The juror identity stored on this device is damaged.')
  }

  const t0 = performance.now()
  post({ type: 'progress', id: req.id, phase: 'artifacts' })
  const bytes = await loadArtifacts(req.artifacts, (loadedBytes, totalBytes) =>
    post({ type: 'progress', id: req.id, phase: 'artifacts', loadedBytes, totalBytes }),
  )
  await warmCurve()
  const t1 = performance.now()

  post({ type: 'progress', id: req.id, phase: 'group' })
  const { commitments, group } = await loadGroup(req.groupUrl, req.root)
  const index = commitments.indexOf(identity.commitment.toString())
  if (index < 0) throw new ProveError('not_member', NOT_MEMBER[purpose])
  const merkleProof = group.generateMerkleProof(index)
  const t2 = performance.now()

  const signal = message()
  post({ type: 'progress', id: req.id, phase: 'proving' })
  // The artifacts' declared type is a path or URL; snarkjs (fastfile) also takes the bytes themselves.
  const proof: SemaphoreProof = await generateProof(
    identity,
    // generateProof pads the siblings in place: hand it a copy.
    { ...merkleProof, siblings: [...merkleProof.siblings] },
    signal.message,
    BigInt(req.scope),
    req.depth,
    bytes as unknown as { wasm: string; zkey: string },
  )
  const t3 = performance.now()
  return { proof, extra: signal.extra, timings: { artifactsMs: t1 - t0, groupMs: t2 - t1, proveMs: t3 - t2 } }
}

async function prove(req: ProveRequest): Promise<void> {
  // The content and its message are computed here rather than on the page, so the page never loads the
  // Semaphore and snarkjs code (nor compiles its WebAssembly).
  const {
    proof,
    extra: content,
    timings,
  } = await proveAgainstGroup(req, 'ballot', () => {
    const content = canonicalBallotContent(req.votes)
    return { message: ballotMessage(content), extra: content }
  })
  post({ type: 'proof', id: req.id, proof, content, timings })
}

async function proveSignal(req: ProveSignalRequest): Promise<void> {
  let message: bigint
  try {
    message = BigInt(req.message)
  } catch {
    throw new ProveError('failed', 'The message to prove is not a number.')
  }
  const { proof, timings } = await proveAgainstGroup(req, req.purpose, () => ({ message, extra: null }))
  post({ type: 'signal-proof', id: req.id, proof, timings })
}

scope.addEventListener('message', (event) => {
  const req = event.data
  if (req.type === 'warm') {
    const t0 = performance.now()
    // Everyone who opens the ballot fetches the same member list, so fetching it early says nothing about who
    // is about to vote; a failure here is retried when proving.
    if (req.group) loadGroup(req.group.url, req.group.root).catch(() => {})
    Promise.all([
      loadArtifacts(req.artifacts, (loadedBytes, totalBytes) =>
        post({ type: 'warm-progress', loadedBytes, totalBytes }),
      ),
      warmCurve(),
    ]).then(
      () => post({ type: 'warm-done', ms: performance.now() - t0 }),
      (err: unknown) => post({ type: 'warm-failed', message: messageOf(err) }),
    )
    return
  }
  ;(req.type === 'prove-signal' ? proveSignal(req) : prove(req)).catch((err: unknown) =>
    post({
      type: 'prove-failed',
      id: req.id,
      code: err instanceof ProveError ? err.code : 'failed',
      message: messageOf(err),
    }),
  )
})

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
