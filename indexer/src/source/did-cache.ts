/** The bounded DID document cache for commit verification, shared with the feed generator's service-auth verifier. */
export { LruDidCache } from '@curia/curation/did-cache'
