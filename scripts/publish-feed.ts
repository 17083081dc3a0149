/**
 * `npm run publish-feed`: writes the app.bsky.feed.generator record that makes Curia's feed discoverable in
 * Bluesky, using the operator's account. Run it once per deployment (and again to change the name/description).
 *
 *   CURIA_PUBLISH_IDENTIFIER=you.bsky.social CURIA_PUBLISH_PASSWORD=<app password> \
 *   CURIA_FEED_HOSTNAME=feed.example.com npm run publish-feed
 */
import { z } from 'zod'
import { publishFeed, readCurationConfig } from '@curia/curation'

const env = z
  .object({
    CURIA_PUBLISH_SERVICE: z.url().default('https://bsky.social'),
    CURIA_PUBLISH_IDENTIFIER: z
      .string({ error: 'set CURIA_PUBLISH_IDENTIFIER to the operator handle or DID' })
      .min(1),
    CURIA_PUBLISH_PASSWORD: z
      .string({ error: 'set CURIA_PUBLISH_PASSWORD to an app password of that account' })
      .min(1),
  })
  .safeParse(process.env)
if (!env.success) {
  console.error(env.error.issues.map((i) => `publish-feed: ${i.message}`).join('\n'))
  process.exit(2)
}

const config = readCurationConfig()
const { uri, publisherDid } = await publishFeed({
  service: env.data.CURIA_PUBLISH_SERVICE,
  identifier: env.data.CURIA_PUBLISH_IDENTIFIER,
  password: env.data.CURIA_PUBLISH_PASSWORD,
  rkey: config.feed.rkey,
  serviceDid: config.feed.serviceDid,
  displayName: config.feed.displayName,
  description: config.feed.description,
})
console.log(`published ${uri}
  the feed generator must run with CURIA_FEED_PUBLISHER_DID=${publisherDid} and be reachable at ${config.feed.publicUrl}
  (its DID ${config.feed.serviceDid} resolves through ${config.feed.publicUrl}/.well-known/did.json)`)
