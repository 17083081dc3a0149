/**
 * The candidate policy: which posts the indexer keeps, i.e. which posts may get a market (MECHANISM.md "Market
 * layer"). It is deliberately cheap and content-blind; quality is the market's and the jury's job. The engagement
 * threshold is not here: it needs counts that only exist after indexing, so ranking applies it.
 *
 * Pure: no I/O, no clock. List membership is data the indexer keeps up to date (ListMembership below); this file
 * only reads it.
 */
export interface CandidatePolicy {
  /**
   * DIDs whose posts are always candidates, replies included and whatever their language: an operator lists an
   * author to follow everything they write.
   */
  authors: ReadonlySet<string>
  /**
   * At-URIs of `app.bsky.graph.list` records (`CURIA_CANDIDATE_LISTS`). Whoever is on one of them is treated
   * exactly as a listed author: the operator curates the list in any Bluesky client instead of the environment.
   */
  lists: ReadonlySet<string>
  /**
   * Who is on `lists` right now: empty in a parsed config; the indexer puts its live ListMembership here, fed by
   * the lists' `app.bsky.graph.listitem` records as they stream in and by a backfill at start.
   *
   * Membership is judged when a post is indexed. A post indexed while its author was on a list stays (as does any
   * market opened on it) after the author leaves the list; a post indexed before its author joined a list is not
   * fetched again. Posts written after someone leaves are judged by the other rules only.
   */
  listMembers: { has(did: string): boolean }
  /**
   * Language tags (BCP-47) the feed is for. A post passes when one of its `langs` equals a listed tag or is a
   * subtag of it, case-insensitively: `en` admits `en`, `en-US`, `en-GB`; `pt-BR` admits only `pt-BR`.
   * Empty means every language.
   */
  langs: readonly string[]
  /**
   * Whether a post that declares no language passes a non-empty `langs`. Off by default: a post without `langs`
   * (third-party clients often omit it) is as likely to be in any language, and jurors can only judge posts in
   * the feed's languages.
   */
  allowUnknownLang: boolean
  /**
   * Whether replies are candidates. Off by default: a reply read alone in a feed lacks the conversation it
   * answers, so it is a poor thing to rank or judge.
   */
  includeReplies: boolean
}

/** The few facts about a post the policy looks at. */
export interface CandidateFacts {
  authorDid: string
  langs: readonly string[]
  isReply: boolean
}

export const DEFAULT_CANDIDATE_POLICY: CandidatePolicy = {
  authors: new Set(),
  lists: new Set(),
  listMembers: new Set(),
  langs: ['en'],
  allowUnknownLang: false,
  includeReplies: false,
}

export function isCandidatePost(post: CandidateFacts, policy: CandidatePolicy): boolean {
  if (policy.authors.has(post.authorDid) || policy.listMembers.has(post.authorDid)) return true
  if (post.isReply && !policy.includeReplies) return false
  return isWantedLanguage(post.langs, policy)
}

function isWantedLanguage(langs: readonly string[], policy: CandidatePolicy): boolean {
  if (policy.langs.length === 0) return true
  if (langs.length === 0) return policy.allowUnknownLang
  for (const lang of langs) {
    const tag = lang.toLowerCase()
    for (const wanted of policy.langs) {
      const w = wanted.toLowerCase()
      if (tag === w || (tag.startsWith(w) && tag.charCodeAt(w.length) === 45) /* '-' */) return true
    }
  }
  return false
}

/**
 * The members of the candidate lists, as the listitem records say: one entry per listitem URI, so the delete of an
 * item (which carries only its URI) removes exactly what its create added, and someone on two lists, or on one
 * list twice, stays a member until their last item goes.
 */
export class ListMembership {
  private readonly items = new Map<string, string>() // item URI -> subject DID
  private readonly counts = new Map<string, number>()

  has(did: string): boolean {
    return this.counts.has(did)
  }

  /** The number of distinct members. */
  get size(): number {
    return this.counts.size
  }

  /** Adds an item, or re-points one already known (an updated record). */
  set(itemUri: string, subjectDid: string): void {
    this.delete(itemUri)
    this.items.set(itemUri, subjectDid)
    this.counts.set(subjectDid, (this.counts.get(subjectDid) ?? 0) + 1)
  }

  delete(itemUri: string): void {
    const subjectDid = this.items.get(itemUri)
    if (subjectDid === undefined) return
    this.items.delete(itemUri)
    const left = (this.counts.get(subjectDid) ?? 1) - 1
    if (left > 0) this.counts.set(subjectDid, left)
    else this.counts.delete(subjectDid)
  }
}
