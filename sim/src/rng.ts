/**
 * A seeded PRNG for the simulator: sfc32 (Chris Doty-Humphrey's Small Fast Counter, PractRand-clean at 32 bits)
 * seeded through splitmix32. No Math.random and no clock anywhere in the simulator: every run is a pure function of
 * its seed and parameters.
 *
 * `fork(label)` derives an independent stream from (seed, label), so adding a draw to one part of the model (say
 * the jury) does not shift the draws of another (the posts' qualities). Runs that differ in one parameter therefore
 * see the same world: sweeps compare like with like.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform integer in [0, n). */
  int(n: number): number
  /** Standard normal (Box-Muller). */
  normal(): number
  /** true with probability p. */
  chance(p: number): boolean
  /** Beta(a, b) for integer a, b >= 1 (order statistics of uniforms: exact and cheap for small a, b). */
  beta(a: number, b: number): number
  pick<T>(items: readonly T[]): T
  /** A new independent stream named by `label`. */
  fork(label: string): Rng
  /** A 32-bit unsigned integer (for seeding the core's exploration shuffle, round seeds, ...). */
  uint32(): number
}

function splitmix32(state: number): () => number {
  let s = state >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

/** FNV-1a over the label's UTF-16 code units: labels are short ASCII names. */
export function hashLabel(label: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0
  return h >>> 0
}

export function createRng(seed: number, label = 'root'): Rng {
  const mix = splitmix32((Math.imul(seed >>> 0, 0x2545f491) ^ hashLabel(label)) >>> 0)
  let a = mix()
  let b = mix()
  let c = mix()
  let d = mix()
  const seedValue = seed >>> 0
  let spare: number | undefined

  const uint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t
  }
  // Discard the first outputs: sfc32's state needs a few rounds to mix.
  for (let i = 0; i < 12; i++) uint32()

  const next = () => uint32() / 4294967296
  const rng: Rng = {
    next,
    uint32,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    normal() {
      if (spare !== undefined) {
        const s = spare
        spare = undefined
        return s
      }
      let u = next()
      while (u <= 0) u = next()
      const v = next()
      const r = Math.sqrt(-2 * Math.log(u))
      spare = r * Math.sin(2 * Math.PI * v)
      return r * Math.cos(2 * Math.PI * v)
    },
    beta(alpha, betaParam) {
      // The alpha-th smallest of alpha + beta - 1 uniforms is Beta(alpha, beta).
      const n = alpha + betaParam - 1
      const u = Array.from({ length: n }, next).sort((x, y) => x - y)
      return u[alpha - 1]!
    },
    pick: (items) => items[Math.floor(next() * items.length)]!,
    fork: (name) => createRng(seedValue, `${label}/${name}`),
  }
  return rng
}
