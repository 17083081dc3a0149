import { describe, expect, it } from 'vitest'
import { runCuria } from '../src/curia-run'
import { ConservationError, MINT, SimLedger, TREASURY } from '../src/ledger'
import type { ParamOverrides } from '../src/params'
import { PREVIOUS_DEFAULTS } from '../src/recommend'
import { SCENARIOS } from '../src/scenarios'
import { generatePosts, runHours } from '../src/world'
import { small } from './small'

const configs: [string, ParamOverrides][] = [
  ...SCENARIOS.map((s): [string, ParamOverrides] => [s.name, s.overrides]),
  ['every market sampled', { attacker: { farmSize: 30 }, jury: { pMin: 1, pMax: 1, capacity: 10_000 } }],
  [
    'every sampled market void (quorum out of reach)',
    { attacker: { farmSize: 30 }, jury: { quorum: 10_000 } },
  ],
  [
    'thin markets, tight cap',
    { attacker: { whaleShare: 0.3, farmSize: 30 }, market: { liquidityCredits: 5, positionCapShares: 10 } },
  ],
  [
    'deep markets, rich curators',
    {
      attacker: { farmSize: 30 },
      market: { liquidityCredits: 3000, humanGrantCredits: 20_000, positionCapShares: 100_000 },
    },
  ],
  [
    'the single-largest leave-out rule, trader minimum 1',
    { attacker: { farmSize: 30 }, ranking: { leaveOut: 'largest', minTraders: 1 } },
  ],
  [
    'previous defaults (free choice), farm and cartel',
    { ...PREVIOUS_DEFAULTS, attacker: { farmSize: 30, cartelShare: 0.2 } },
  ],
  ['one post per ballot', { attacker: { farmSize: 30 }, jury: { postsPerBallot: 1 } }],
  [
    'winsorised, no exploration',
    { attacker: { farmSize: 30 }, ranking: { leaveOut: 'winsorize', explorationShare: 0 } },
  ],
]

describe('conservation of credits', () => {
  it.each(configs)(
    '%s: balances + escrows + treasury == minted after every simulated hour, exactly',
    (_name, over) => {
      const params = small(over)
      const run = runCuria(params, generatePosts(params))
      // One check at setup and one after every hour; a failed check throws out of runCuria.
      expect(run.ledger.checks).toBe(runHours(params) + 2)
      const { curatorsMicro, escrowsMicro, treasuryMicro } = run.ledger.final
      expect(curatorsMicro + escrowsMicro + treasuryMicro).toBe(run.ledger.mintedMicro)
      expect(run.trades.fills).toBeGreaterThan(100)
    },
  )

  it('the check catches a micro-credit created or lost anywhere', () => {
    const ledger = new SimLedger()
    ledger.mint(TREASURY, 1_000_000n, 'treasury_funding')
    ledger.mint('curator:0', 5_000_000n, 'grant')
    ledger.move('curator:0', 'escrow:1', 1_234_567n, 'trade')
    expect(ledger.checkConservation()).toEqual({
      curatorsMicro: 3_765_433n,
      escrowsMicro: 1_234_567n,
      treasuryMicro: 1_000_000n,
    })
    // Tamper with the books the way a bug would: one micro-credit appears from nowhere.
    const balances = (ledger as unknown as { balances: Map<string, bigint> }).balances
    balances.set('escrow:1', balances.get('escrow:1')! + 1n)
    expect(() => ledger.checkConservation()).toThrow(ConservationError)
    balances.set('escrow:1', balances.get('escrow:1')! - 1n)
    expect(() => ledger.checkConservation()).not.toThrow()
  })

  it('refuses overdrafts and negative movements, and only the mint may go below zero', () => {
    const ledger = new SimLedger()
    ledger.mint('curator:0', 10n, 'grant')
    expect(() => ledger.move('curator:0', TREASURY, 11n, 'trade')).toThrow(ConservationError)
    expect(() => ledger.move('curator:0', TREASURY, -1n, 'trade')).toThrow(ConservationError)
    expect(ledger.balance(MINT)).toBe(-10n)
    expect(ledger.minted).toBe(10n)
  })
})
