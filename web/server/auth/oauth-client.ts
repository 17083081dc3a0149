import {
  JoseKey,
  NodeOAuthClient,
  buildAtprotoLoopbackClientMetadata,
  requestLocalLock,
  type NodeSavedSessionStore,
  type NodeSavedStateStore,
  type OAuthClientMetadataInput,
} from '@atproto/oauth-client-node'
import type { WebConfig } from '../config'

export type OAuthClientConfig = Pick<WebConfig, 'oauth' | 'identity' | 'publicUrl'>

/**
 * The client metadata Curia presents to authorization servers. In development it is the atproto loopback client
 * (`http://localhost?redirect_uri=...&scope=...`: the metadata is implied by the client id, nothing is published);
 * in production a confidential web client published at /oauth/client-metadata.json that signs its token requests
 * with the key whose public half is at /oauth/jwks.json (longer-lived sessions than a public client gets).
 */
export function clientMetadataFor(config: OAuthClientConfig): OAuthClientMetadataInput {
  const { oauth } = config
  if (oauth.kind === 'loopback') {
    return buildAtprotoLoopbackClientMetadata({ scope: oauth.scope, redirect_uris: [oauth.redirectUri] })
  }
  return {
    client_id: oauth.clientId,
    client_name: 'Curia',
    client_uri: config.publicUrl,
    redirect_uris: [oauth.redirectUri],
    scope: oauth.scope,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    application_type: 'web',
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    dpop_bound_access_tokens: true,
    jwks_uri: oauth.jwksUri,
  }
}

/**
 * One NodeOAuthClient for the process. Identity resolution follows the configuration: the PLC directory (plain
 * http allowed on a local network, as are http authorization servers) and, when set, an XRPC handle resolver
 * (the local PDS in development; DNS and /.well-known otherwise).
 *
 * `requestLocalLock` serialises token refreshes of one DID within this process, which is all `next start` runs;
 * several web processes sharing the database would need a shared lock here instead.
 */
export async function createOAuthClient(
  config: OAuthClientConfig,
  stores: { stateStore: NodeSavedStateStore; sessionStore: NodeSavedSessionStore },
): Promise<NodeOAuthClient> {
  const keyset =
    config.oauth.kind === 'confidential' ? [await importSigningKey(config.oauth.privateKey)] : undefined
  return new NodeOAuthClient({
    clientMetadata: clientMetadataFor(config),
    ...(keyset ? { keyset } : {}),
    stateStore: stores.stateStore,
    sessionStore: stores.sessionStore,
    requestLock: requestLocalLock,
    allowHttp: config.identity.allowHttp,
    plcDirectoryUrl: config.identity.plcUrl,
    ...(config.oauth.handleResolver ? { handleResolver: config.oauth.handleResolver } : {}),
  })
}

/** A JWK (JSON, with or without `kid`) or a PKCS#8 PEM; the key id defaults to one derived from nothing secret. */
async function importSigningKey(raw: string): Promise<JoseKey> {
  const text = raw.trim()
  if (text.startsWith('{')) {
    const jwk = JSON.parse(text) as Record<string, unknown>
    return JoseKey.fromJWK(jwk, typeof jwk.kid === 'string' ? jwk.kid : 'curia-1')
  }
  return JoseKey.fromImportable(text.replaceAll('\\n', '\n'), 'curia-1')
}
