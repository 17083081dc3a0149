/**
 * Semaphore's proving artifacts, from the installed @zk-kit/semaphore-artifacts (never downloaded at run time:
 * passing them explicitly keeps proving offline and pinned to the version the proof package expects, 4.13.0).
 * Only provers need them (tests, the demo's simulated jurors, the web app serving them to browsers); verifying
 * uses the verification keys built into @semaphore-protocol/proof.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { JURY_TREE_DEPTH } from '../jury/group'

export interface SemaphoreArtifacts {
  wasm: string
  zkey: string
}

export function semaphoreArtifacts(depth: number = JURY_TREE_DEPTH): SemaphoreArtifacts {
  if (!Number.isSafeInteger(depth) || depth < 1 || depth > 32)
    throw new TypeError(`no artifacts for depth ${depth}`)
  // The package has no main entry: resolve its package.json and take the files beside it.
  const dir = dirname(createRequire(import.meta.url).resolve('@zk-kit/semaphore-artifacts/package.json'))
  return { wasm: join(dir, `semaphore-${depth}.wasm`), zkey: join(dir, `semaphore-${depth}.zkey`) }
}
