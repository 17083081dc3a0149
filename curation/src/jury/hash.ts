/**
 * Hashing and canonical serialisation shared by the jury's server, the juror's browser and the offline verifier.
 * viem's sha256 (noble-hashes underneath) runs unchanged in Node and in a browser, so the three compute the same
 * bytes from the same text.
 */
import { bytesToHex, concatBytes, hexToBytes, sha256, stringToBytes } from 'viem'

/** A 32-byte value as 0x-prefixed lowercase hex. */
export type Hex32 = `0x${string}`

const HEX32 = /^0x[0-9a-f]{64}$/

export function isHex32(value: unknown): value is Hex32 {
  return typeof value === 'string' && HEX32.test(value)
}

/** sha256 of a text's UTF-8 bytes. */
export function sha256Text(text: string): Hex32 {
  return sha256(stringToBytes(text))
}

export function sha256Bytes(bytes: Uint8Array): Hex32 {
  return sha256(bytes)
}

/**
 * sha256 of a text, keeping its top 248 bits, as a bigint. Semaphore v4 hashes scope and message again before they
 * enter the circuit (keccak256 >> 8), so a full 256-bit value would verify with this library; we truncate anyway so
 * every public value is below the BN254 scalar field (2^248 < p) and means the same to any other verifier: a
 * Solidity contract, a circuit taking it raw, Semaphore's own `toBigInt` of a bytes32. 248 bits keep 124-bit
 * collision resistance, far beyond what a round id or a ballot needs.
 */
export function hashToField(text: string): bigint {
  return BigInt(sha256Text(text)) >> 8n
}

export { bytesToHex, concatBytes, hexToBytes }

export function utf8Bytes(text: string): Uint8Array {
  return stringToBytes(text)
}

/**
 * Canonical JSON: object keys sorted by UTF-16 code units (JavaScript's default order, as RFC 8785), no whitespace,
 * JSON.stringify's escaping. Accepts only what round-trips: strings, finite numbers, booleans, null, arrays, plain
 * objects. A value that is not canonical cannot be hashed two ways.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number')
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  throw new TypeError(`canonicalJson: cannot serialise a ${typeof value}`)
}

/**
 * RFC 6962 Merkle tree hash over byte strings (leaf = sha256(0x00 || d), node = sha256(0x01 || left || right),
 * split at the largest power of two below n). The domain bytes keep a leaf from passing for a node, and the shape
 * is the one Certificate Transparency uses, so inclusion proofs follow its well-known algorithm.
 */
export function merkleTreeHash(leaves: readonly Uint8Array[]): Hex32 {
  if (leaves.length === 0) return sha256Bytes(new Uint8Array())
  return bytesToHex(mth(leaves, 0, leaves.length))
}

function mth(leaves: readonly Uint8Array[], start: number, end: number): Uint8Array {
  const n = end - start
  if (n === 1) return hexToBytes(sha256Bytes(concatBytes([Uint8Array.of(0), leaves[start]!])))
  let k = 1
  while (k * 2 < n) k *= 2
  const left = mth(leaves, start, start + k)
  const right = mth(leaves, start + k, end)
  return hexToBytes(sha256Bytes(concatBytes([Uint8Array.of(1), left, right])))
}
