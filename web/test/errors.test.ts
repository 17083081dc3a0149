import { describe, expect, it } from 'vitest'
import { CurationError } from '@curia/curation/errors'
import { isCurationErrorLike } from '../server/errors'

describe('isCurationErrorLike', () => {
  it('recognises a CurationError from this module copy and from another copy of the class', () => {
    expect(isCurationErrorLike(new CurationError('bad_cursor', 'x'), 'bad_cursor')).toBe(true)
    // What the route sees when the page's bundle created the snapshot store: same name and code, other class.
    class OtherCopy extends Error {
      readonly code = 'bad_cursor'
      override name = 'CurationError'
    }
    expect(isCurationErrorLike(new OtherCopy('x'), 'bad_cursor')).toBe(true)
  })

  it('does not mistake other errors or other codes for it', () => {
    expect(isCurationErrorLike(new CurationError('bad_request', 'x'), 'bad_cursor')).toBe(false)
    expect(isCurationErrorLike(Object.assign(new Error('x'), { code: 'bad_cursor' }), 'bad_cursor')).toBe(
      false,
    )
    expect(isCurationErrorLike({ name: 'CurationError', code: 'bad_cursor' }, 'bad_cursor')).toBe(false)
  })
})
