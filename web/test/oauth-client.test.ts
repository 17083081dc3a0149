import { describe, expect, it } from 'vitest'
import { JoseKey } from '@atproto/oauth-client-node'
import { clientMetadataFor, createOAuthClient } from '../server/auth/oauth-client'
import { readWebConfig } from '../server/config'

// Neither test signs anyone in: the stores are never read.
const noStores = {
  stateStore: {
    set: () => Promise.resolve(),
    get: () => Promise.resolve(undefined),
    del: () => Promise.resolve(),
  },
  sessionStore: {
    set: () => Promise.resolve(),
    get: () => Promise.resolve(undefined),
    del: () => Promise.resolve(),
  },
}

describe('the OAuth client Curia presents', () => {
  it('is a loopback client in development: its metadata is its client id', async () => {
    const config = readWebConfig({ CURIA_PUBLIC_URL: 'http://127.0.0.1:3999' })
    const client = await createOAuthClient(config, noStores)
    expect(client.clientMetadata.client_id).toBe(
      `http://localhost?redirect_uri=${encodeURIComponent('http://127.0.0.1:3999/oauth/callback')}`,
    )
    expect(client.clientMetadata).toMatchObject({
      redirect_uris: ['http://127.0.0.1:3999/oauth/callback'],
      token_endpoint_auth_method: 'none',
      dpop_bound_access_tokens: true,
      scope: 'atproto',
    })
    expect(client.jwks).toEqual({ keys: [] })
  })

  it('is a confidential client on https, publishing only the public half of its key', async () => {
    const key = await JoseKey.generate(['ES256'], 'curia-test')
    const config = readWebConfig({
      CURIA_PUBLIC_URL: 'https://curia.example',
      CURIA_OAUTH_PRIVATE_KEY: JSON.stringify(key.privateJwk),
    })
    const client = await createOAuthClient(config, noStores)
    expect(clientMetadataFor(config)).toMatchObject({
      client_id: 'https://curia.example/oauth/client-metadata.json',
      jwks_uri: 'https://curia.example/oauth/jwks.json',
      redirect_uris: ['https://curia.example/oauth/callback'],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      application_type: 'web',
    })
    // What /oauth/jwks.json serves: the JSON of client.jwks.
    const served = JSON.parse(JSON.stringify(client.jwks)) as { keys: Record<string, unknown>[] }
    expect(served.keys).toHaveLength(1)
    expect(served.keys[0]).toMatchObject({
      kid: 'curia-test',
      kty: 'EC',
      crv: 'P-256',
      x: (key.publicJwk as { x?: string }).x,
    })
    expect(served.keys[0]).not.toHaveProperty('d')
  })
})
