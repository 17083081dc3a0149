import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { ProvingStatus } from '../components/jury/proving-parts'

/**
 * While a ballot or a claim is proved, the status line's live region holds the phase alone: the clock that ticks
 * every 100 ms and the download's percentage are beside it, so a screen reader announces phase changes only.
 */

function render(phase: 'artifacts' | 'group' | 'prove', bytes: { loaded: number; total: number } | null) {
  return renderToStaticMarkup(
    createElement(ProvingStatus, {
      progress: { phase } as Parameters<typeof ProvingStatus>[0]['progress'],
      startedAt: 0,
      bytes,
      testId: 'ballot-status',
      barLabel: 'Ballot progress',
    }),
  )
}

/** The text of every role="status" region in the markup. */
function liveText(html: string): string[] {
  return [...html.matchAll(/<(\w+)[^>]*role="status"[^>]*>(.*?)<\/\1>/g)].map(([, , inner]) =>
    inner!.replace(/<[^>]+>/g, '').replaceAll('&#x27;', "'"),
  )
}

describe('the proving status line', () => {
  it('announces the phase, not the clock or the download percentage', () => {
    const downloading = render('artifacts', { loaded: 512, total: 1024 })
    expect(liveText(downloading)).toEqual(['Downloading the prover files…'])
    // Both are still on screen, outside the live region.
    expect(downloading).toContain('50%')
    expect(downloading).toMatch(/0\.0 s/)
    expect(liveText(render('group', null))).toEqual(["Rebuilding the jury's tree from every member…"])
    expect(liveText(render('prove', null))).toEqual(['Proving you are a juror, without saying which one…'])
  })
})
