import { describe, expect, it } from 'vitest'
import { formatAbsoluteTime, formatCount, formatDuration, formatRelativeTime } from '../lib/format'

const NOW = Date.parse('2026-03-10T12:00:00Z')
const ago = (ms: number) => new Date(NOW - ms).toISOString()

describe('formatRelativeTime', () => {
  it('counts up in seconds, minutes, hours and days', () => {
    expect(formatRelativeTime(ago(2_000), NOW)).toEqual({ short: 'now', long: 'just now' })
    expect(formatRelativeTime(ago(42_000), NOW)).toEqual({ short: '42s', long: '42 seconds ago' })
    expect(formatRelativeTime(ago(60_000), NOW)).toEqual({ short: '1m', long: '1 minute ago' })
    expect(formatRelativeTime(ago(3 * 3_600_000 + 5), NOW)).toEqual({ short: '3h', long: '3 hours ago' })
    expect(formatRelativeTime(ago(6 * 86_400_000), NOW)).toEqual({ short: '6d', long: '6 days ago' })
  })

  it('shows a date from a week on, with the year only when it differs', () => {
    expect(formatRelativeTime('2026-03-02T08:00:00Z', NOW).short).toBe('Mar 2')
    expect(formatRelativeTime('2025-12-31T23:59:00Z', NOW)).toEqual({
      short: 'Dec 31, 2025',
      long: 'on Dec 31, 2025',
    })
  })

  it('shows the date for a timestamp in the future instead of pretending it is now', () => {
    expect(formatRelativeTime('2030-01-01T00:00:00Z', NOW).short).toBe('Jan 1, 2030')
  })

  it('gives nothing for an unparseable timestamp', () => {
    expect(formatRelativeTime('not a date', NOW)).toEqual({ short: '', long: '' })
  })
})

describe('formatAbsoluteTime', () => {
  it('is a fixed UTC format, independent of the machine locale', () => {
    expect(formatAbsoluteTime('2026-03-04T09:05:00Z')).toBe('Mar 4, 2026, 09:05 UTC')
  })
})

describe('formatCount', () => {
  it('abbreviates like Bluesky and never rounds up', () => {
    expect([0, 7, 999, 1000, 1999, 12_345, 999_999, 1_200_000, 3_400_000_000].map(formatCount)).toEqual([
      '0',
      '7',
      '999',
      '1K',
      '1.9K',
      '12K',
      '999K',
      '1.2M',
      '3.4B',
    ])
    expect(formatCount(-5)).toBe('0')
  })
})

describe('formatDuration', () => {
  it('says a configured window in the unit a person would use', () => {
    expect(formatDuration(48 * 3_600_000)).toBe('48 hours')
    expect(formatDuration(8 * 3_600_000)).toBe('8 hours')
    expect(formatDuration(7 * 24 * 3_600_000)).toBe('7 days')
    expect(formatDuration(100 * 3_600_000)).toBe('100 hours')
    expect(formatDuration(3_600_000)).toBe('60 minutes')
    expect(formatDuration(2 * 3_600_000)).toBe('2 hours')
    // The demo's 2.4-minute markets, and anything shorter: never "0 hours".
    expect(formatDuration(144_000)).toBe('2 minutes')
    expect(formatDuration(30_000)).toBe('1 minute')
  })
})
