/**
 * Prints a new ES256 private key (JWK) for CURIA_OAUTH_PRIVATE_KEY: the key Curia's production OAuth client signs
 * its token requests with. Its public half is served at /oauth/jwks.json. Keep the output secret.
 *
 *   npx tsx web/scripts/oauth-key.ts
 */
import { JoseKey } from '@atproto/oauth-client-node'

const key = await JoseKey.generate(['ES256'], `curia-${new Date().toISOString().slice(0, 10)}`)
console.log(JSON.stringify(key.privateJwk))
