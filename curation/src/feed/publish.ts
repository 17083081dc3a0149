import { AtpAgent } from '@atproto/api'

export interface PublishFeedOptions {
  /** The PDS of the publishing account, e.g. https://bsky.social. */
  service: string
  identifier: string
  /** An app password of the publishing account (this is the operator, not a user). */
  password: string
  rkey: string
  serviceDid: string
  displayName: string
  description: string
}

/**
 * Writes (or overwrites) the `app.bsky.feed.generator` record that makes the feed discoverable in Bluesky.
 * Returns the feed's at-URI, which is what `CURIA_FEED_PUBLISHER_DID` + `CURIA_FEED_RKEY` must name.
 */
export async function publishFeed(opts: PublishFeedOptions): Promise<{ uri: string; publisherDid: string }> {
  const agent = new AtpAgent({ service: opts.service })
  await agent.login({ identifier: opts.identifier, password: opts.password })
  const did = agent.session!.did
  const res = await agent.com.atproto.repo.putRecord({
    repo: did,
    collection: 'app.bsky.feed.generator',
    rkey: opts.rkey,
    record: {
      $type: 'app.bsky.feed.generator',
      did: opts.serviceDid,
      displayName: opts.displayName,
      description: opts.description,
      createdAt: new Date().toISOString(),
    },
  })
  return { uri: res.data.uri, publisherDid: did }
}
