import { CurationError } from '../errors'

/**
 * A feed cursor names a position in one frozen snapshot: `<snapshotId>:<offset>`. Because the snapshot never
 * changes, paging through it can neither repeat nor skip a post while newer snapshots are published; a reader
 * sees new posts when they start again from the top. Readable on purpose: it is not a secret, and the server
 * validates it fully on the way in.
 */
export interface FeedCursor {
  snapshotId: number
  offset: number
}

const CURSOR = /^(\d{1,15}):(\d{1,7})$/

export function encodeCursor(cursor: FeedCursor): string {
  return `${cursor.snapshotId}:${cursor.offset}`
}

export function decodeCursor(raw: string): FeedCursor {
  const match = CURSOR.exec(raw)
  if (!match) throw new CurationError('bad_cursor', 'Malformed cursor: expected <snapshot>:<offset>.')
  const snapshotId = Number(match[1])
  const offset = Number(match[2])
  if (!Number.isSafeInteger(snapshotId) || snapshotId < 1) {
    throw new CurationError('bad_cursor', 'Malformed cursor: bad snapshot id.')
  }
  return { snapshotId, offset }
}

/**
 * What a client echoes back with interactions: which snapshot and rank served this item, and `x` when the slot was
 * an exploration slot rather than earned by price.
 */
export function encodeFeedContext(snapshotId: number, rank: number, exploration = false): string {
  return `s${snapshotId}r${rank}${exploration ? 'x' : ''}`
}
