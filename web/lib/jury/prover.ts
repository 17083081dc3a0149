/**
 * The page's handle on the proof worker (web/workers/prove.ts): one worker per page, started when the ballot page
 * loads so the artifacts download and the curve builds while the juror reads the posts (or, for the faucet's claim,
 * when the curator asks for it). Browser only.
 */
import type { SemaphoreProof } from '@semaphore-protocol/core'
import type {
  ArtifactManifest,
  ProveFailure,
  ProvePhase,
  ProveRequest,
  ProveSignalRequest,
  ProveTimings,
  WarmRequest,
  WorkerMessage,
} from './types'

export type WarmState =
  | { status: 'loading'; loadedBytes: number; totalBytes: number }
  | { status: 'ready'; ms: number }
  | { status: 'failed'; message: string }

export interface ProveProgress {
  phase: ProvePhase
  loadedBytes?: number
  totalBytes?: number
}

export class ProverError extends Error {
  constructor(
    readonly code: ProveFailure,
    message: string,
  ) {
    super(message)
    this.name = 'ProverError'
  }
}

export interface ProveResult {
  proof: SemaphoreProof
  /** The canonical ballot content the proof's message commits to. */
  content: string
  timings: ProveTimings
}

export interface SignalProofResult {
  proof: SemaphoreProof
  timings: ProveTimings
}

export interface Prover {
  /** A ballot: the worker builds the canonical content from the votes, and proves its message. */
  prove(
    req: Omit<ProveRequest, 'type' | 'id' | 'artifacts'>,
    onProgress: (p: ProveProgress) => void,
  ): Promise<ProveResult>
  /** Any scope and message against the given group version (the faucet's claim). */
  proveSignal(
    req: Omit<ProveSignalRequest, 'type' | 'id' | 'artifacts'>,
    onProgress: (p: ProveProgress) => void,
  ): Promise<SignalProofResult>
  terminate(): void
}

/**
 * Starts the worker and warms it (artifacts, curve, and the round's tree when `group` is given); `onWarm` reports
 * the download and readiness.
 */
export function startProver(
  artifacts: ArtifactManifest,
  onWarm: (state: WarmState) => void,
  group?: { url: string; root: string },
): Prover {
  // The pattern Next's bundler recognises: the worker is compiled as its own entry and served from /_next/static.
  const worker = new Worker(new URL('../../workers/prove.ts', import.meta.url), { type: 'module' })
  let nextId = 1
  const pending = new Map<
    number,
    {
      resolve: (r: ProveResult) => void
      resolveSignal?: (r: SignalProofResult) => void
      reject: (e: Error) => void
      onProgress: (p: ProveProgress) => void
    }
  >()

  worker.addEventListener('message', (event: MessageEvent<WorkerMessage>) => {
    const msg = event.data
    switch (msg.type) {
      case 'warm-progress':
        onWarm({ status: 'loading', loadedBytes: msg.loadedBytes, totalBytes: msg.totalBytes })
        return
      case 'warm-done':
        onWarm({ status: 'ready', ms: msg.ms })
        return
      case 'warm-failed':
        onWarm({ status: 'failed', message: msg.message })
        return
      case 'progress': {
        const p: ProveProgress = { phase: msg.phase }
        if (msg.loadedBytes !== undefined) p.loadedBytes = msg.loadedBytes
        if (msg.totalBytes !== undefined) p.totalBytes = msg.totalBytes
        pending.get(msg.id)?.onProgress(p)
        return
      }
      case 'proof':
        pending.get(msg.id)?.resolve({ proof: msg.proof, content: msg.content, timings: msg.timings })
        pending.delete(msg.id)
        return
      case 'signal-proof':
        pending.get(msg.id)?.resolveSignal?.({ proof: msg.proof, timings: msg.timings })
        pending.delete(msg.id)
        return
      case 'prove-failed':
        pending.get(msg.id)?.reject(new ProverError(msg.code, msg.message))
        pending.delete(msg.id)
        return
    }
  })
  worker.addEventListener('error', (event) => {
    const err = new ProverError('failed', `The prover stopped: ${event.message || 'unknown error'}`)
    onWarm({ status: 'failed', message: err.message })
    for (const p of pending.values()) p.reject(err)
    pending.clear()
  })

  worker.postMessage({ type: 'warm', artifacts, ...(group ? { group } : {}) } satisfies WarmRequest)

  return {
    prove(req, onProgress) {
      const id = nextId++
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject, onProgress })
        worker.postMessage({ ...req, type: 'prove', id, artifacts } satisfies ProveRequest)
      })
    },
    proveSignal(req, onProgress) {
      const id = nextId++
      return new Promise((resolve, reject) => {
        pending.set(id, {
          resolve: () => reject(new ProverError('failed', 'The prover answered with a ballot.')),
          resolveSignal: resolve,
          reject,
          onProgress,
        })
        worker.postMessage({ ...req, type: 'prove-signal', id, artifacts } satisfies ProveSignalRequest)
      })
    },
    terminate() {
      worker.terminate()
      for (const p of pending.values()) p.reject(new ProverError('failed', 'The prover was stopped.'))
      pending.clear()
    },
  }
}
