import { describe, expect, it } from 'vitest'
import { Identity } from '@semaphore-protocol/core'
import { createIdentity, parseBackup } from '../lib/jury/identity-keys'
import { backupText, identityFor, loadIdentities, removeIdentity } from '../lib/jury/identity-store'

/** The juror's identity kept in the browser: made, backed up, restored; damaged backups refused. */

function memoryStorage(): Storage {
  const map = new Map<string, string>()
  return {
    get length() {
      return map.size
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => void map.delete(k),
    setItem: (k, v) => void map.set(k, String(v)),
  }
}

describe('juror identity storage', () => {
  it('creates one per DID, and a backup restores exactly that identity', () => {
    const storage = memoryStorage()
    const made = createIdentity('did:plc:alice', storage)
    expect(identityFor('did:plc:alice', storage)).toEqual(made)
    expect(identityFor('did:plc:bob', storage)).toBeUndefined()
    // The commitment is Semaphore's for that key: what the server stores, and what proofs are checked against.
    expect(Identity.import(made.privateKey).commitment.toString()).toBe(made.commitment)

    const restored = parseBackup(backupText(made), null)
    expect(restored).toEqual(made)
    // The bare secret works too, for the current DID.
    expect(parseBackup(made.privateKey, 'did:plc:alice').commitment).toBe(made.commitment)

    removeIdentity(made.commitment, storage)
    expect(loadIdentities(storage)).toEqual([])
  })

  it('refuses what is not a backup, and a backup whose key does not make its commitment', () => {
    const made = createIdentity('did:plc:carol', memoryStorage())
    const tampered = JSON.parse(backupText(made)) as Record<string, string>
    tampered.commitment = new Identity('someone else').commitment.toString()
    expect(() => parseBackup(JSON.stringify(tampered), null)).toThrow(/damaged/)
    expect(() => parseBackup('{"format":"other"}', null)).toThrow(/not a Curia juror backup/)
    expect(() => parseBackup('hello world!', null)).toThrow(/not a juror secret/)
  })

  it('ignores corrupt storage rather than crashing the page', () => {
    const storage = memoryStorage()
    storage.setItem('curia.jury.identities.v1', '{not json')
    expect(loadIdentities(storage)).toEqual([])
    storage.setItem('curia.jury.identities.v1', JSON.stringify([{ privateKey: 1 }, null]))
    expect(loadIdentities(storage)).toEqual([])
  })
})
