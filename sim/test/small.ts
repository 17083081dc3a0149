import { DEFAULT_PARAMS, withParams, type ParamOverrides, type SimParams } from '../src/params'

/** A world small enough for unit tests (a run takes a fraction of a second) with the same shape as the report's. */
export const SMALL: SimParams = withParams(DEFAULT_PARAMS, {
  world: { postingHours: 24, warmupHours: 6, honestPostsPerHour: 4, attackerPostEveryHours: 3 },
  curators: { count: 60 },
  readers: { perHour: 600 },
  jury: { jurors: 45, capacity: 30, halfExposure: 500 },
})

export function small(over: ParamOverrides = {}, seed = 7): SimParams {
  return { ...withParams(SMALL, over), seed }
}
