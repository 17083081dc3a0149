import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { PostCard } from '../components/post-card'
import type { FeedPostView } from '../lib/feed-types'
import { postHeadingId } from '../lib/post-path'
import { postView } from './post-row'

/**
 * Post cards shown without a feed position (a ballot, a round's page) each name their own author: the id their
 * aria-labelledby points at is made from the post's URI, not one fixed id that every card on the page would share.
 */

const NOW = Date.parse('2026-03-01T12:00:00Z')

const post = (rkey: string, name: string): FeedPostView => postView(rkey, name)

/** Each card's accessible name: the text of the element its aria-labelledby names (the first with that id). */
function cardNames(html: string): string[] {
  return [...html.matchAll(/<article[^>]*aria-labelledby="([^"]+)"/g)].map(([, id]) => {
    const at = html.indexOf(`id="${id}"`)
    if (at < 0) return '(missing)'
    const element = html.slice(html.indexOf('>', at) + 1, html.indexOf('</a>', at))
    return element.replace(/<[^>]+>/g, '')
  })
}

describe('post cards on a page without feed positions', () => {
  it('each name their own author', () => {
    const html = renderToStaticMarkup(
      createElement(
        'div',
        null,
        ['3kaaa', '3kbbb', '3kccc'].map((rkey, i) =>
          createElement(PostCard, { key: rkey, post: post(rkey, ['Ada', 'Bo', 'Cy'][i]!), nowMs: NOW }),
        ),
      ),
    )
    const ids = [...html.matchAll(/aria-labelledby="([^"]+)"/g)].map((m) => m[1])
    expect(new Set(ids).size).toBe(3)
    expect(cardNames(html)).toEqual(['Ada', 'Bo', 'Cy'])
  })

  it('keep a feed’s positional ids, and make ids with no space from any URI, never the same for two', () => {
    expect(postHeadingId('at://did:plc:a/app.bsky.feed.post/3k', 4)).toBe('post-4-author')
    const odd = [
      'at://did:plc:a b/app.bsky.feed.post/x',
      'at://did:plc:a_20_b/app.bsky.feed.post/x',
      'at://é/"<',
    ]
    const made = odd.map((uri) => postHeadingId(uri))
    for (const id of made) expect(id).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(new Set(made).size).toBe(odd.length)
  })
})
