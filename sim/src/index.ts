/**
 * @curia/sim: capture resistance, measured. A seeded agent-based simulator of whales, bot farms and cartels against
 * Curia's production core. Start reading at run.ts (one scenario, three feeds) and curia-run.ts (the engine).
 */
export { runScenario, type ScenarioResult } from './run'
export { runCuria, type CuriaRun } from './curia-run'
export { runLikesFeed, runStakeFeed, type FeedRun } from './baselines'
export {
  capture,
  curiaMetrics,
  feedMetrics,
  targets,
  type CuriaMetrics,
  type FeedMetrics,
  type Capture,
} from './metrics'
export { DEFAULT_PARAMS, withParams, type SimParams, type ParamOverrides } from './params'
export { SCENARIOS, scenarioParams, type NamedScenario } from './scenarios'
export { SWEEPS, runSweep } from './sweep'
export { juryAccuracy } from './jury-sweep'
export { RECOMMENDED, PREVIOUS_DEFAULTS, ENV_SETTINGS } from './recommend'
export { createScenario, type Scenario, type ScenarioMarket } from './scenario'
export { SimLedger, ConservationError } from './ledger'
export { createRng, type Rng } from './rng'
