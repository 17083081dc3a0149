import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * Encryption at rest for the OAuth client's stores: a saved session holds the user's refresh token and the DPoP
 * private key bound to it, so a leaked database dump (a backup, a replica, a support query) would otherwise let
 * anyone act as every signed-in user on their PDS. Values are sealed with AES-256-GCM under a key the database
 * never sees, with the row's key (the DID, the state key) as associated data, so a sealed value copied onto
 * another row does not open.
 *
 * Where the key comes from (the first that applies): CURIA_TOKEN_KEY; in production, derived from the OAuth
 * signing key (CURIA_OAUTH_PRIVATE_KEY, already a secret the deployment keeps); in development, a random key kept
 * in `<dataDir>/oauth-token.key` (mode 0600). Changing the key signs everyone out: their sessions no longer open,
 * which the stores treat as absent.
 */

export type TokenKeySource = { kind: 'secret'; secret: string } | { kind: 'file'; path: string }

const SEALED_VERSION = 'v1'
const IV_BYTES = 12
const TAG_BYTES = 16

export interface SealedValue {
  sealed: typeof SEALED_VERSION
  /** base64: 12-byte IV. */
  iv: string
  /** base64: ciphertext then the 16-byte GCM tag. */
  data: string
}

/** A 32-byte key from any secret string: HKDF-SHA256 with a domain-separating label. */
export function deriveTokenKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'curia', 'curia/oauth-store/v1', 32))
}

/** The key for this deployment (see above). A key file is created on first use and read after. */
export async function loadTokenKey(source: TokenKeySource): Promise<Buffer> {
  if (source.kind === 'secret') return deriveTokenKey(source.secret)
  try {
    return deriveTokenKey((await readFile(source.path, 'utf8')).trim())
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  await mkdir(dirname(source.path), { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  // 'wx': two processes starting at once cannot both write one; the loser reads the winner's.
  await writeFile(source.path, `${secret}\n`, { flag: 'wx', mode: 0o600 }).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  })
  await chmod(source.path, 0o600).catch(() => {})
  return deriveTokenKey((await readFile(source.path, 'utf8')).trim())
}

export function sealJson(key: Buffer, value: unknown, associated: string): SealedValue {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(associated, 'utf8'))
  const body = Buffer.concat([
    cipher.update(JSON.stringify(value), 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ])
  return { sealed: SEALED_VERSION, iv: iv.toString('base64'), data: body.toString('base64') }
}

/**
 * The value a sealed record holds, or `undefined` when it does not open (another key, another row, tampered).
 * A record written before sealing existed (no `sealed` field) is returned as it is; the next write seals it.
 */
export function openJson<T>(key: Buffer, stored: unknown, associated: string): T | undefined {
  if (!isSealed(stored)) return stored as T
  try {
    const iv = Buffer.from(stored.iv, 'base64')
    const body = Buffer.from(stored.data, 'base64')
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) return undefined
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
    decipher.setAAD(Buffer.from(associated, 'utf8'))
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES))
    const text = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()])
    return JSON.parse(text.toString('utf8')) as T
  } catch {
    return undefined
  }
}

function isSealed(value: unknown): value is SealedValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { sealed?: unknown }).sealed === SEALED_VERSION &&
    typeof (value as { iv?: unknown }).iv === 'string' &&
    typeof (value as { data?: unknown }).data === 'string'
  )
}
