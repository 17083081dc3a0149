import { maxLossMicro, price } from '@curia/curation/market/lmsr'
import { decideTrade, type MarketView } from '@curia/curation/market/trade'
import { describe, expect, it } from 'vitest'
import { juryAccuracy } from '../src/jury-sweep'
import { createScenario } from '../src/scenario'
import { correlation } from '../src/stats'

const rules = { positionCapMicro: 300_000_000n, maxAmountMicro: 10n ** 15n }
const b = 100_000_000n

describe('@curia/sim/scenario (the demo’s curators)', () => {
  const keys = Array.from({ length: 400 }, (_, i) => `at://did:plc:demo/app.bsky.feed.post/${i}`)
  const sc = createScenario({ seed: 3, posts: keys, curators: 8 })

  it('is a pure function of the seed, and qualities do not depend on the list', () => {
    const again = createScenario({ seed: 3, posts: [...keys].reverse(), curators: 8 })
    expect(again.qualityOf(keys[5]!)).toBe(sc.qualityOf(keys[5]!))
    expect(again.beliefOf(again.curators[2]!, keys[9]!)).toBe(sc.beliefOf(sc.curators[2]!, keys[9]!))
    expect(createScenario({ seed: 4, posts: keys, curators: 8 }).qualityOf(keys[5]!)).not.toBe(
      sc.qualityOf(keys[5]!),
    )
    const low = sc.posts.filter((p) => p.isLowQuality).length
    expect(low).toBeGreaterThan(120)
    expect(low).toBeLessThan(280)
  })

  it('sharp curators read quality better than noisy ones', () => {
    const q = sc.posts.map((p) => p.quality)
    const sharp = correlation(
      q,
      sc.posts.map((p) => sc.beliefOf(sc.curators[0]!, p.key)),
    )
    const noisy = correlation(
      q,
      sc.posts.map((p) => sc.beliefOf(sc.curators[7]!, p.key)),
    )
    expect(sharp).toBeGreaterThan(noisy)
    expect(noisy).toBeGreaterThan(0.3)
  })

  it('decide gives orders the production trade decision fills, in the direction of the belief', () => {
    const curator = sc.curators[0]!
    const beliefs = sc.beliefsOf(curator)
    let fills = 0
    for (const [i, post] of sc.posts.slice(0, 60).entries()) {
      const market: MarketView = {
        id: i + 1,
        status: 'open',
        closesAtMs: 1e12,
        state: { qYes: 0n, qNo: 0n, b },
      }
      const trader = { balanceMicro: 1_000_000_000n, yesSharesMicro: 0n, noSharesMicro: 0n }
      const order = sc.decide(
        curator,
        { marketId: market.id, postKey: post.key, state: market.state, traderCount: 0, trader, rules },
        beliefs,
      )
      if (!order) {
        expect(Math.abs(beliefs.get(post.key)! - 0.5)).toBeLessThanOrEqual(sc.style.edge + 1e-9)
        continue
      }
      const fill = decideTrade(market, trader, order, rules, 0)
      fills++
      expect(fill.outcome).toBe(beliefs.get(post.key)! > 0.5 ? 'yes' : 'no')
      // It never overshoots its belief (beyond a micro-share of rounding).
      const after = price(fill.stateAfter, 'yes')
      if (fill.outcome === 'yes') expect(after).toBeLessThanOrEqual(beliefs.get(post.key)! + 1e-6)
      else expect(after).toBeGreaterThanOrEqual(beliefs.get(post.key)! - 1e-6)
      expect(fill.moneyMicro).toBeLessThanOrEqual(trader.balanceMicro / 10n)
    }
    expect(fills).toBeGreaterThan(30)
    expect(maxLossMicro(b)).toBeGreaterThan(0n)
  })

  it('trusts a price more the more traders made it', () => {
    const curator = sc.curators[3]!
    const post = sc.posts.find((p) => sc.beliefOf(curator, p.key) > 0.8)!
    const state = { qYes: 0n, qNo: 150_000_000n, b } // price ~0.18, far below the belief
    const trader = { balanceMicro: 1_000_000_000n, yesSharesMicro: 0n, noSharesMicro: 0n }
    const spend = (traderCount: number) =>
      sc.decide(curator, { marketId: 1, postKey: post.key, state, traderCount, trader, rules }, new Map())!
        .amountMicro
    expect(spend(0)).toBeGreaterThan(spend(20))
  })
})

describe('jury accuracy (production tally)', () => {
  const base = { seed: 1, lazyShare: 0.1, noise: 0.15, quorum: 3, jurors: 150, trials: 2000 }

  it('more votes, more accuracy, when posts are assigned', () => {
    const few = juryAccuracy({ ...base, votes: 3, cartelShare: 0.2, assignment: 'nullifier' })
    const many = juryAccuracy({ ...base, votes: 25, cartelShare: 0.2, assignment: 'nullifier' })
    expect(many.attackerRejected).toBeGreaterThan(few.attackerRejected)
    expect(many.attackerRejected).toBeGreaterThan(0.95)
    expect(many.honestAccuracy).toBeGreaterThan(0.85)
  })

  it('a 20% cartel that chooses its posts carries them; assigned, it does not', () => {
    expect(
      juryAccuracy({ ...base, votes: 9, cartelShare: 0.2, assignment: 'free' }).attackerRejected,
    ).toBeLessThan(0.05)
    expect(
      juryAccuracy({ ...base, votes: 9, cartelShare: 0.2, assignment: 'nullifier' }).attackerRejected,
    ).toBeGreaterThan(0.85)
  })

  it('below quorum the verdict is void', () => {
    expect(juryAccuracy({ ...base, votes: 2, cartelShare: 0, assignment: 'nullifier' }).voidRate).toBe(1)
  })
})
