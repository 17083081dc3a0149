import { z } from 'zod'
import { FEED_PAGE_SIZE } from '../lib/feed-types'

/** The reader's page asks for FEED_PAGE_SIZE; other clients may ask for a little more. */
export const FEED_PAGE_SIZE_MAX = 50

const querySchema = z.object({
  // Cursors are short (`<snapshot>:<offset>`); anything long is not one of ours and is refused before any work.
  cursor: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(FEED_PAGE_SIZE_MAX).default(FEED_PAGE_SIZE),
})

export type FeedQuery = z.infer<typeof querySchema>

/** `?cursor=&limit=` -> a validated query, or a message saying what is wrong with it. */
export function parseFeedQuery(
  params: URLSearchParams,
): { ok: true; query: FeedQuery } | { ok: false; message: string } {
  const raw = {
    cursor: params.get('cursor') || undefined,
    limit: params.get('limit') || undefined,
  }
  const parsed = querySchema.safeParse(raw)
  if (parsed.success) return { ok: true, query: parsed.data }
  const issue = parsed.error.issues[0]
  return {
    ok: false,
    message: `Invalid ${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'bad value'}`,
  }
}
