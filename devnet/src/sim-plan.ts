import {
  hostileLinkPost,
  hostileTexts,
  imageAlts,
  imageColors,
  links,
  posts,
  quotes,
  replies,
} from './sim-corpus'
import type { Rgb } from './png'

// The simulation's pure half: given a seeded generator and what exists, decide the next action. No I/O, no clock,
// so one seed always yields one sequence of decisions whatever the network's DIDs, CIDs and timings turn out to be.

/** A small seeded PRNG (mulberry32): fast, 32-bit state, plenty for picking demo actions. */
export type Rng = {
  next(): number
  int(n: number): number
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number): number => Math.floor(next() * n)
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty list')
      return items[int(items.length)]!
    },
  }
}

export type SimActionKind = 'post' | 'reply' | 'quote' | 'like' | 'unlike' | 'repost' | 'delete'
export type PostFeature = 'image' | 'link' | 'mention' | 'hostile'

/** A live post as the planner sees it: `seq` is the number of the action that created it. */
export type PlannedPost = {
  seq: number
  author: number
  uri: string
  cid: string
  root?: { uri: string; cid: string }
}
export type PlannedLike = { seq: number; actor: number; uri: string; subjectSeq: number }

export type PlanState = {
  handles: readonly string[]
  posts: readonly PlannedPost[]
  likes: readonly PlannedLike[]
  /** `${actor}:${subjectSeq}` for reposts made, so nobody reposts the same post twice. */
  reposts: ReadonlySet<string>
  /** Hostile posts made so far: in hostile mode the first ones walk through every variant once. */
  hostileCount: number
}

export type PostContent = {
  text: string
  features: PostFeature[]
  image?: { alt: string; color: Rgb }
  /** A hand-made link facet (the hostile `javascript:` one); other links are detected from the text. */
  linkFacet?: { anchor: string; uri: string }
}

export type Intent =
  | { kind: 'post'; actor: number; content: PostContent }
  | { kind: 'reply'; actor: number; parent: PlannedPost; content: PostContent }
  | { kind: 'quote'; actor: number; quoted: PlannedPost; content: PostContent }
  | { kind: 'like'; actor: number; subject: PlannedPost }
  | { kind: 'repost'; actor: number; subject: PlannedPost }
  | { kind: 'unlike'; actor: number; like: PlannedLike }
  | { kind: 'delete'; actor: number; post: PlannedPost }

// Relative weights; an action with no valid target falls back to a plain post.
const weights: readonly [SimActionKind, number][] = [
  ['post', 30],
  ['reply', 13],
  ['quote', 8],
  ['like', 27],
  ['repost', 10],
  ['unlike', 5],
  ['delete', 7],
]
const totalWeight = weights.reduce((sum, [, w]) => sum + w, 0)

export function planAction(rng: Rng, state: PlanState, opts: { hostile: boolean }): Intent {
  const accountCount = state.handles.length
  const actor = rng.int(accountCount)
  // Every hostile variant appears early, so a short hostile run already exercises all of them.
  if (opts.hostile && state.hostileCount < hostileVariantCount) {
    return { kind: 'post', actor, content: hostileContent(rng, state.hostileCount) }
  }
  let roll = rng.next() * totalWeight
  let kind: SimActionKind = 'post'
  for (const [k, w] of weights) {
    if (roll < w) {
      kind = k
      break
    }
    roll -= w
  }
  const others = state.posts.filter((p) => p.author !== actor)
  switch (kind) {
    case 'reply':
      if (state.posts.length > 0) {
        return { kind, actor, parent: rng.pick(state.posts), content: plainContent(rng, replies, opts) }
      }
      break
    case 'quote':
      if (others.length > 0) {
        return { kind, actor, quoted: rng.pick(others), content: plainContent(rng, quotes, opts) }
      }
      break
    case 'like': {
      const liked = new Set(state.likes.filter((l) => l.actor === actor).map((l) => l.subjectSeq))
      const candidates = others.filter((p) => !liked.has(p.seq))
      if (candidates.length > 0) return { kind, actor, subject: rng.pick(candidates) }
      break
    }
    case 'repost': {
      const candidates = others.filter((p) => !state.reposts.has(`${actor}:${p.seq}`))
      if (candidates.length > 0) return { kind, actor, subject: rng.pick(candidates) }
      break
    }
    case 'unlike': {
      const own = state.likes.filter((l) => l.actor === actor)
      if (own.length > 0) return { kind, actor, like: rng.pick(own) }
      break
    }
    case 'delete': {
      const own = state.posts.filter((p) => p.author === actor)
      // Keep a few posts around so the feed never empties out.
      if (own.length > 0 && state.posts.length > 3) return { kind, actor, post: rng.pick(own) }
      break
    }
    case 'post':
      break
  }
  return { kind: 'post', actor, content: postContent(rng, state, actor, opts) }
}

function postContent(rng: Rng, state: PlanState, actor: number, opts: { hostile: boolean }): PostContent {
  if (opts.hostile && rng.chance(0.2)) return hostileContent(rng, rng.int(hostileVariantCount))
  const template = rng.pick(posts)
  const features: PostFeature[] = []
  let text: string = template
  if (text.includes('{link}')) {
    text = text.replace('{link}', rng.pick(links))
    features.push('link')
  }
  if (text.includes('{mention}')) {
    const others = state.handles.filter((_, i) => i !== actor)
    text = text.replace('{mention}', `@${others.length > 0 ? rng.pick(others) : state.handles[actor]}`)
    features.push('mention')
  }
  const content: PostContent = { text, features }
  if (rng.chance(0.2)) {
    const i = rng.int(imageAlts.length)
    content.image = { alt: imageAlts[i]!, color: imageColors[i % imageColors.length]! }
    features.push('image')
  }
  return content
}

function plainContent(rng: Rng, texts: readonly string[], opts: { hostile: boolean }): PostContent {
  if (opts.hostile && rng.chance(0.1)) return hostileContent(rng, rng.int(hostileVariantCount))
  return { text: rng.pick(texts), features: [] }
}

/** The hostile texts, then the `javascript:` link facet post, then zalgo. */
export const hostileVariantCount = hostileTexts.length + 2

function hostileContent(rng: Rng, variant: number): PostContent {
  if (variant === hostileTexts.length) {
    return {
      text: hostileLinkPost.text,
      features: ['hostile', 'link'],
      linkFacet: { anchor: hostileLinkPost.anchor, uri: hostileLinkPost.uri },
    }
  }
  if (variant === hostileTexts.length + 1) {
    return { text: zalgo(rng, 'Zalgo says the feed is fine'), features: ['hostile'] }
  }
  return { text: hostileTexts[variant]!, features: ['hostile'] }
}

/** Stacks combining marks (U+0300..U+036F) on each letter: a renderer must clip them, not let them bleed. */
export function zalgo(rng: Rng, base: string): string {
  let out = ''
  for (const char of base) {
    out += char
    if (char === ' ') continue
    const marks = 2 + rng.int(5)
    for (let i = 0; i < marks; i++) out += String.fromCharCode(0x300 + rng.int(0x70))
  }
  return out
}
