import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Hex32 } from '../src/jury/hash'
import {
  drawSample,
  inclusionProbabilities,
  mixSeed,
  sampleDraw,
  seedCommitment,
  type EligibleMarket,
  type SamplingParams,
} from '../src/jury/sampling'

const hex = (body: string): Hex32 => `0x${body}`

const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => hex(Buffer.from(b).toString('hex')))

const params = fc.record({
  pMin: fc.double({ min: 0.001, max: 0.5, noNaN: true }),
  pMax: fc.double({ min: 0.5, max: 1, noNaN: true }),
  halfExposure: fc.double({ min: 1, max: 1e6, noNaN: true }),
  capacity: fc.integer({ min: 0, max: 200 }),
}) satisfies fc.Arbitrary<SamplingParams>

/** Distinct market ids with exposures. */
const markets = fc
  .uniqueArray(
    fc.record({ marketId: fc.integer({ min: 1, max: 1e9 }), exposure: fc.integer({ min: 0, max: 1e9 }) }),
    { selector: (m) => m.marketId, maxLength: 300 },
  )
  .map((ms) => ms as EligibleMarket[])

describe('sampling probabilities', () => {
  it('rise with exposure (monotone within a set)', () => {
    fc.assert(
      fc.property(markets, params, (ms, p) => {
        const probs = inclusionProbabilities(ms, p)
        const exposure = new Map(ms.map((m) => [m.marketId, m.exposure]))
        const byExposure = probs
          .map((x) => ({ e: exposure.get(x.marketId)!, p: x.probability }))
          .sort((a, b) => a.e - b.e)
        for (let i = 1; i < byExposure.length; i++) {
          expect(byExposure[i]!.p).toBeGreaterThanOrEqual(byExposure[i - 1]!.p)
        }
      }),
    )
  })

  it('are strictly higher for a more exposed market when the capacity does not bind', () => {
    const p = { pMin: 0.05, pMax: 1, halfExposure: 1000, capacity: 1000 }
    const probs = inclusionProbabilities(
      [
        { marketId: 1, exposure: 0 },
        { marketId: 2, exposure: 10 },
        { marketId: 3, exposure: 1000 },
        { marketId: 4, exposure: 100_000 },
      ],
      p,
    ).map((x) => x.probability)
    expect(probs[0]).toBe(0.05)
    expect(probs[2]).toBeCloseTo(0.525, 12)
    for (let i = 1; i < probs.length; i++) expect(probs[i]!).toBeGreaterThan(probs[i - 1]!)
  })

  it('respect the floor whenever the floors fit in the capacity', () => {
    fc.assert(
      fc.property(markets, params, (ms, p) => {
        fc.pre(ms.length * p.pMin <= p.capacity)
        for (const { probability } of inclusionProbabilities(ms, p)) {
          expect(probability).toBeGreaterThanOrEqual(p.pMin)
          expect(probability).toBeLessThanOrEqual(1)
        }
      }),
    )
  })

  it('keep the expected sample within the capacity', () => {
    fc.assert(
      fc.property(markets, params, (ms, p) => {
        const sum = inclusionProbabilities(ms, p).reduce((s, x) => s + x.probability, 0)
        expect(sum).toBeLessThanOrEqual(p.capacity * (1 + 1e-9) + 1e-9)
      }),
    )
  })
})

describe('the sample', () => {
  it('never exceeds the capacity', () => {
    fc.assert(
      fc.property(hex32, markets, params, (seed, ms, p) => {
        expect(drawSample(seed, ms, p).sampled.length).toBeLessThanOrEqual(p.capacity)
      }),
    )
  })

  it('scales every probability when even the floors exceed the capacity, and truncates a lucky overflow', () => {
    const ms = Array.from({ length: 40 }, (_, i) => ({ marketId: i + 1, exposure: 1e15 }))
    const p = { pMin: 1, pMax: 1, halfExposure: 1, capacity: 7 }
    for (const x of inclusionProbabilities(ms, p)) expect(x.probability).toBeCloseTo(7 / 40, 12)
    // Find a seed whose draws put more than 7 markets under their thresholds: the sample keeps exactly 7, the
    // ones furthest under (smallest draws, all thresholds being equal here).
    let truncated = 0
    for (let s = 0; s < 200 && truncated < 3; s++) {
      const seed = hex(s.toString(16).padStart(64, '0'))
      const under = ms.filter((m) => Number(sampleDraw(seed, m.marketId)) / 2 ** 256 < 7 / 40)
      if (under.length <= 7) continue
      truncated += 1
      const expected = under
        .map((m) => ({ id: m.marketId, draw: sampleDraw(seed, m.marketId) }))
        .sort((a, b) => (a.draw < b.draw ? -1 : 1))
        .slice(0, 7)
        .map((m) => m.id)
        .sort((a, b) => a - b)
      expect(drawSample(seed, ms, p).sampled).toEqual(expected)
    }
    expect(truncated).toBe(3)
  })

  it('is deterministic for a seed and independent of input order', () => {
    fc.assert(
      fc.property(hex32, markets, params, (seed, ms, p) => {
        const a = drawSample(seed, ms, p)
        const b = drawSample(seed, [...ms].reverse(), p)
        expect(b).toEqual(a)
      }),
    )
  })

  it('samples a market exactly when its draw is under its probability', () => {
    fc.assert(
      fc.property(hex32, markets, (seed, ms) => {
        const p = { pMin: 0.1, pMax: 0.9, halfExposure: 100, capacity: 1_000_000 }
        const { sampled, probabilities } = drawSample(seed, ms, p)
        const expected = probabilities
          .filter((x) => Number(sampleDraw(seed, x.marketId)) / 2 ** 256 < x.probability)
          .map((x) => x.marketId)
        // The float comparison can differ from the exact one only at a boundary no random draw hits.
        expect(sampled).toEqual(expected)
      }),
    )
  })

  it('samples about p of the markets (frequency check over many markets)', () => {
    const ms = Array.from({ length: 20_000 }, (_, i) => ({ marketId: i + 1, exposure: 0 }))
    const p = { pMin: 0.2, pMax: 0.2, halfExposure: 1, capacity: 1_000_000 }
    const n = drawSample(hex('01'.repeat(32)), ms, p).sampled.length
    // Binomial(20000, 0.2): mean 4000, sd about 57; 6 sd either side.
    expect(n).toBeGreaterThan(4000 - 340)
    expect(n).toBeLessThan(4000 + 340)
  })

  it('changes with the seed and with the beacon', () => {
    const ms = Array.from({ length: 200 }, (_, i) => ({ marketId: i + 1, exposure: i }))
    const p = { pMin: 0.3, pMax: 0.6, halfExposure: 50, capacity: 1000 }
    const seed = hex('11'.repeat(32))
    const operator = drawSample(mixSeed(seed, { kind: 'operator' }), ms, p).sampled
    const block = drawSample(
      mixSeed(seed, { kind: 'block', chainId: 1, number: 100, hash: hex('22'.repeat(32)) }),
      ms,
      p,
    ).sampled
    const otherSeed = drawSample(mixSeed(hex('12'.repeat(32)), { kind: 'operator' }), ms, p).sampled
    expect(block).not.toEqual(operator)
    expect(otherSeed).not.toEqual(operator)
  })
})

describe('seed commitment', () => {
  it('is sha256 of the 32 seed bytes', () => {
    // sha256 of 32 zero bytes.
    expect(seedCommitment(hex('00'.repeat(32)))).toBe(
      '0x66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925',
    )
  })
  it('refuses a seed that is not 32 bytes of lowercase hex', () => {
    expect(() => seedCommitment('0x1234')).toThrow()
    expect(() => seedCommitment(`0x${'AB'.repeat(32)}`)).toThrow()
  })
})
