import AxeBuilder from '@axe-core/playwright'
import { expect, type Page } from '@playwright/test'

/**
 * axe-core's serious and critical violations of WCAG 2.1 A and AA on the page as it stands, one line per rule with
 * the elements that break it (and, for contrast, the colours axe measured), so a failure says what to fix.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze()
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      const nodes = v.nodes.map((n) => {
        const data = n.any[0]?.data as
          { fgColor?: string; bgColor?: string; contrastRatio?: number } | undefined
        const colours = data?.contrastRatio
          ? ` ${data.fgColor} on ${data.bgColor} = ${data.contrastRatio}:1`
          : ''
        return `${n.target.join(' ')}: ${n.html.slice(0, 120)}${colours}`
      })
      return `${v.id} (${v.impact}): ${v.help}\n    ${nodes.join('\n    ')}`
    })
}

/** Fails the test when the page has a serious or critical accessibility violation. */
export async function expectAccessible(page: Page): Promise<void> {
  const found = await accessibilityViolations(page)
  expect(found, `${page.url()}\n${found.join('\n')}`).toEqual([])
}
