/**
 * Making and restoring the juror's Semaphore identity in the browser. Imports Semaphore's identity package alone
 * (EdDSA-Poseidon, no prover), so the enrollment page stays light. Browser only.
 */
import { Identity } from '@semaphore-protocol/core/identity'
import {
  IDENTITY_BACKUP_FORMAT,
  storeIdentity,
  type IdentityBackup,
  type StoredIdentity,
} from './identity-store'

/** A fresh identity, made here with the browser's CSPRNG and stored before anything is sent anywhere. */
export function createIdentity(did: string, storage: Storage = localStorage): StoredIdentity {
  const identity = new Identity()
  return storeIdentity(
    {
      privateKey: identity.export(),
      commitment: identity.commitment.toString(),
      did,
      createdAt: new Date().toISOString(),
    },
    storage,
  )
}

/**
 * Reads a backup: the JSON file this page downloads, or the bare private key. Throws a sentence for the person
 * when it is neither, or when the file's commitment does not match its key (a damaged or edited backup).
 */
export function parseBackup(text: string, did: string | null): StoredIdentity {
  const trimmed = text.trim()
  let privateKey = trimmed
  let claimed: string | undefined
  let createdAt = new Date().toISOString()
  let owner = did
  if (trimmed.startsWith('{')) {
    let parsed: Partial<IdentityBackup>
    try {
      parsed = JSON.parse(trimmed) as Partial<IdentityBackup>
    } catch {
      throw new Error('This is not a Curia juror backup (it is not valid JSON).')
    }
    if (parsed.format !== IDENTITY_BACKUP_FORMAT || typeof parsed.privateKey !== 'string') {
      throw new Error('This is not a Curia juror backup.')
    }
    privateKey = parsed.privateKey
    claimed = typeof parsed.commitment === 'string' ? parsed.commitment : undefined
    if (typeof parsed.createdAt === 'string') createdAt = parsed.createdAt
    owner = did ?? (typeof parsed.did === 'string' ? parsed.did : null)
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(privateKey)) {
    throw new Error(
      'That is not a juror secret: paste the backup file or the secret key exactly as exported.',
    )
  }
  let identity: Identity
  try {
    identity = Identity.import(privateKey)
  } catch {
    throw new Error('That secret could not be read as a juror identity.')
  }
  const commitment = identity.commitment.toString()
  if (claimed !== undefined && claimed !== commitment) {
    throw new Error('This backup is damaged: its key does not produce the commitment it names.')
  }
  return { privateKey, commitment, did: owner, createdAt }
}
