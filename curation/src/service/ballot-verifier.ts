/**
 * Verifying ballot proofs off the event loop: a pool of worker threads, each with its own single-threaded BN254
 * curve. (Semaphore's verifyProof otherwise builds snarkjs's default curve, which farms every pairing out to its
 * own thread pool: about 40% slower per proof here, and it keeps Node alive until terminated.)
 *
 * Each worker loads the CommonJS build of @semaphore-protocol/core (and so snarkjs and its ffjavascript) and only
 * then seeds `globalThis.curve_bn128` with a single-threaded curve: ffjavascript's module body resets that global
 * when it loads, and snarkjs's verify reuses whatever curve the global holds. Without the seed, proving and verifying
 * crash inside worker_threads ("Worker is not a constructor").
 *
 * Pass `pool.verify` as `submitBallot`'s `verifyProof`.
 */
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { SemaphoreProof } from '@semaphore-protocol/core'

/**
 * The pool could not check a proof (its threads stopped, or it was closed): a failure of the verifier, not of the
 * proof, so the ballot is neither refused as invalid nor accepted. Told apart by name: a bundler may load this module
 * more than once (the web app bundles each route), so `instanceof` is not reliable.
 */
export class VerifierUnavailableError extends Error {
  override name = 'VerifierUnavailableError'
}

export function isVerifierUnavailable(err: unknown): boolean {
  return err instanceof Error && err.name === 'VerifierUnavailableError'
}

export interface VerifierPool {
  verify: (proof: SemaphoreProof) => Promise<boolean>
  size: number
  close(): Promise<void>
}

interface PoolWorker {
  worker: Worker
  /** Requests sent to it and not answered yet. */
  ids: Set<number>
  dead?: boolean
}

export interface Paths {
  core: string
  ffjavascript: string
}

/**
 * Absolute paths of the CommonJS entries the workers load (bench/verify.ts's single-thread baseline loads the same),
 * resolved at run time from this module's folder, or else from the working directory.
 *
 * `createRequire` comes from `process.getBuiltinModule` on purpose: a bundler that sees `createRequire(...)` and
 * `.resolve(...)` rewrites them (the web app's Turbopack turns each resolved path into its own numeric module id,
 * which no Worker can load). Nothing is required here, so nothing is bundled.
 */
export function verifierModulePaths(): Paths {
  const { createRequire } = process.getBuiltinModule('node:module')
  const bases = [import.meta.url, join(process.cwd(), 'package.json')]
  let lastError: unknown
  for (const base of bases) {
    try {
      const core = createRequire(base).resolve('@semaphore-protocol/core')
      const proof = createRequire(core).resolve('@semaphore-protocol/proof')
      const snarkjs = createRequire(proof).resolve('snarkjs')
      return { core, ffjavascript: createRequire(snarkjs).resolve('ffjavascript') }
    } catch (err) {
      lastError = err
    }
  }
  throw lastError
}

// ffjavascript requires 'web-worker' as it loads; inside a worker thread that module takes itself for a web-worker
// runtime and tries to load a script from workerData (logging an error and installing globals). A single-threaded
// curve never starts a Worker, so an inert stand-in is put in the require cache first.
const WORKER_SOURCE = `
const Module = require('node:module')
const { parentPort, workerData } = require('node:worker_threads')
const webWorker = Module.createRequire(workerData.ffjavascript).resolve('web-worker')
const stub = new Module(webWorker)
stub.filename = webWorker
stub.loaded = true
stub.exports = function Worker() { throw new Error('no worker threads inside a proof verifier thread') }
require.cache[webWorker] = stub
const { verifyProof } = require(workerData.core)
const { buildBn128 } = require(workerData.ffjavascript)
buildBn128(true).then((curve) => {
  globalThis.curve_bn128 = curve
  parentPort.on('message', ({ id, proof }) => {
    verifyProof(proof).then(
      (ok) => parentPort.postMessage({ id, ok: ok === true }),
      (err) => parentPort.postMessage({ id, ok: false, error: String(err && err.message || err) }),
    )
  })
  parentPort.postMessage({ ready: true })
})
`

/** Starts `size` verifier threads (default 2, the machine's cores here) and waits until each has its curve. */
export async function createVerifierPool(opts: { size?: number } = {}): Promise<VerifierPool> {
  const size = Math.max(1, Math.floor(opts.size ?? 2))
  const paths = verifierModulePaths()
  const pending = new Map<number, { resolve: (ok: boolean) => void; reject: (err: Error) => void }>()
  let nextId = 0
  const workers = await Promise.all(
    Array.from(
      { length: size },
      () =>
        new Promise<PoolWorker>((resolve, reject) => {
          const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: paths })
          const entry: PoolWorker = { worker, ids: new Set() }
          worker.on('message', (msg: { ready?: true; id?: number; ok?: boolean }) => {
            if (msg.ready) return resolve(entry)
            entry.ids.delete(msg.id!)
            const done = pending.get(msg.id!)
            pending.delete(msg.id!)
            done?.resolve(msg.ok === true)
          })
          worker.once('error', reject)
          // A worker that dies takes no more, and what it held is neither accepted nor refused as invalid: the
          // caller hears the verifier is unavailable (and may verify elsewhere).
          worker.once('exit', () => {
            entry.dead = true
            for (const id of entry.ids) {
              pending.get(id)?.reject(new VerifierUnavailableError('a proof verifier thread stopped'))
              pending.delete(id)
            }
            entry.ids.clear()
          })
        }),
    ),
  )
  return {
    size,
    verify: (proof) => {
      // The least busy live worker takes it.
      const live = workers.filter((w) => !w.dead)
      if (live.length === 0)
        return Promise.reject(new VerifierUnavailableError('every proof verifier thread has stopped'))
      const target = live.reduce((a, b) => (b.ids.size < a.ids.size ? b : a))
      const id = nextId++
      target.ids.add(id)
      return new Promise<boolean>((resolve, reject) => {
        pending.set(id, { resolve, reject })
        target.worker.postMessage({ id, proof })
      })
    },
    async close() {
      await Promise.all(workers.map((w) => w.worker.terminate()))
      for (const done of pending.values())
        done.reject(new VerifierUnavailableError('the proof verifier was closed'))
      pending.clear()
    },
  }
}
