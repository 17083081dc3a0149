/**
 * One run of Curia on the synthetic world, hour by hour, with the production core doing every decision it makes in
 * production: markets priced and traded by `decideTrade` (LMSR, caps, slippage, rounding), the feed ordered by
 * `rankMarkets` (robust price, trader minimum, freshness, exploration), impressions turned into exposure, the
 * sample and tally through the jury core, payouts through the settlement core. The simulator only supplies the
 * people: curators, the attacker's accounts, readers and jurors.
 *
 * Each hour: open markets for new posts -> close due ones -> (once a day) a jury round settles the markets that
 * closed since the last -> rank -> readers' impressions -> everyone trades -> conservation check.
 */
import { maxLossMicro, price } from '@curia/curation/market/lmsr'
import { heldProceeds, type TradeOrder, type TradeRules } from '@curia/curation/market/trade'
import { rankMarkets, robustPrice, type MarketRankingParams } from '@curia/curation/ranking/market-rank'
import { decideCurator, curatorTarget } from './agents/curator'
import { MIN_ORDER_MICRO, planOrder } from './agents/trader'
import { attention, pickLook } from './agents/visits'
import { openBook, toRankable, trade, traderOf, type Book } from './book'
import {
  assignedPostIds,
  postUri,
  sampleRound,
  simNullifier,
  tallyRound,
  type Tally,
  type Verdict,
  type Vote,
} from './core/jury'
import { resolveVerdict, settleMarket, type Resolution } from './core/settlement'
import { escrowOf, SimLedger, TREASURY, type AccountId } from './ledger'
import type { SimParams } from './params'
import { createRng, type Rng } from './rng'
import {
  beliefFromSignal,
  generateCurators,
  generateJurors,
  HOUR_MS,
  perceive,
  runHours,
  type Curator,
  type Juror,
  type Post,
} from './world'

const MICRO = 1_000_000

export const credits = (c: number): bigint => BigInt(Math.round(c * MICRO))

export interface PostOutcome {
  impressions: number
  explorationImpressions: number
  hoursInTop: number
  tradeCount: number
  traderCount: number
  /** Raw LMSR YES price when trading closed. */
  closePrice: number
  /** Robust price when trading closed (what the ranking used). */
  closeRobustPrice: number
  /** Its market reached a jury round (every measured post's does). */
  eligible: boolean
  sampleProbability: number
  sampled: boolean
  votes: Tally
  verdict: Verdict | 'unsampled'
  resolution: Resolution
}

export interface HourImpressions {
  hour: number
  total: number
  low: number
  attacker: number
  /** Impressions times the age (hours) of the post they went to: over `total`, how old what readers saw was. */
  ageHours: number
}

export interface Forecast {
  curator: number
  postId: number
  forecast: number
}

export interface CuriaRun {
  posts: PostOutcome[]
  /** Impressions per hour: all, on low-quality posts, on the attacker's posts. */
  hourly: HourImpressions[]
  attacker: { accounts: number; endowmentMicro: bigint; finalMicro: bigint }
  /**
   * Per honest curator: its noise and what it made on the markets that settled (payouts and refunds minus net
   * spend), which does not depend on how the still-open markets at the end would have gone.
   */
  curators: { noise: number; realizedMicro: bigint; settledPositions: number }[]
  forecasts: Forecast[]
  /** Per round: posts sampled and ballots cast (every round, background posts included). */
  jury: { rounds: number; votesPerSampled: number[]; roundSizes: { sampled: number; ballots: number }[] }
  trades: { fills: number; refusals: Record<string, number>; attackerFills: number }
  ledger: {
    checks: number
    entries: number
    mintedMicro: bigint
    /** Over settled markets: subsidies escrowed minus remainders returned (what the market maker paid out). */
    marketMakerLossMicro: bigint
    /** The last hourly check: where every minted micro-credit is at the end. */
    final: { curatorsMicro: bigint; escrowsMicro: bigint; treasuryMicro: bigint }
  }
}

export function rankingParams(p: SimParams): MarketRankingParams {
  return {
    halfLifeMs: p.ranking.halfLifeHours * HOUR_MS,
    windowMs: p.market.windowHours * HOUR_MS,
    minTraders: p.ranking.minTraders,
    priorPrice: p.ranking.priorPrice,
    explorationShare: p.ranking.explorationShare,
    explorationMaxTrades: p.ranking.explorationMaxTrades,
  }
}

export function whaleEndowmentMicro(p: SimParams): bigint {
  const share = p.attacker.whaleShare
  if (share <= 0) return 0n
  const others =
    credits(p.market.startingGrantCredits + p.market.humanGrantCredits) * BigInt(p.curators.count) +
    credits(p.market.startingGrantCredits) * BigInt(p.attacker.farmSize)
  // whale / (whale + others) = share
  return BigInt(Math.round((Number(others) * share) / (1 - share)))
}

export function runCuria(params: SimParams, posts: readonly Post[]): CuriaRun {
  const rng = createRng(params.seed, 'curia')
  const actRng = rng.fork('actions')
  const juryRng = rng.fork('jury')
  const rankRng = rng.fork('ranking')
  const ledger = new SimLedger()
  const rules: TradeRules = {
    positionCapMicro: credits(params.market.positionCapShares),
    maxAmountMicro: credits(1_000_000_000),
  }
  const b = credits(params.market.liquidityCredits)
  const ranking = rankingParams(params)
  const windowMs = params.market.windowHours * HOUR_MS

  ledger.mint(TREASURY, credits(params.market.treasuryCredits), 'treasury_funding')
  const curators = generateCurators(params)
  const honestGrant = credits(params.market.startingGrantCredits + params.market.humanGrantCredits)
  for (const c of curators) ledger.mint(c.account, honestGrant, 'grant')
  const attackerAccounts: AccountId[] = []
  const whale = whaleEndowmentMicro(params)
  if (whale > 0n) {
    attackerAccounts.push('whale')
    ledger.mint('whale', whale, 'grant')
  }
  for (let i = 0; i < params.attacker.farmSize; i++) {
    const id = `farm:${i}`
    attackerAccounts.push(id)
    ledger.mint(id, credits(params.market.startingGrantCredits), 'grant')
  }
  const attackerEndowment = attackerAccounts.reduce((s, a) => s + ledger.balance(a), 0n)
  const jurors = generateJurors(params)

  const byId = new Map(posts.map((p) => [p.id, p]))
  const outcomes: PostOutcome[] = posts.map(() => ({
    impressions: 0,
    explorationImpressions: 0,
    hoursInTop: 0,
    tradeCount: 0,
    traderCount: 0,
    closePrice: 0.5,
    closeRobustPrice: 0.5,
    eligible: false,
    sampleProbability: 0,
    sampled: false,
    votes: { endorse: 0, reject: 0, abstain: 0 },
    verdict: 'unsampled',
    resolution: 'void',
  }))
  const outcomeOf = (postId: number) => outcomes[postId - 1]!
  const books = new Map<number, Book>()
  const live: Book[] = []
  const forecasts: Forecast[] = []
  const hourly: CuriaRun['hourly'] = []
  const refusals: Record<string, number> = {}
  let fills = 0
  let attackerFills = 0
  let rounds = 0
  const votesPerSampled: number[] = []
  const roundSizes: { sampled: number; ballots: number }[] = []
  let nextPost = 0
  let marketMakerLossMicro = 0n
  let final = ledger.checkConservation()
  const realized = new Map<AccountId, bigint>()
  /** Sale proceeds each account holds in unsettled books (curation's `heldProceeds`), as the trade service reads. */
  const held = new Map<AccountId, bigint>()
  const settledPositions = new Map<AccountId, number>()

  const place = (book: Book, account: AccountId, order: TradeOrder, nowMs: number): boolean => {
    const r = trade(book, account, order, rules, ledger, nowMs, held)
    if (r.kind === 'refused') {
      refusals[r.error.code] = (refusals[r.error.code] ?? 0) + 1
      return false
    }
    fills++
    return true
  }

  const hours = runHours(params)
  for (let hour = 0; hour <= hours; hour++) {
    const nowMs = hour * HOUR_MS

    // Markets open for the posts of the past hour (the candidate policy opens one for every post here).
    while (nextPost < posts.length && posts[nextPost]!.createdAtMs < nowMs) {
      const post = posts[nextPost++]!
      const book = openBook({
        id: post.id,
        postId: post.id,
        createdAtMs: post.createdAtMs,
        closesAtMs: post.createdAtMs + windowMs,
        liquidityMicro: b,
      })
      ledger.move(TREASURY, escrowOf(book.id), maxLossMicro(b), 'market_subsidy')
      books.set(book.id, book)
      live.push(book)
    }

    for (const book of live) {
      if (book.status === 'open' && book.closesAtMs <= nowMs) {
        book.status = 'closed'
        const o = outcomeOf(book.postId)
        o.closePrice = price(book.state, 'yes')
        const r = toRankable(book, params.ranking.leaveOut)
        o.closeRobustPrice = r.traderCount >= ranking.minTraders ? robustPrice(r) : ranking.priorPrice
        o.tradeCount = book.tradeCount
        o.traderCount = book.positions.size
      }
    }

    if (hour > 0 && hour % 24 === 0) {
      const due = live.filter((bk) => bk.status === 'closed')
      if (due.length > 0) {
        rounds++
        runJuryRound(due, juryRng)
        for (const bk of due) live.splice(live.indexOf(bk), 1)
      }
    }

    // The feed for this hour, and what readers see of it.
    const rankable = live
      .filter((bk) => bk.status === 'open')
      .map((bk) => toRankable(bk, params.ranking.leaveOut))
    const feed = rankMarkets(rankable, nowMs, ranking, params.ranking.depth, rankRng.uint32())
    const explored = new Set(feed.explorationRanks)
    let low = 0
    let attackerImpr = 0
    let total = 0
    let ageHours = 0
    feed.postIds.forEach((postId, rank) => {
      // Expected impressions: readers x the chance a reader's eye reaches this position.
      const n = params.readers.perHour * attention(rank, params.readers.attentionHalfLifeRanks)
      const o = outcomeOf(postId)
      o.impressions += n
      o.hoursInTop++
      if (explored.has(rank)) o.explorationImpressions += n
      const post = byId.get(postId)!
      total += n
      ageHours += (n * (nowMs - post.createdAtMs)) / HOUR_MS
      if (post.quality < 0.5) low += n
      if (post.author === 'attacker') attackerImpr += n
    })
    hourly.push({ hour, total, low, attacker: attackerImpr, ageHours })

    // Everyone acts, in a shuffled order: honest looks and the attacker's pushes interleave.
    const open = live.filter((bk) => bk.status === 'open')
    if (open.length > 0) {
      const actions: (() => void)[] = []
      const recent = open.filter((bk) => nowMs - bk.createdAtMs <= params.curators.discoveryHours * HOUR_MS)
      const feedBooks = feed.postIds.map((id) => books.get(id)!)
      for (const c of curators) {
        if (!actRng.chance(params.curators.activePerHour)) continue
        for (let k = 0; k < params.curators.looksPerVisit; k++) {
          const book = pickLook(recent, feedBooks, actRng, { ...params.curators, ...params.readers })
          if (book) actions.push(() => honestLook(c, book, nowMs))
        }
      }
      if (attackerAccounts.length > 0) {
        for (const bk of open) {
          if (byId.get(bk.postId)!.author === 'attacker') actions.push(() => attackerPush(bk, nowMs, hour))
        }
      }
      shuffle(actions, actRng)
      for (const act of actions) act()
    }

    final = ledger.checkConservation()
  }
  // Every measured post's market must have settled (later ones, the background that keeps the feed full, may not).
  const lastMeasured = params.world.postingHours * HOUR_MS
  const unsettled = live.filter((bk) => bk.createdAtMs < lastMeasured)
  if (unsettled.length > 0)
    throw new Error(`${unsettled.length} measured markets never settled: lengthen the run`)
  if (ledger.balance(TREASURY) < 0n) throw new Error('treasury overdrawn')

  return {
    posts: outcomes,
    hourly,
    attacker: {
      accounts: attackerAccounts.length,
      endowmentMicro: attackerEndowment,
      finalMicro: attackerAccounts.reduce((s, a) => s + ledger.balance(a), 0n),
    },
    curators: curators.map((c) => ({
      noise: c.noise,
      realizedMicro: realized.get(c.account) ?? 0n,
      settledPositions: settledPositions.get(c.account) ?? 0,
    })),
    forecasts,
    jury: { rounds, votesPerSampled, roundSizes },
    trades: { fills, refusals, attackerFills },
    ledger: {
      checks: ledger.checks,
      entries: ledger.entries,
      mintedMicro: ledger.minted,
      marketMakerLossMicro,
      final,
    },
  }

  function honestLook(c: Curator, book: Book, nowMs: number): void {
    if (book.status !== 'open') return
    const post = byId.get(book.postId)!
    const belief = beliefFromSignal(perceive(params.seed, 'curator', c.index, post, c.noise), c.noise)
    const style = params.curators
    const trader = traderOf(book, c.account, ledger, held)
    const market = { marketId: book.id, state: book.state, traderCount: book.positions.size, trader, rules }
    const order = decideCurator(style, market, belief)
    if (!order) return
    const target = curatorTarget(style, market, belief)
    if (place(book, c.account, order, nowMs))
      forecasts.push({ curator: c.index, postId: post.id, forecast: target })
  }

  /**
   * The attacker knows the ranking's public rules: it first gets the market past the trader minimum with small
   * buys from distinct accounts, then buys YES from account after account until the robust price (the market
   * without its largest position) reaches its target, each account up to the position cap.
   */
  /** The whale goes first (it can afford to lose); the farm's accounts take turns, from a different one each hour. */
  function attackerOrder(k: number, hour: number): AccountId {
    const hasWhale = attackerAccounts[0] === 'whale'
    if (hasWhale && k === 0) return 'whale'
    const farm = attackerAccounts.length - (hasWhale ? 1 : 0)
    const offset = hasWhale ? 1 : 0
    return attackerAccounts[offset + ((hour + k - offset) % farm)]!
  }

  function attackerPush(book: Book, nowMs: number, hour: number): void {
    const n = attackerAccounts.length
    for (let k = 0; k < n; k++) {
      if (book.status !== 'open') return
      const account = attackerOrder(k, hour)
      const trader = traderOf(book, account, ledger, held)
      const r = toRankable(book, params.ranking.leaveOut)
      if (r.traderCount < ranking.minTraders && !book.positions.has(account)) {
        if (trader.balanceMicro >= MIN_ORDER_MICRO) {
          const order: TradeOrder = {
            marketId: book.id,
            side: 'buy',
            outcome: 'yes',
            amountMicro: MIN_ORDER_MICRO,
            limit: { kind: 'max_average_price', price: 1 },
          }
          if (place(book, account, order, nowMs)) attackerFills++
        }
        continue
      }
      const robust = robustPrice(r)
      if (r.traderCount >= ranking.minTraders && robust >= params.attacker.pushTo) return
      const lead = Math.log(robust / (1 - robust))
      const order = planOrder({
        marketId: book.id,
        state: book.state,
        trader,
        target: params.attacker.pushTo,
        lead,
        budgetMicro: trader.balanceMicro,
        rules,
        edge: 0,
        maxAveragePrice: 1,
      })
      if (order && order.side === 'buy' && place(book, account, order, nowMs)) attackerFills++
    }
  }

  function runJuryRound(due: readonly Book[], r: Rng): void {
    const hex32 = () =>
      `0x${Array.from({ length: 8 }, () => r.uint32().toString(16).padStart(8, '0')).join('')}` as const
    const { mixedSeed, probabilities, sampled } = sampleRound(
      hex32(),
      hex32(),
      due.map((bk) => ({ marketId: bk.id, impressions: outcomeOf(bk.postId).impressions })),
      params.jury,
    )
    const sampledPosts = due.filter((bk) => sampled.has(bk.id)).map((bk) => byId.get(bk.postId)!)
    const ballots = castBallots(sampledPosts, jurors, r, mixedSeed, rounds)
    roundSizes.push({ sampled: sampledPosts.length, ballots: ballots.length })
    const tallies = tallyRound(
      sampledPosts.map((p) => p.id),
      ballots,
      params.jury.quorum,
    )
    for (const bk of due) {
      const o = outcomeOf(bk.postId)
      o.eligible = true
      o.sampleProbability = probabilities.get(bk.id) ?? 0
      o.sampled = sampled.has(bk.id)
      let verdict: 'yes' | 'no' | 'void' | 'unsampled' = 'unsampled'
      if (o.sampled) {
        const t = tallies.get(bk.postId)!
        o.votes = { endorse: t.endorse, reject: t.reject, abstain: t.abstain }
        o.verdict = t.verdict
        votesPerSampled.push(t.endorse + t.reject)
        verdict = t.verdict === 'endorse' ? 'yes' : t.verdict === 'reject' ? 'no' : 'void'
      }
      const { resolution } = resolveVerdict(verdict)
      o.resolution = resolution
      settle(bk, resolution)
    }
  }

  /**
   * Every participating juror's ballot for the round: post URI -> vote, for the posts it judged. Which posts: the
   * production assignment (`assignBallotPosts`: the `postsPerBallot` posts a hash of the mixed seed and the juror's
   * round nullifier picks). Under 'free' the cartel ignores it and votes on every attacker post (what the server
   * allowed before assignment), filling the rest of its ballot from its assignment; nobody else has a reason to
   * choose, so they judge what they are assigned in both modes.
   */
  function castBallots(
    sampled: readonly Post[],
    all: readonly Juror[],
    r: Rng,
    mixedSeed: `0x${string}`,
    round: number,
  ): Map<string, Vote>[] {
    const ballots: Map<string, Vote>[] = []
    if (sampled.length === 0) return ballots
    const k = params.jury.postsPerBallot
    const ids = sampled.map((p) => p.id)
    for (const juror of all) {
      if (juror.kind !== 'cartel' && !r.chance(params.jury.participation)) continue
      const nullifier = simNullifier(params.seed, round, juror.index)
      let assigned: number[]
      if (juror.kind === 'cartel' && params.jury.assignment === 'free') {
        const mine = sampled.filter((p) => p.author === 'attacker').map((p) => p.id)
        const rest = sampled.filter((p) => p.author !== 'attacker').map((p) => p.id)
        assigned = [
          ...mine,
          ...(k > mine.length ? assignedPostIds(mixedSeed, nullifier, rest, k - mine.length) : []),
        ]
      } else {
        assigned = assignedPostIds(mixedSeed, nullifier, ids, k)
      }
      const ballot = new Map<string, Vote>()
      for (const postId of assigned) {
        const post = byId.get(postId)!
        let vote: Vote
        if (juror.kind === 'cartel' && post.author === 'attacker') vote = 'endorse'
        else if (juror.kind === 'lazy') vote = r.chance(0.5) ? 'endorse' : 'reject'
        else
          vote =
            perceive(params.seed, 'juror', juror.index, post, params.jury.noise) >= 0.5 ? 'endorse' : 'reject'
        ballot.set(postUri(post.id), vote)
      }
      ballots.push(ballot)
    }
    return ballots
  }

  function settle(book: Book, resolution: Resolution): void {
    const escrow = escrowOf(book.id)
    const positions = [...book.positions].map(([account, p]) => ({
      account,
      ...p,
      balanceMicro: ledger.balance(account),
    }))
    const { plan, transfers } = settleMarket(book.id, ledger.balance(escrow), positions, resolution)
    // Clawbacks first: they fund the refunds (the order production's ledger entries are written in).
    for (const t of transfers)
      if (t.amountMicro < 0n) ledger.move(t.account, escrow, -t.amountMicro, 'settlement_refund')
    for (const t of transfers) {
      if (t.amountMicro > 0n) {
        ledger.move(
          escrow,
          t.account,
          t.amountMicro,
          resolution === 'void' ? 'settlement_refund' : 'settlement_payout',
        )
      }
    }
    ledger.move(escrow, TREASURY, plan.remainderMicro, 'settlement_remainder')
    marketMakerLossMicro += maxLossMicro(book.state.b) - plan.remainderMicro
    const moved = new Map<AccountId, bigint>()
    for (const t of transfers) moved.set(t.account, (moved.get(t.account) ?? 0n) + t.amountMicro)
    for (const p of positions) {
      const profit = (moved.get(p.account) ?? 0n) - (p.spentMicro - p.receivedMicro)
      realized.set(p.account, (realized.get(p.account) ?? 0n) + profit)
      settledPositions.set(p.account, (settledPositions.get(p.account) ?? 0) + 1)
      // Settled, the book holds nothing back (a void clawed the profit back, a verdict freed it).
      const release = heldProceeds(p)
      if (release > 0n) held.set(p.account, held.get(p.account)! - release)
    }
    if (ledger.balance(escrow) !== 0n)
      throw new Error(`escrow ${book.id} left with ${ledger.balance(escrow)}`)
    book.status = resolution === 'void' ? 'void' : 'settled'
  }
}

function shuffle<T>(items: T[], r: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = r.int(i + 1)
    const t = items[i]!
    items[i] = items[j]!
    items[j] = t
  }
}
