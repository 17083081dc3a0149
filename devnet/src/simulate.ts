import {
  RichText,
  type $Typed,
  type AppBskyEmbedImages,
  type AppBskyEmbedRecord,
  type AppBskyFeedPost,
  type AppBskyRichtextFacet,
} from '@atproto/api'
import { DevnetError } from './errors'
import type { DevAccount, DevNetwork } from './network'
import { squarePng, type Rgb } from './png'
import { hostileDisplayName, people } from './sim-corpus'
import {
  createRng,
  planAction,
  type Intent,
  type PlannedLike,
  type PlannedPost,
  type PostContent,
  type PostFeature,
  type SimActionKind,
} from './sim-plan'

export type { SimActionKind, PostFeature } from './sim-plan'

export type StrongRef = { uri: string; cid: string }

/** One thing a simulated account did. */
export type SimAction = {
  /** 1-based position in this simulation's sequence. */
  seq: number
  kind: SimActionKind
  actor: string
  actorDid: string
  /** The record written (post, reply, quote, like, repost) or removed (delete: the post; unlike: the like). */
  uri: string
  cid?: string
  /** The post acted on: parent (reply), quoted post, liked/reposted/unliked post. */
  subject?: string
  /** seq of the action that created `subject` (or of the deleted post), so runs can be compared across networks. */
  subjectSeq?: number
  text?: string
  features: PostFeature[]
}

export type SimulationOptions = {
  /** How many accounts (default 6, at most 12: one per name in the corpus). */
  accounts?: number
  /** Pause between scheduled actions (default 1000 ms). 0 disables the schedule: drive it with step(). */
  intervalMs?: number
  seed?: number
  /** Mix in hostile text, a `javascript:` link facet and a hostile display name, to prove rendering is inert. */
  hostile?: boolean
  /** Prepended to every handle (`demo-` gives `demo-alice.test`) so several simulations can share one network. */
  handlePrefix?: string
  log?: (line: string) => void
}

export type Simulation = {
  accounts: DevAccount[]
  /** Performs one action now (serialised with the schedule) and returns it. */
  step(): Promise<SimAction>
  /** Stops the schedule and waits for an action in flight. */
  stop(): Promise<void>
  /** at-uris of posts (including replies and quotes) made and not deleted, oldest first. */
  livePostUris(): string[]
  actions(): SimAction[]
}

/** Creates the accounts (each with an app.bsky.actor.profile), then acts on a schedule until stopped. */
export async function startSimulation(net: DevNetwork, opts: SimulationOptions = {}): Promise<Simulation> {
  const accountCount = opts.accounts ?? 6
  if (!Number.isInteger(accountCount) || accountCount < 1 || accountCount > people.length) {
    throw new DevnetError('bad_request', `accounts must be between 1 and ${people.length}`)
  }
  const intervalMs = opts.intervalMs ?? 1000
  const hostile = opts.hostile ?? false
  const log = opts.log ?? (() => {})
  const rng = createRng(opts.seed ?? 1)
  const prefix = opts.handlePrefix ?? ''

  const accounts: DevAccount[] = []
  for (const [i, [name, displayName, description]] of people.slice(0, accountCount).entries()) {
    const account = await net.createAccount(`${prefix}${name}.test`)
    // With hostile on, the last account carries a display name full of markup.
    const shownName = hostile && i === accountCount - 1 ? hostileDisplayName : displayName
    await account.agent.com.atproto.repo.putRecord({
      repo: account.did,
      collection: 'app.bsky.actor.profile',
      rkey: 'self',
      record: { $type: 'app.bsky.actor.profile', displayName: shownName, description },
    })
    accounts.push(account)
  }
  const handles = accounts.map((a) => a.handle)

  const posts: PlannedPost[] = []
  const likes: PlannedLike[] = []
  const reposts = new Set<string>()
  let hostileCount = 0
  const done: SimAction[] = []
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  // One action at a time: the planner's view of the world must match what has landed.
  let chain: Promise<unknown> = Promise.resolve()

  const perform = async (): Promise<SimAction> => {
    const intent = planAction(rng, { handles, posts, likes, reposts, hostileCount }, { hostile })
    const action = await execute(intent, done.length + 1)
    if (action.features.includes('hostile')) hostileCount++
    done.push(action)
    log(describe(action))
    return action
  }

  const execute = async (intent: Intent, seq: number): Promise<SimAction> => {
    const account = accounts[intent.actor]!
    const base = { seq, actor: account.handle, actorDid: account.did }
    switch (intent.kind) {
      case 'post':
      case 'reply':
      case 'quote': {
        const parent = intent.kind === 'reply' ? intent.parent : undefined
        const quoted = intent.kind === 'quote' ? intent.quoted : undefined
        const ref = await makePost(account, {
          ...contentToPost(intent.content),
          ...(quoted ? { quote: { uri: quoted.uri, cid: quoted.cid } } : {}),
          ...(parent
            ? {
                reply: {
                  root: parent.root ?? { uri: parent.uri, cid: parent.cid },
                  parent: { uri: parent.uri, cid: parent.cid },
                },
              }
            : {}),
        })
        posts.push({
          seq,
          author: intent.actor,
          ...ref,
          ...(parent ? { root: parent.root ?? { uri: parent.uri, cid: parent.cid } } : {}),
        })
        const subject = parent ?? quoted
        return {
          ...base,
          kind: intent.kind,
          ...ref,
          ...(subject ? { subject: subject.uri, subjectSeq: subject.seq } : {}),
          text: intent.content.text,
          features: intent.content.features,
        }
      }
      case 'like': {
        const ref = await account.agent.like(intent.subject.uri, intent.subject.cid)
        likes.push({ seq, actor: intent.actor, uri: ref.uri, subjectSeq: intent.subject.seq })
        return {
          ...base,
          kind: 'like',
          ...ref,
          subject: intent.subject.uri,
          subjectSeq: intent.subject.seq,
          features: [],
        }
      }
      case 'repost': {
        const ref = await account.agent.repost(intent.subject.uri, intent.subject.cid)
        reposts.add(`${intent.actor}:${intent.subject.seq}`)
        return {
          ...base,
          kind: 'repost',
          ...ref,
          subject: intent.subject.uri,
          subjectSeq: intent.subject.seq,
          features: [],
        }
      }
      case 'unlike': {
        await account.agent.deleteLike(intent.like.uri)
        likes.splice(likes.indexOf(intent.like), 1)
        const subject = posts.find((p) => p.seq === intent.like.subjectSeq)
        return {
          ...base,
          kind: 'unlike',
          uri: intent.like.uri,
          ...(subject ? { subject: subject.uri } : {}),
          subjectSeq: intent.like.subjectSeq,
          features: [],
        }
      }
      case 'delete': {
        await account.agent.deletePost(intent.post.uri)
        posts.splice(posts.indexOf(intent.post), 1)
        return { ...base, kind: 'delete', uri: intent.post.uri, subjectSeq: intent.post.seq, features: [] }
      }
    }
  }

  const step = (): Promise<SimAction> => {
    if (stopped) return Promise.reject(new DevnetError('simulation_stopped', 'simulation is stopped'))
    const next = chain.then(perform)
    chain = next.catch(() => {})
    return next
  }

  const schedule = (): void => {
    if (stopped || intervalMs <= 0) return
    timer = setTimeout(() => {
      step().then(
        () => schedule(),
        (err: unknown) => {
          if (stopped) return
          // A failed action (e.g. a PDS hiccup) is logged and the schedule carries on: a demo should not die of it.
          log(`sim: action failed: ${err instanceof Error ? err.message : String(err)}`)
          schedule()
        },
      )
    }, intervalMs)
  }
  schedule()

  return {
    accounts,
    step,
    stop: async () => {
      stopped = true
      clearTimeout(timer)
      await chain
    },
    livePostUris: () => posts.map((p) => p.uri),
    actions: () => [...done],
  }
}

function describe(action: SimAction): string {
  const text = action.text ? ` "${action.text.slice(0, 60)}${action.text.length > 60 ? '…' : ''}"` : ''
  const features = action.features.length > 0 ? ` [${action.features.join(', ')}]` : ''
  return `sim #${action.seq} ${action.actor} ${action.kind} ${action.subject ?? action.uri}${text}${features}`
}

function contentToPost(content: PostContent): MakePostOptions {
  return {
    text: content.text,
    ...(content.image ? { image: { alt: content.image.alt, color: content.image.color } } : {}),
    ...(content.linkFacet ? { links: [content.linkFacet] } : {}),
  }
}

export type MakePostOptions = {
  text: string
  /** Uploads a small generated PNG (a coloured square) and embeds it with this alt text. */
  image?: { alt: string; color?: Rgb }
  quote?: StrongRef
  reply?: { root: StrongRef; parent: StrongRef }
  /** Extra link facets over the first occurrence of `anchor`, with any uri (tests use `javascript:`). */
  links?: { anchor: string; uri: string }[]
}

/**
 * Writes an app.bsky.feed.post the way the Bluesky app does: mentions and links become facets through RichText's
 * detectFacets (mentions resolve against the PDS), images are uploaded blobs, quotes are record embeds.
 */
export async function makePost(account: DevAccount, opts: MakePostOptions): Promise<StrongRef> {
  const rt = new RichText({ text: opts.text })
  await rt.detectFacets(account.agent)
  const facets: AppBskyRichtextFacet.Main[] = [...(rt.facets ?? [])]
  for (const link of opts.links ?? []) {
    const start = rt.text.indexOf(link.anchor)
    if (start < 0) throw new DevnetError('bad_request', `link anchor not in text: ${link.anchor}`)
    facets.push({
      index: {
        byteStart: rt.unicodeText.utf16IndexToUtf8Index(start),
        byteEnd: rt.unicodeText.utf16IndexToUtf8Index(start + link.anchor.length),
      },
      features: [{ $type: 'app.bsky.richtext.facet#link', uri: link.uri }],
    })
  }

  let media: $Typed<AppBskyEmbedImages.Main> | undefined
  if (opts.image) {
    const png = squarePng(64, opts.image.color ?? [40, 90, 200])
    const upload = await account.agent.uploadBlob(png, { encoding: 'image/png' })
    media = {
      $type: 'app.bsky.embed.images',
      images: [{ image: upload.data.blob, alt: opts.image.alt, aspectRatio: { width: 64, height: 64 } }],
    }
  }
  let embed: AppBskyFeedPost.Record['embed'] = media
  if (opts.quote) {
    const record: $Typed<AppBskyEmbedRecord.Main> = { $type: 'app.bsky.embed.record', record: opts.quote }
    embed = media ? { $type: 'app.bsky.embed.recordWithMedia', record, media } : record
  }

  const ref = await account.agent.post({
    text: rt.text,
    ...(facets.length > 0 ? { facets } : {}),
    ...(embed ? { embed } : {}),
    ...(opts.reply ? { reply: opts.reply } : {}),
    langs: ['en'],
    createdAt: new Date().toISOString(),
  })
  return { uri: ref.uri, cid: ref.cid }
}
