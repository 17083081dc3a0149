/**
 * Curator skill from the forecasts their trades imply (MECHANISM.md "Settlement"; the choices are argued in
 * ./README.md "Curator skill").
 *
 * Each trade implies a forecast: the YES price right after it (a trader buying an outcome stops where the price
 * meets its belief; buying NO to 0.3 is forecasting YES at 0.7). Per curator and market the forecast is the one its
 * last trade there implied, and the reference is the YES price just before its first trade there (what the market
 * said when the curator arrived). Only markets settled on a verdict are scored.
 *
 * Pure: no I/O.
 */

export interface ScoredMarket {
  marketId: number
  /** The jury's verdict: 'yes' = endorsed. */
  outcome: 'yes' | 'no'
  /** YES probability implied by the curator's last trade in the market. */
  forecast: number
  /** YES price just before the curator's first trade in the market. */
  reference: number
}

export interface CalibrationBin {
  /** Forecasts in [lower, upper) (the last bin includes 1). */
  lower: number
  upper: number
  count: number
  /** Null when the bin is empty. */
  meanForecast: number | null
  /** Share of the bin's markets that were endorsed; null when empty. */
  yesFrequency: number | null
}

export interface SkillSummary {
  markets: number
  /** Mean (f - y)^2: 0 is perfect, 0.25 is a coin flip's. Null with no scored market. */
  brier: number | null
  /** Mean ln(probability given to what happened): 0 is perfect, ln 0.5 ≈ -0.693 a coin flip's. */
  logScore: number | null
  /** The same Brier for the reference prices. */
  referenceBrier: number | null
  /** Brier skill score against the reference: 1 - brier / referenceBrier. Positive = moved prices toward truth. */
  skill: number | null
  calibration: CalibrationBin[]
}

/** Kept off 0 and 1 so a log score stays finite (LMSR prices already are, by far more than this). */
const EPSILON = 1e-12

function clampProbability(p: number): number {
  return Math.min(1 - EPSILON, Math.max(EPSILON, p))
}

export function brierScore(forecastYes: number, outcome: 'yes' | 'no'): number {
  const y = outcome === 'yes' ? 1 : 0
  return (forecastYes - y) ** 2
}

export function logScore(forecastYes: number, outcome: 'yes' | 'no'): number {
  const f = clampProbability(forecastYes)
  return Math.log(outcome === 'yes' ? f : 1 - f)
}

/** Scores a curator's markets. `bins` calibration bins of equal width over [0, 1]. */
export function summarizeSkill(markets: readonly ScoredMarket[], opts: { bins?: number } = {}): SkillSummary {
  const binCount = Math.max(1, Math.floor(opts.bins ?? 10))
  const bins = Array.from({ length: binCount }, (_, i) => ({
    lower: i / binCount,
    upper: (i + 1) / binCount,
    count: 0,
    forecastSum: 0,
    yes: 0,
  }))
  let brier = 0
  let log = 0
  let reference = 0
  for (const m of markets) {
    brier += brierScore(m.forecast, m.outcome)
    log += logScore(m.forecast, m.outcome)
    reference += brierScore(m.reference, m.outcome)
    const bin = bins[Math.min(binCount - 1, Math.max(0, Math.floor(m.forecast * binCount)))]!
    bin.count += 1
    bin.forecastSum += m.forecast
    if (m.outcome === 'yes') bin.yes += 1
  }
  const n = markets.length
  return {
    markets: n,
    brier: n ? brier / n : null,
    logScore: n ? log / n : null,
    referenceBrier: n ? reference / n : null,
    skill: n ? brierSkill(brier / n, reference / n) : null,
    calibration: bins.map((b) => ({
      lower: b.lower,
      upper: b.upper,
      count: b.count,
      meanForecast: b.count ? b.forecastSum / b.count : null,
      yesFrequency: b.count ? b.yes / b.count : null,
    })),
  }
}

/**
 * 1 - brier / reference. The reference Brier cannot be 0 (prices never reach 0 or 1), but guard anyway: a curator
 * who only ever met a certain market has shown nothing, so 0.
 */
export function brierSkill(brier: number, referenceBrier: number): number {
  return referenceBrier > 0 ? 1 - brier / referenceBrier : 0
}
