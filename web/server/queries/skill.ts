import 'server-only'
import type { Database } from '@curia/db'
import type { CalibrationBin } from '@curia/curation/settlement/skill'
import { getCuratorSkill, skillLeaderboard } from '@curia/curation/service/skill'
import { isDid } from '../../lib/bsky-urls'
import { curatorPath } from '../../lib/curator'
import { curatorHandles } from '../auth/web-session'

/**
 * Reads for the curator pages: the skill leaderboard and one curator's scores, calibration and realised profit.
 * Skeleton (curation's skill service) -> hydrate (handles Curia knows) -> present (plain DTOs: money as micro-unit
 * strings, scores as numbers or null when nothing is scored).
 */

/** Fewer scored markets than this and a curator is left off the skill board unless the reader asks. */
export const SKILL_MIN_MARKETS = 5
const SKILL_MIN_MARKETS_CAP = 100
const CALIBRATION_BINS = 10

export interface CuratorPageView {
  did: string
  /** Null when Curia knows no handle for the DID. Untrusted text: render as a text node. */
  handle: string | null
  path: string
  /** Markets settled on a verdict where the curator traded. */
  markets: number
  brier: number | null
  logScore: number | null
  referenceBrier: number | null
  skill: number | null
  /** Plain numbers: serialisable to the client as they are. */
  calibration: CalibrationBin[]
  /** Realised over settled and void markets: paid by settlement minus net spend, micro. */
  profitMicro: string
  /** Settled and void markets the curator held a position in. */
  settledPositions: number
}

export interface SkillRowView {
  rank: number
  did: string
  handle: string | null
  path: string
  markets: number
  brier: number
  logScore: number
  referenceBrier: number
  skill: number
}

export interface SkillBoardView {
  minMarkets: number
  /** What the board shows when the reader does not ask for another minimum. */
  defaultMinMarkets: number
  rows: SkillRowView[]
}

/**
 * One curator's page, or null when `did` is not a DID (anything from the URL: markup, SQL, 10 kB of junk) or no
 * curator account holds it. A curator who signed in but has nothing settled gets a page with empty scores.
 */
export async function loadCuratorPage(database: Database, did: string): Promise<CuratorPageView | null> {
  const path = curatorPath(did)
  if (!path || did.length > 2000) return null
  const skill = await getCuratorSkill(database, did, { bins: CALIBRATION_BINS })
  if (!skill.hasAccount) return null
  const handles = await curatorHandles(database.sql, [did])
  return {
    did,
    handle: handles.get(did) ?? null,
    path,
    markets: skill.markets,
    brier: skill.brier,
    logScore: skill.logScore,
    referenceBrier: skill.referenceBrier,
    skill: skill.skill,
    calibration: skill.calibration,
    profitMicro: skill.profitMicro.toString(),
    settledPositions: skill.settledPositions,
  }
}

/** Curators by Brier skill against the market, among those with at least `minMarkets` scored markets. */
export async function loadSkillLeaderboard(
  database: Database,
  opts: { minMarkets?: number; limit?: number } = {},
): Promise<SkillBoardView> {
  const minMarkets = opts.minMarkets ?? SKILL_MIN_MARKETS
  const entries = await skillLeaderboard(database, { minMarkets, limit: opts.limit ?? 50 })
  const handles = await curatorHandles(
    database.sql,
    entries.map((e) => e.did),
  )
  const rows: SkillRowView[] = []
  for (const e of entries) {
    // Every account DID passed assertDid; a row that is not linkable would be a bug upstream, so leave it off.
    const path = curatorPath(e.did)
    if (!path) continue
    rows.push({
      rank: rows.length + 1,
      did: e.did,
      handle: handles.get(e.did) ?? null,
      path,
      markets: e.markets,
      brier: e.brier,
      logScore: e.logScore,
      referenceBrier: e.referenceBrier,
      skill: e.skill,
    })
  }
  return { minMarkets, defaultMinMarkets: SKILL_MIN_MARKETS, rows }
}

/** `?min=` from the URL: a whole number from 1 to 100, else the default. */
export function parseSkillMinMarkets(raw: string | string[] | undefined): number {
  const text = Array.isArray(raw) ? raw[0] : raw
  if (text === undefined || !/^[0-9]{1,3}$/.test(text)) return SKILL_MIN_MARKETS
  const n = Number(text)
  return n >= 1 && n <= SKILL_MIN_MARKETS_CAP ? n : SKILL_MIN_MARKETS
}

/** The curator a `/curator/<segment>` URL names: the segment percent-decoded, or null when it cannot be a DID. */
export function didFromPathSegment(segment: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(segment)
  } catch {
    return null
  }
  return isDid(decoded) ? decoded : null
}
