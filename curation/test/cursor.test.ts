import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { decodeCursor, encodeCursor } from '../src/feed/cursor'
import { isCurationError } from '../src/errors'

describe('feed cursor', () => {
  it('round-trips any position (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 48 }), fc.nat(9_999_999), (snapshotId, offset) => {
        expect(decodeCursor(encodeCursor({ snapshotId, offset }))).toEqual({ snapshotId, offset })
      }),
    )
  })

  it.each([
    '',
    '1',
    ':1',
    '1:',
    'a:1',
    '1:-1',
    '0:0',
    '1:1:1',
    ' 1:1',
    '1:1\n',
    '9999999999999999:0',
    '1:99999999',
    "1' or 1=1--",
  ])('refuses the crafted cursor %j with bad_cursor', (raw) => {
    try {
      decodeCursor(raw)
      expect.unreachable()
    } catch (err) {
      expect(isCurationError(err, 'bad_cursor')).toBe(true)
    }
  })
})
