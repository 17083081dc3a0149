/**
 * Ballot proof verification throughput (Semaphore verifyProof at the jury's fixed depth): a pool of worker threads,
 * each with a single-threaded curve (curation/src/service/ballot-verifier.ts), beside single-threaded verification
 * on the main thread measured in the same run; snarkjs's default (its own thread pool per process) for reference.
 *
 *   npx tsx bench/verify.ts    (BENCH_PROOFS=400 verifications per mode, BENCH_ROUNDS=5 slices, BENCH_THREADS=2)
 *
 * Target (issue "jury layer"): the 2-thread pool >= 1.7x the single thread on 2 cores.
 */
import { createRequire } from 'node:module'
import { availableParallelism, loadavg } from 'node:os'
import {
  Group,
  Identity,
  generateProof,
  verifyProof as defaultVerifyProof,
  type SemaphoreProof,
} from '@semaphore-protocol/core'
import { ballotMessage, canonicalBallotContent, roundScope } from '@curia/curation/jury/ballot'
import { JURY_TREE_DEPTH } from '@curia/curation/jury/group'
import { createVerifierPool, verifierModulePaths } from '@curia/curation/service/ballot-verifier'
import { semaphoreArtifacts } from '@curia/curation/service/jury-artifacts'
import { ratio, table } from './lib'

const N = Number(process.env.BENCH_PROOFS ?? 400)
const THREADS = Number(process.env.BENCH_THREADS ?? 2)
const IN_FLIGHT = 16
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)

type Verify = (proof: SemaphoreProof) => Promise<boolean>

/**
 * verifyProof in this thread with a single-threaded curve, as each pool thread runs it: the baseline. It seeds this
 * thread's `globalThis.curve_bn128`, so anything else here proving or verifying afterwards uses that curve too.
 */
async function createSingleThreadVerifier(): Promise<Verify> {
  const paths = verifierModulePaths()
  const req = createRequire(import.meta.url)
  const { verifyProof } = req(paths.core) as { verifyProof: Verify }
  const { buildBn128 } = req(paths.ffjavascript) as {
    buildBn128: (singleThread: boolean) => Promise<unknown>
  }
  ;(globalThis as { curve_bn128?: unknown }).curve_bn128 = await buildBn128(true)
  return verifyProof
}

/** Verifies n proofs with up to `inFlight` outstanding; every one must verify. Returns proofs per second. */
/** CPU seconds (all threads of this process) per mode: a cross-check of the wall rates that load does not skew. */
const cpuSeconds = new Map<string, { cpu: number; proofs: number }>()

async function measure(
  verify: Verify,
  proofs: SemaphoreProof[],
  inFlight: number,
  n: number,
  mode: string,
): Promise<number> {
  let next = 0
  let failed = 0
  const cpu = process.cpuUsage()
  const started = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) {
        const proof = proofs[next++ % proofs.length]!
        if (!(await verify(proof))) failed += 1
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  const entry = cpuSeconds.get(mode) ?? { cpu: 0, proofs: 0 }
  cpuSeconds.set(mode, { cpu: entry.cpu + (used.user + used.system) / 1e6, proofs: entry.proofs + n })
  if (failed > 0) throw new Error(`${failed} proofs failed to verify`)
  return n / seconds
}

const jurors = ['juror-1', 'juror-2', 'juror-3', 'juror-4'].map((n) => new Identity(n))
const group = new Group(jurors.map((j) => j.commitment))
const content = canonicalBallotContent([['at://did:plc:bench/app.bsky.feed.post/1', 'endorse']])
console.log(`proving ${jurors.length} ballots at depth ${JURY_TREE_DEPTH}...`)
const proofs: SemaphoreProof[] = []
for (const identity of jurors) {
  proofs.push(
    await generateProof(
      identity,
      group,
      ballotMessage(content),
      roundScope(1),
      JURY_TREE_DEPTH,
      semaphoreArtifacts(),
    ),
  )
}

// Reference: what submitBallot does by default (snarkjs's curve with its own worker pool), warmed up. Measured
// first and alone: the single-threaded seeding below replaces that curve for the rest of the process.
for (let i = 0; i < 10; i++) await defaultVerifyProof(proofs[0]!)
const snarkjsDefault = await measure(defaultVerifyProof, proofs, 1, N, 'default')
await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate()

const single = await createSingleThreadVerifier()
const pool = await createVerifierPool({ size: THREADS })
for (let i = 0; i < 10; i++) await single(proofs[0]!)
for (let i = 0; i < 10 * THREADS; i++) await pool.verify(proofs[i % proofs.length]!)
// Refusal still works through the pool: a tampered proof is false.
const tampered = { ...proofs[0]!, message: ballotMessage('[]').toString() }
if (await pool.verify(tampered)) throw new Error('the pool accepted a tampered proof')

// Single thread (baseline) and pool in alternating slices, so both see the same background load; medians.
const singleRates: number[] = []
const poolRates: number[] = []
for (let r = 0; r < ROUNDS; r++) {
  singleRates.push(await measure(single, proofs, 1, Math.ceil(N / ROUNDS), 'single'))
  poolRates.push(await measure(pool.verify, proofs, IN_FLIGHT, Math.ceil(N / ROUNDS), 'pool'))
}
await pool.close()
const singleRate = median(singleRates)
const poolRate = median(poolRates)
const ratios = poolRates.map((p, i) => p / singleRates[i]!)

console.log(
  `\n${N} verifications per mode in ${ROUNDS} alternating slices, depth ${JURY_TREE_DEPTH}, ` +
    `${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}\n\n` +
    table([
      ['mode', 'proofs/s (median)', 'wall ms/proof', 'CPU ms/proof', 'vs single thread'],
      [
        'single thread (baseline)',
        singleRate.toFixed(1),
        (1000 / singleRate).toFixed(2),
        cpuMs('single'),
        '1.00x',
      ],
      [
        `pool of ${THREADS} worker threads`,
        poolRate.toFixed(1),
        (1000 / poolRate).toFixed(2),
        cpuMs('pool'),
        ratio(poolRate, singleRate),
      ],
      [
        'snarkjs default (own thread pool)',
        snarkjsDefault.toFixed(1),
        (1000 / snarkjsDefault).toFixed(2),
        cpuMs('default'),
        ratio(snarkjsDefault, singleRate),
      ],
    ]) +
    `\n\nper-slice pool/single ratios: ${ratios.map((x) => x.toFixed(2)).join(' ')}` +
    `\npool / single thread = ${ratio(poolRate, singleRate)} (median ${median(ratios).toFixed(2)}x per slice; target >= 1.70x)`,
)

function cpuMs(mode: string): string {
  const entry = cpuSeconds.get(mode)!
  return ((entry.cpu / entry.proofs) * 1000).toFixed(2)
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
