import { Jetstream, type CommitCreateEvent } from '@skyware/jetstream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { squarePng } from '../src/png'
import {
  startJetstreamRelay,
  startNetwork,
  type DevAccount,
  type DevNetwork,
  type JetstreamEvent,
  type JetstreamRelay,
} from '../src/index'
import { collect, isCommitFor } from './collector'

let net: DevNetwork
let relay: JetstreamRelay
let alice: DevAccount
let bob: DevAccount

beforeAll(async () => {
  net = await startNetwork()
  alice = await net.createAccount('alice.test')
  bob = await net.createAccount('bob.test')
  relay = await startJetstreamRelay({ pdsUrl: net.pdsUrl, idResolver: net.idResolver })
})

afterAll(async () => {
  await relay?.close()
  await net?.close()
})

describe('jetstream relay', () => {
  it('relays a post as a Jetstream commit event to a plain ws client', async () => {
    const client = await collect(relay.url)
    const post = await alice.agent.post({ text: 'hello from the devnet' })
    const event = await client.waitFor(isCommitFor(post.uri, 'create'))
    await client.close()

    expect(event).toMatchObject({
      did: alice.did,
      kind: 'commit',
      commit: {
        operation: 'create',
        collection: 'app.bsky.feed.post',
        rkey: post.uri.split('/').pop(),
        cid: post.cid,
        record: { $type: 'app.bsky.feed.post', text: 'hello from the devnet' },
      },
    })
    expect(typeof event.time_us).toBe('number')
    expect(relay.errorCount()).toBe(0)
  })

  it('delivers to @skyware/jetstream', async () => {
    const jetstream = new Jetstream({ endpoint: relay.url, wantedCollections: ['app.bsky.feed.post'] })
    const received: CommitCreateEvent<'app.bsky.feed.post'>[] = []
    const opened = new Promise<void>((resolve) => jetstream.on('open', resolve))
    const arrived = new Promise<void>((resolve) => {
      jetstream.onCreate('app.bsky.feed.post', (event) => {
        received.push(event)
        if (event.commit.record.text === 'seen by skyware') resolve()
      })
    })
    jetstream.start()
    await opened
    const post = await bob.agent.post({ text: 'seen by skyware' })
    await arrived
    jetstream.close()

    const event = received.find((e) => e.commit.record.text === 'seen by skyware')
    expect(event?.did).toBe(bob.did)
    expect(event?.commit.cid).toBe(post.cid)
  })

  it('serialises blobs and CIDs as Jetstream does', async () => {
    const upload = await alice.agent.uploadBlob(squarePng(16, [200, 40, 40]), { encoding: 'image/png' })
    const target = await bob.agent.post({ text: 'a post to quote' })
    const post = await alice.agent.post({
      text: 'a red square, quoting bob',
      embed: {
        $type: 'app.bsky.embed.recordWithMedia',
        record: { $type: 'app.bsky.embed.record', record: { uri: target.uri, cid: target.cid } },
        media: { $type: 'app.bsky.embed.images', images: [{ image: upload.data.blob, alt: 'a red square' }] },
      },
    })
    const event = await relay.waitFor(isCommitFor(post.uri, 'create'))
    if (event.kind !== 'commit' || event.commit.operation === 'delete') throw new Error('expected a create')
    const embed = (event.commit.record as { embed: Record<string, { [k: string]: unknown }> }).embed
    expect(embed.media).toEqual({
      $type: 'app.bsky.embed.images',
      images: [
        {
          alt: 'a red square',
          image: {
            $type: 'blob',
            ref: { $link: upload.data.blob.ref.toString() },
            mimeType: 'image/png',
            size: upload.data.blob.size,
          },
        },
      ],
    })
    expect(embed.record).toEqual({
      $type: 'app.bsky.embed.record',
      record: { uri: target.uri, cid: target.cid },
    })
  })

  it('filters by collection (exact and prefix) and by DID, but always sends identity and account events', async () => {
    const likesOnly = await collect(`${relay.url}?wantedCollections=app.bsky.feed.like`)
    const feedPrefix = await collect(`${relay.url}?wantedCollections=app.bsky.feed.*`)
    const bobOnly = await collect(`${relay.url}?wantedDids=${encodeURIComponent(bob.did)}`)

    const post = await alice.agent.post({ text: 'filtered' })
    const follow = await alice.agent.follow(bob.did)
    const like = await bob.agent.like(post.uri, post.cid)
    const carol = await net.createAccount('carol.test')
    const last = await bob.agent.post({ text: 'last one' })

    await likesOnly.waitFor(isCommitFor(like.uri))
    await likesOnly.waitFor((e) => e.kind === 'identity' && e.did === carol.did)
    await feedPrefix.waitFor(isCommitFor(last.uri))
    await bobOnly.waitFor(isCommitFor(last.uri))
    const collections = (events: JetstreamEvent[]) =>
      new Set(events.flatMap((e) => (e.kind === 'commit' ? [e.commit.collection] : [])))

    // Events arrive in order on one socket, so anything filtered wrongly would already be here.
    expect(collections(likesOnly.events)).toEqual(new Set(['app.bsky.feed.like']))
    expect(likesOnly.events.some((e) => e.kind === 'account' && e.did === carol.did)).toBe(true)
    expect(feedPrefix.events.some(isCommitFor(post.uri))).toBe(true)
    expect(feedPrefix.events.some(isCommitFor(like.uri))).toBe(true)
    expect(feedPrefix.events.some(isCommitFor(follow.uri))).toBe(false)
    expect(bobOnly.events.every((e) => e.did === bob.did)).toBe(true)
    expect(bobOnly.events.some(isCommitFor(like.uri))).toBe(true)

    await Promise.all([likesOnly.close(), feedPrefix.close(), bobOnly.close()])
  })

  it('changes filters on an options_update message', async () => {
    const client = await collect(`${relay.url}?wantedCollections=app.bsky.feed.like`)
    client.send({ type: 'options_update', payload: { wantedCollections: ['app.bsky.feed.post'] } })
    // The relay handles messages in order, so after a round trip of one event the update has applied.
    const marker = await alice.agent.post({ text: 'after the update' })
    await client.waitFor(isCommitFor(marker.uri))
    expect(
      client.events.every((e) => e.kind !== 'commit' || e.commit.collection === 'app.bsky.feed.post'),
    ).toBe(true)
    await client.close()
  })

  it('sends a delete as operation "delete"', async () => {
    const client = await collect(`${relay.url}?wantedCollections=app.bsky.feed.post`)
    const post = await bob.agent.post({ text: 'soon gone' })
    await bob.agent.deletePost(post.uri)
    const event = await client.waitFor(isCommitFor(post.uri, 'delete'))
    await client.close()
    expect(event.kind === 'commit' && event.commit).toEqual({
      rev: expect.any(String) as string,
      operation: 'delete',
      collection: 'app.bsky.feed.post',
      rkey: post.uri.split('/').pop(),
    })
  })

  it('replays from a cursor, and keeps time_us unique and increasing', async () => {
    const first = await alice.agent.post({ text: 'replay one' })
    const second = await alice.agent.post({ text: 'replay two' })
    const firstEvent = await relay.waitFor(isCommitFor(first.uri))
    await relay.waitFor(isCommitFor(second.uri))

    const replay = await collect(
      `${relay.url}?cursor=${firstEvent.time_us}&wantedCollections=app.bsky.feed.post`,
    )
    await replay.waitFor(isCommitFor(second.uri))
    expect(replay.events[0]).toEqual(firstEvent)
    expect(replay.events.every((e) => e.time_us >= firstEvent.time_us)).toBe(true)
    await replay.close()

    const times = relay.bufferedEvents().map((e) => e.time_us)
    expect(times.length).toBe(relay.eventCount())
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]!)
  })

  it('replays from the oldest buffered event when the cursor is older than the buffer', async () => {
    const small = await startJetstreamRelay({ pdsUrl: net.pdsUrl, idResolver: net.idResolver, bufferSize: 3 })
    try {
      const post = await bob.agent.post({ text: 'newest' })
      await small.waitFor(isCommitFor(post.uri))
      const buffered = small.bufferedEvents()
      expect(buffered).toHaveLength(3)
      expect(small.eventCount()).toBeGreaterThan(3)

      const client = await collect(`${small.url}?cursor=1`)
      await client.waitFor(isCommitFor(post.uri))
      expect(client.events).toEqual(buffered)
      await client.close()
    } finally {
      await small.close()
    }
  })

  it('rejects pending waiters when closed, so nothing hangs', async () => {
    const extra = await startJetstreamRelay({ pdsUrl: net.pdsUrl, idResolver: net.idResolver })
    const pending = extra.waitFor(() => false, { timeoutMs: 60_000 })
    await extra.close()
    await expect(pending).rejects.toMatchObject({ code: 'relay_closed' })
  })

  it('rejects a malformed subscription with HTTP 400', async () => {
    const status = await new Promise<number | undefined>((resolve) => {
      const socket = new WebSocket(`${relay.url}?wantedCollections=not%20an%20nsid`)
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode))
      socket.on('open', () => resolve(101))
      socket.on('error', () => {})
    })
    expect(status).toBe(400)
  })

  it('lets a client resume from its cursor after the relay goes away and comes back', async () => {
    const jetstream = new Jetstream({ endpoint: relay.url, wantedCollections: ['app.bsky.feed.post'] })
    const texts: string[] = []
    let onText: ((text: string) => void) | undefined
    jetstream.onCreate('app.bsky.feed.post', (event) => {
      texts.push(event.commit.record.text)
      onText?.(event.commit.record.text)
    })
    const seen = (text: string) =>
      new Promise<void>((resolve) => {
        if (texts.includes(text)) return resolve()
        onText = (t) => t === text && resolve()
      })
    jetstream.start()
    try {
      const before = seen('before the outage')
      await new Promise<void>((resolve) => jetstream.once('open', resolve))
      await alice.agent.post({ text: 'before the outage' })
      await before

      relay.pause()
      expect(relay.clientCount()).toBe(0)
      const during = await alice.agent.post({ text: 'during the outage' })
      await relay.waitFor(isCommitFor(during.uri))
      expect(texts).not.toContain('during the outage')
      relay.resume()

      await seen('during the outage')
      expect(texts.filter((t) => t === 'during the outage')).toHaveLength(1)
    } finally {
      relay.resume()
      jetstream.close()
    }
  })
})
