import 'server-only'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { JURY_TREE_DEPTH } from '@curia/curation/jury/group'
import type { ArtifactManifest } from '../../lib/jury/types'

/**
 * Semaphore's proving artifacts for Curia's one tree depth, served by Curia itself from the installed
 * `@zk-kit/semaphore-artifacts` (4.13.0, the version the proof package expects). A juror's browser never fetches
 * them from a third party at run time: that would tell the third party who is about to vote, and tie proving to
 * its availability.
 *
 * The files are found by walking up from the server's working directory to a `node_modules` holding the package,
 * rather than `require.resolve`: inside Next's server bundle `import.meta.url` and `require` are the bundler's, and
 * the package has no main entry to resolve anyway.
 */

const PACKAGE = '@zk-kit/semaphore-artifacts'

export type ArtifactKind = 'wasm' | 'zkey'

export interface ArtifactFile {
  kind: ArtifactKind
  /** `semaphore-20.wasm`: the name in the URL and on disk. */
  name: string
  path: string
  bytes: number
  /** Hex sha256 of the file: the browser checks what it downloaded against it. */
  sha256: string
}

export interface ArtifactSet {
  version: string
  depth: number
  wasm: ArtifactFile
  zkey: ArtifactFile
}

const slot = globalThis as typeof globalThis & { __curiaJuryArtifacts?: ArtifactSet }

/** The artifact files for `JURY_TREE_DEPTH`, hashed once per process. */
export function juryArtifacts(): ArtifactSet {
  slot.__curiaJuryArtifacts ??= loadArtifacts(findPackageDir(process.cwd()), JURY_TREE_DEPTH)
  return slot.__curiaJuryArtifacts
}

/** What a page hands its prover: where each file is and what it must hash to. */
export function artifactManifest(set: ArtifactSet = juryArtifacts()): ArtifactManifest {
  // The version and the first bytes of the hash are in the URL, so the response can be cached forever: a new
  // artifact release gets a new URL.
  const url = (f: ArtifactFile) => `/api/jury/artifacts/${f.name}?v=${set.version}-${f.sha256.slice(0, 12)}`
  return {
    depth: set.depth,
    wasm: { url: url(set.wasm), bytes: set.wasm.bytes, sha256: set.wasm.sha256 },
    zkey: { url: url(set.zkey), bytes: set.zkey.bytes, sha256: set.zkey.sha256 },
  }
}

/** The file behind a URL name, or undefined for any other name (no other depth, no path tricks). */
export function artifactByName(name: string, set: ArtifactSet = juryArtifacts()): ArtifactFile | undefined {
  return [set.wasm, set.zkey].find((f) => f.name === name)
}

export function loadArtifacts(packageDir: string, depth: number): ArtifactSet {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }
  const file = (kind: ArtifactKind): ArtifactFile => {
    const name = `semaphore-${depth}.${kind}`
    const path = join(packageDir, name)
    const data = readFileSync(path)
    return {
      kind,
      name,
      path,
      bytes: statSync(path).size,
      sha256: createHash('sha256').update(data).digest('hex'),
    }
  }
  return { version: pkg.version, depth, wasm: file('wasm'), zkey: file('zkey') }
}

function findPackageDir(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', PACKAGE)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(dir) === dir) break
  }
  throw new Error(`${PACKAGE} is not installed above ${from}: the jury's prover artifacts cannot be served`)
}
