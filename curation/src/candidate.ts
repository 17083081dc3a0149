/**
 * The candidate policy: which posts the indexer keeps, i.e. which posts may get a market (MECHANISM.md "Market
 * layer"). It is deliberately cheap and content-blind; quality is the market's and the jury's job. The engagement
 * threshold is not here: it needs counts that only exist after indexing, so ranking applies it.
 *
 * Pure: no I/O, no clock.
 */
export interface CandidatePolicy {
  /**
   * DIDs whose posts are always candidates, replies included and whatever their language: an operator lists an
   * author to follow everything they write.
   */
  authors: ReadonlySet<string>
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
  langs: ['en'],
  allowUnknownLang: false,
  includeReplies: false,
}

export function isCandidatePost(post: CandidateFacts, policy: CandidatePolicy): boolean {
  if (policy.authors.has(post.authorDid)) return true
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
