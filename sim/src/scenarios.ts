/**
 * The named adversaries the report measures, each against the same world. The attacker posts one low-quality post
 * every three hours in every scenario (in "honest" nobody promotes them: that is the reference for how much
 * attention low-quality posts get on their own).
 */
import { DEFAULT_PARAMS, withParams, type ParamOverrides, type SimParams } from './params'

export interface NamedScenario {
  name: string
  description: string
  overrides: ParamOverrides
}

export const SCENARIOS: NamedScenario[] = [
  {
    name: 'honest',
    description: 'No attacker: its low-quality posts are posted but nobody promotes them.',
    overrides: {},
  },
  {
    name: 'whale-30',
    description: 'One account holding 30% of all curator credits buys YES on its own low-quality posts.',
    overrides: { attacker: { whaleShare: 0.3 } },
  },
  {
    name: 'farm-100',
    description:
      '100 fresh accounts (the starting grant each) push the attacker’s posts past the trader minimum and the leave-one-out.',
    overrides: { attacker: { farmSize: 100 } },
  },
  {
    name: 'whale-30+farm-100',
    description: 'The whale and the farm together.',
    overrides: { attacker: { whaleShare: 0.3, farmSize: 100 } },
  },
  {
    name: 'whale+farm+cartel-20',
    description:
      'Whale and farm, and 20% of the jury always endorses the attacker’s posts on its ballots (as shipped, a ballot covers the posts a hash of its round nullifier picks).',
    overrides: { attacker: { whaleShare: 0.3, farmSize: 100, cartelShare: 0.2 } },
  },
  {
    name: 'whale+farm+cartel-20, free choice',
    description:
      'The counterfactual: the same cartel when jurors choose which sampled posts to judge (before assignment): it votes on every attacker post.',
    overrides: {
      attacker: { whaleShare: 0.3, farmSize: 100, cartelShare: 0.2 },
      jury: { assignment: 'free' },
    },
  },
  {
    name: 'lazy-jury-40',
    description: '40% of jurors vote at random; no attacker.',
    overrides: { jury: { lazyShare: 0.4 } },
  },
]

export function scenarioParams(s: NamedScenario, base: SimParams = DEFAULT_PARAMS, seed?: number): SimParams {
  const p = withParams(base, s.overrides)
  return seed === undefined ? p : { ...p, seed }
}
