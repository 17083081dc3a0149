import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  makePost,
  startJetstreamRelay,
  startNetwork,
  startSimulation,
  type DevNetwork,
  type SimAction,
  type Simulation,
} from '../src/index'
import { hostileDisplayName, hostileLinkPost, hostileTexts } from '../src/sim-corpus'
import { createRng, hostileVariantCount } from '../src/sim-plan'
import { isCommitFor } from './collector'

const steps = 60

/** What the tests read back from the PDS: plain JSON, loosely typed on purpose. */
type PostRecord = {
  text: string
  facets?: {
    index: { byteStart: number; byteEnd: number }
    features: { $type: string; uri?: string; did?: string }[]
  }[]
  embed?: unknown
  reply?: { root: { uri: string }; parent: { uri: string } }
}

async function runSteps(sim: Simulation, count: number): Promise<SimAction[]> {
  for (let i = 0; i < count; i++) await sim.step()
  return sim.actions()
}

const shape = (a: SimAction) => ({
  kind: a.kind,
  actor: a.actor,
  text: a.text,
  features: a.features,
  subjectSeq: a.subjectSeq,
})

async function listAll(sim: Simulation, collection: string) {
  const out: { uri: string; value: Record<string, unknown> }[] = []
  for (const account of sim.accounts) {
    const res = await account.agent.com.atproto.repo.listRecords({
      repo: account.did,
      collection,
      limit: 100,
    })
    out.push(...res.data.records.map((r) => ({ uri: r.uri, value: r.value })))
  }
  return out
}

let net: DevNetwork
let sim: Simulation
let actions: SimAction[]

beforeAll(async () => {
  net = await startNetwork()
  sim = await startSimulation(net, { accounts: 5, intervalMs: 0, seed: 7 })
  actions = await runSteps(sim, steps)
})

afterAll(async () => {
  await sim?.stop()
  await net?.close()
})

describe('simulation', () => {
  it('is deterministic for a seed, and differs across seeds', async () => {
    const other = await startNetwork()
    try {
      const same = await startSimulation(other, { accounts: 5, intervalMs: 0, seed: 7 })
      const again = await runSteps(same, steps)
      expect(again.map(shape)).toEqual(actions.map(shape))
      // Same shapes, different network: the URIs are genuinely new records.
      expect(again[0]!.uri).not.toBe(actions[0]!.uri)

      const different = await startSimulation(other, {
        accounts: 5,
        intervalMs: 0,
        seed: 8,
        handlePrefix: 'x',
      })
      const diff = await runSteps(different, 20)
      expect(diff.map(shape)).not.toEqual(actions.slice(0, 20).map(shape))
      expect(different.accounts[0]!.handle).toBe('xalice.test')
    } finally {
      await other.close()
    }
  })

  it('exercises every kind of action and post feature', () => {
    const kinds = new Set(actions.map((a) => a.kind))
    expect(kinds).toEqual(new Set(['post', 'reply', 'quote', 'like', 'repost', 'unlike', 'delete']))
    const features = new Set(actions.flatMap((a) => a.features))
    expect(features).toEqual(new Set(['image', 'link', 'mention']))
  })

  it('lands posts and deletes on the PDS', async () => {
    const onPds = await listAll(sim, 'app.bsky.feed.post')
    expect(new Set(onPds.map((r) => r.uri))).toEqual(new Set(sim.livePostUris()))
    const deleted = actions.filter((a) => a.kind === 'delete').map((a) => a.uri)
    expect(deleted.length).toBeGreaterThan(0)
    for (const uri of deleted) expect(sim.livePostUris()).not.toContain(uri)
    for (const uri of deleted) expect(onPds.map((r) => r.uri)).not.toContain(uri)
  })

  it('lands likes (minus unlikes) and reposts on the PDS', async () => {
    const unliked = new Set(actions.filter((a) => a.kind === 'unlike').map((a) => a.uri))
    const expectedLikes = actions.filter((a) => a.kind === 'like' && !unliked.has(a.uri)).map((a) => a.uri)
    const likes = await listAll(sim, 'app.bsky.feed.like')
    expect(new Set(likes.map((r) => r.uri))).toEqual(new Set(expectedLikes))
    const reposts = await listAll(sim, 'app.bsky.feed.repost')
    expect(reposts.map((r) => r.uri).sort()).toEqual(
      actions
        .filter((a) => a.kind === 'repost')
        .map((a) => a.uri)
        .sort(),
    )
  })

  it('writes replies with a correct root, quotes, images, and link and mention facets', async () => {
    const records = new Map(
      (await listAll(sim, 'app.bsky.feed.post')).map((r) => [r.uri, r.value as unknown as PostRecord]),
    )
    const live = actions.filter((a) => records.has(a.uri))

    const reply = live.find((a) => a.kind === 'reply')!
    const replyRecord = records.get(reply.uri)!
    expect(replyRecord.reply?.parent.uri).toBe(reply.subject)
    const parentAction = actions.find((a) => a.seq === reply.subjectSeq)!
    const expectedRoot =
      parentAction.kind === 'reply' ? records.get(parentAction.uri)?.reply?.root.uri : parentAction.uri
    if (expectedRoot) expect(replyRecord.reply?.root.uri).toBe(expectedRoot)

    const quote = live.find((a) => a.kind === 'quote')!
    const quoteEmbed = records.get(quote.uri)!.embed as { record?: { uri: string }; $type: string }
    const quotedUri =
      quoteEmbed.record?.uri ?? (quoteEmbed as { record?: { record?: { uri: string } } }).record?.record?.uri
    expect(quotedUri).toBe(quote.subject)

    const withImage = live.find((a) => a.features.includes('image'))!
    const imageEmbed = records.get(withImage.uri)!.embed as { $type: string; images?: { alt: string }[] }
    const images =
      imageEmbed.images ?? (imageEmbed as { media?: { images: { alt: string }[] } }).media?.images
    expect(images?.[0]?.alt.length).toBeGreaterThan(0)

    const withLink = live.find((a) => a.features.includes('link'))!
    const linkFacets = records.get(withLink.uri)!.facets!.flatMap((f) => f.features)
    expect(
      linkFacets.some(
        (f) => f.$type === 'app.bsky.richtext.facet#link' && withLink.text!.includes(String(f.uri)),
      ),
    ).toBe(true)

    const withMention = live.find((a) => a.features.includes('mention'))!
    const mention = records
      .get(withMention.uri)!
      .facets!.flatMap((f) => f.features)
      .find((f) => f.$type === 'app.bsky.richtext.facet#mention')
    const mentioned = sim.accounts.find((a) => a.did === mention?.did)
    expect(mentioned && withMention.text!.includes(`@${mentioned.handle}`)).toBe(true)
  })

  it('gives every account a profile with a display name', async () => {
    for (const account of sim.accounts) {
      const res = await account.agent.com.atproto.repo.getRecord({
        repo: account.did,
        collection: 'app.bsky.actor.profile',
        rkey: 'self',
      })
      expect((res.data.value as { displayName?: string }).displayName).toMatch(/^[A-Z][a-z]+ [A-Z]/)
    }
  })

  it('acts on its schedule until stopped, and the relay carries what it does', async () => {
    const relay = await startJetstreamRelay({ pdsUrl: net.pdsUrl, idResolver: net.idResolver })
    let reachedFifth = () => {}
    const fifth = new Promise<void>((resolve) => (reachedFifth = resolve))
    const scheduled = await startSimulation(net, {
      accounts: 2,
      intervalMs: 5,
      seed: 3,
      handlePrefix: 'sched-',
      log: (line) => line.startsWith('sim #5 ') && reachedFifth(),
    })
    try {
      await fifth
      await scheduled.stop()
      const count = scheduled.actions().length
      await expect(scheduled.step()).rejects.toMatchObject({ code: 'simulation_stopped' })
      expect(scheduled.actions()).toHaveLength(count)
      for (const action of scheduled.actions()) {
        const operation = action.kind === 'delete' || action.kind === 'unlike' ? 'delete' : 'create'
        await relay.waitFor(isCommitFor(action.uri, operation))
      }
    } finally {
      await scheduled.stop()
      await relay.close()
    }
  })

  it('mixes in hostile content when asked, every variant early', async () => {
    const hostile = await startSimulation(net, {
      accounts: 3,
      intervalMs: 0,
      seed: 11,
      hostile: true,
      handlePrefix: 'h-',
    })
    const first = await runSteps(hostile, hostileVariantCount)
    expect(first.every((a) => a.kind === 'post' && a.features.includes('hostile'))).toBe(true)
    const texts = first.map((a) => a.text!)
    for (const text of hostileTexts) expect(texts).toContain(text)
    expect(texts.some((t) => /[\u0300-\u036f]{2}/.test(t))).toBe(true)

    // Nothing has been deleted yet (only posts so far), so every hostile post is on the PDS as written.
    const stored = (await listAll(hostile, 'app.bsky.feed.post')).map((p) => p.value as unknown as PostRecord)
    expect(new Set(stored.map((r) => r.text))).toEqual(new Set(texts))
    const trap = stored.find((r) => r.text === hostileLinkPost.text)!
    const facet = trap.facets!.find((f) => f.features.some((x) => x.uri === hostileLinkPost.uri))!
    expect(Buffer.from(trap.text).subarray(facet.index.byteStart, facet.index.byteEnd).toString()).toBe(
      hostileLinkPost.anchor,
    )

    const last = hostile.accounts.at(-1)!
    const profile = await last.agent.com.atproto.repo.getRecord({
      repo: last.did,
      collection: 'app.bsky.actor.profile',
      rkey: 'self',
    })
    expect((profile.data.value as { displayName: string }).displayName).toBe(hostileDisplayName)

    // Later actions keep mixing hostile text in at random.
    const later = await runSteps(hostile, 60)
    expect(later.slice(hostileVariantCount).some((a) => a.features.includes('hostile'))).toBe(true)
  })
})

describe('makePost', () => {
  it('writes byte-indexed link facets (even javascript: ones) after multi-byte text, plus mentions', async () => {
    const [author, friend] = [await net.createAccount('mp-author'), await net.createAccount('mp-friend')]
    const text = 'Grüße 👋 @mp-friend.test — free credits here, see https://example.com/a'
    const ref = await makePost(author, {
      text,
      links: [{ anchor: 'free credits here', uri: 'javascript:alert(1)' }],
    })
    const res = await author.agent.com.atproto.repo.getRecord({
      repo: author.did,
      collection: 'app.bsky.feed.post',
      rkey: ref.uri.split('/').pop()!,
    })
    const record = res.data.value as unknown as PostRecord
    const bytes = Buffer.from(record.text, 'utf8')
    const covered = (f: NonNullable<PostRecord['facets']>[number]) =>
      bytes.subarray(f.index.byteStart, f.index.byteEnd).toString('utf8')
    const byType = (t: string) => record.facets!.find((f) => f.features.some((x) => x.$type === t))!
    const links = record.facets!.filter((f) =>
      f.features.some((x) => x.$type === 'app.bsky.richtext.facet#link'),
    )
    expect(links.map((f) => [covered(f), f.features[0]!.uri])).toEqual(
      expect.arrayContaining([
        ['free credits here', 'javascript:alert(1)'],
        ['https://example.com/a', 'https://example.com/a'],
      ]),
    )
    const mention = byType('app.bsky.richtext.facet#mention')
    expect(covered(mention)).toBe('@mp-friend.test')
    expect(mention.features[0]!.did).toBe(friend.did)
  })

  it('uploads a real PNG for an image embed', async () => {
    const author = await net.createAccount('mp-painter')
    const ref = await makePost(author, {
      text: 'a square',
      image: { alt: 'a blue square', color: [0, 0, 255] },
    })
    const res = await author.agent.com.atproto.repo.getRecord({
      repo: author.did,
      collection: 'app.bsky.feed.post',
      rkey: ref.uri.split('/').pop()!,
    })
    const embed = (res.data.value as unknown as PostRecord).embed as {
      images: { alt: string; image: { ref: { toString(): string }; mimeType: string } }[]
    }
    expect(embed.images[0]!.alt).toBe('a blue square')
    const blob = await author.agent.com.atproto.sync.getBlob({
      did: author.did,
      cid: embed.images[0]!.image.ref.toString(),
    })
    expect(Buffer.from(blob.data).subarray(1, 4).toString('latin1')).toBe('PNG')
  })
})

describe('createRng', () => {
  it('repeats for a seed', () => {
    const a = createRng(42)
    const b = createRng(42)
    const c = createRng(43)
    const seqA = Array.from({ length: 5 }, () => a.next())
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA)
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA)
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true)
  })
})
