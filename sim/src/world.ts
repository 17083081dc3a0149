/**
 * The synthetic world: posts with a hidden true quality, and the people who perceive it through noise.
 *
 * Quality q is in [0, 1]; the jury's line is 0.5 (a careful, noiseless juror endorses exactly the posts with
 * q >= 0.5), so "low quality" means q < 0.5. Perception is q plus Gaussian noise whose spread is the perceiver's
 * skill. A perceiver's noise on a given post is a hash of (seed, who, post), not a draw from a shared stream, so
 * the same curator sees the same post the same way in every feed and in every run of a sweep: the feeds are
 * compared on identical perceptions.
 */
import { createRng } from './rng'
import type { SimParams } from './params'
import { clamp, normalCdf } from './stats'

export const HOUR_MS = 3_600_000
export const QUALITY_LINE = 0.5

export type Author = 'honest' | 'attacker'

export interface Post {
  id: number
  createdAtMs: number
  quality: number
  author: Author
}

export const isLowQuality = (post: Pick<Post, 'quality'>) => post.quality < QUALITY_LINE

/** A 32-bit hash of integers (murmur3's finaliser over a running mix). */
function mix32(values: readonly number[]): number {
  let h = 0x12345678
  for (const v of values) {
    h = Math.imul(h ^ (v >>> 0), 0xcc9e2d51) >>> 0
    h = ((h << 15) | (h >>> 17)) >>> 0
    h = Math.imul(h, 0x1b873593) >>> 0
    h ^= Math.floor(v / 4294967296) >>> 0
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b) >>> 0
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}

/** A standard normal that depends only on its key (Box-Muller over two hashed uniforms). */
export function hashedNormal(key: readonly number[]): number {
  const u1 = (mix32([...key, 1]) + 0.5) / 4294967296
  const u2 = (mix32([...key, 2]) + 0.5) / 4294967296
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
}

/** Perceiver kinds, so a curator, a reader and a juror with the same index perceive independently. */
export const PERCEIVER = { curator: 1, reader: 2, juror: 3, stakeVoter: 4 } as const

/** What perceiver `who` of `kind` perceives of `post` (quality + noise). */
export function perceive(
  seed: number,
  kind: keyof typeof PERCEIVER,
  who: number,
  post: Pick<Post, 'id' | 'quality'>,
  noise: number,
): number {
  return post.quality + noise * hashedNormal([seed, PERCEIVER[kind], who, post.id])
}

/**
 * A curator's belief that the jury endorses the post: P(q >= 0.5 | signal) under a flat prior, which is calibrated
 * for a curator who knows its own noise. Kept away from 0 and 1: nobody is that sure.
 */
export function beliefFromSignal(signal: number, noise: number): number {
  return clamp(normalCdf((signal - QUALITY_LINE) / noise), 0.03, 0.97)
}

/** Knuth's Poisson sampler (means here are small). */
function poisson(rng: ReturnType<typeof createRng>, lambda: number): number {
  const limit = Math.exp(-lambda)
  let k = 0
  let p = rng.next()
  while (p > limit) {
    k++
    p *= rng.next()
  }
  return k
}

/** Hours a run lasts: posting, every measured market's window, then the round that settles the last of them. */
export function runHours(p: Pick<SimParams, 'world' | 'market'>): number {
  return (Math.floor((p.world.postingHours + p.market.windowHours) / 24) + 1) * 24
}

/** The hours whose impressions the feed metrics count: [from, to). */
export function measuredHours(p: Pick<SimParams, 'world' | 'market'>): { from: number; to: number } {
  return { from: p.world.warmupHours, to: p.world.postingHours + p.market.windowHours }
}

/** Every post of the run, in creation order, ids from 1. */
export function generatePosts(params: Pick<SimParams, 'seed' | 'world' | 'market'>): Post[] {
  const rng = createRng(params.seed, 'posts')
  const { postingHours, honestPostsPerHour, attackerPostEveryHours, attackerQuality } = params.world
  const posts: Post[] = []
  for (let h = 0; h < runHours(params); h++) {
    const batch: Omit<Post, 'id'>[] = []
    const n = poisson(rng, honestPostsPerHour)
    for (let i = 0; i < n; i++) {
      batch.push({
        createdAtMs: h * HOUR_MS + Math.floor(rng.next() * HOUR_MS),
        quality: rng.beta(2, 2),
        author: 'honest',
      })
    }
    if (attackerPostEveryHours > 0 && h < postingHours && h % attackerPostEveryHours === 0) {
      const [lo, hi] = attackerQuality
      batch.push({
        createdAtMs: h * HOUR_MS + Math.floor(rng.next() * HOUR_MS),
        quality: lo + (hi - lo) * rng.next(),
        author: 'attacker',
      })
    }
    batch.sort((a, b) => a.createdAtMs - b.createdAtMs)
    for (const p of batch) posts.push({ id: posts.length + 1, ...p })
  }
  return posts
}

export interface Curator {
  index: number
  account: string
  noise: number
}

/** Honest curators, their skill spread evenly from the sharpest to the noisiest. */
export function generateCurators(params: Pick<SimParams, 'curators'>): Curator[] {
  const { count, noise } = params.curators
  return Array.from({ length: count }, (_, i) => ({
    index: i,
    account: `curator:${i}`,
    noise: count === 1 ? noise[0] : noise[0] + ((noise[1] - noise[0]) * i) / (count - 1),
  }))
}

export type JurorKind = 'honest' | 'lazy' | 'cartel'

export interface Juror {
  index: number
  kind: JurorKind
}

export function generateJurors(params: Pick<SimParams, 'jury' | 'attacker'>): Juror[] {
  const { jurors, lazyShare } = params.jury
  const cartel = Math.round(jurors * params.attacker.cartelShare)
  const lazy = Math.round((jurors - cartel) * lazyShare)
  return Array.from({ length: jurors }, (_, i) => ({
    index: i,
    kind: i < cartel ? 'cartel' : i < cartel + lazy ? 'lazy' : 'honest',
  }))
}
