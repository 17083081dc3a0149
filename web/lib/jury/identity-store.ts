/**
 * The juror's Semaphore identity, kept on this device only (localStorage of Curia's origin). The server receives the
 * commitment at enrollment and never the private key; lose the key (clear the site's data, change browsers) and
 * the juror can no longer vote, which is why the page offers a backup (copy or download) and an import.
 *
 * Several identities can live here (people sharing a browser profile, each enrolled under their own DID); each is
 * labelled with the DID it was made for. The ballot page, which has no session, lets the juror choose among them.
 * Storage only: making and reading keys is in identity-keys.ts, so pages that only list identities do not load
 * Semaphore. Browser only.
 */
export const IDENTITY_BACKUP_FORMAT = 'curia-juror-identity/v1'
const STORAGE_KEY = 'curia.jury.identities.v1'

export interface StoredIdentity {
  /** Semaphore's export: the private key, base64. */
  privateKey: string
  /** Decimal identity commitment (what the server stores). */
  commitment: string
  /** The DID this identity was created or imported for; null if unknown (an old backup). */
  did: string | null
  createdAt: string
}

export interface IdentityBackup {
  format: typeof IDENTITY_BACKUP_FORMAT
  privateKey: string
  commitment: string
  did: string | null
  createdAt: string
}

export function loadIdentities(storage: Storage = localStorage): StoredIdentity[] {
  const raw = storage.getItem(STORAGE_KEY)
  if (!raw) return []
  try {
    const list = JSON.parse(raw) as unknown
    return Array.isArray(list) ? list.filter(isStoredIdentity) : []
  } catch {
    return []
  }
}

/** The identity this DID made on this device, if any (the newest, should there be two). */
export function identityFor(did: string, storage: Storage = localStorage): StoredIdentity | undefined {
  return loadIdentities(storage)
    .filter((i) => i.did === did)
    .at(-1)
}

/** Stores (or replaces, by commitment) an identity and returns it. */
export function storeIdentity(entry: StoredIdentity, storage: Storage = localStorage): StoredIdentity {
  const rest = loadIdentities(storage).filter((i) => i.commitment !== entry.commitment)
  storage.setItem(STORAGE_KEY, JSON.stringify([...rest, entry]))
  return entry
}

export function removeIdentity(commitment: string, storage: Storage = localStorage): void {
  storage.setItem(
    STORAGE_KEY,
    JSON.stringify(loadIdentities(storage).filter((i) => i.commitment !== commitment)),
  )
}

/** The backup file's text: enough to restore the identity on another device. */
export function backupText(entry: StoredIdentity): string {
  const backup: IdentityBackup = { format: IDENTITY_BACKUP_FORMAT, ...entry }
  return `${JSON.stringify(backup, null, 2)}\n`
}

function isStoredIdentity(value: unknown): value is StoredIdentity {
  const v = value as Partial<StoredIdentity> | null
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.privateKey === 'string' &&
    typeof v.commitment === 'string' &&
    (v.did === null || typeof v.did === 'string') &&
    typeof v.createdAt === 'string'
  )
}
