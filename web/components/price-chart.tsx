'use client'

import { useEffect, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { formatPercent } from '../lib/credits'
import { formatAbsoluteTime } from '../lib/format'
import type { PricePoint } from '../lib/market-types'

const HEIGHT = 200
const MIN_SPAN_S = 10
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const

/**
 * Tick labels in UTC (uPlot's defaults are local and 12-hour): `14:05:30` within ten minutes, `14:05` within two
 * days, `Nov 21` beyond.
 */
function timeLabels(splits: number[], spanS: number): string[] {
  const two = (n: number) => String(n).padStart(2, '0')
  return splits.map((s) => {
    const d = new Date(s * 1000)
    if (spanS > 2 * 86_400) return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`
    const hm = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`
    return spanS > 600 ? hm : `${hm}:${two(d.getUTCSeconds())}`
  })
}

/**
 * The YES price over the market's life, as steps (the price holds between trades), drawn with uPlot on a canvas.
 * The canvas is one image to assistive technology, labelled with the story it tells; the trade list below it is
 * the same data as text. Times are UTC like the rest of the site.
 */
export function PriceChart({
  points,
  nowMs,
  closesAtMs,
}: {
  points: PricePoint[]
  nowMs: number
  closesAtMs: number
}) {
  const box = useRef<HTMLDivElement>(null)
  const readout = useRef<HTMLParagraphElement>(null)
  const first = points[0]
  const last = points[points.length - 1]
  const trades = Math.max(0, points.length - 1)
  const summary =
    first && last
      ? `YES price over time: ${formatPercent(first.yesPrice)} at opening, ${formatPercent(last.yesPrice)} now, after ${trades} ${trades === 1 ? 'trade' : 'trades'}.`
      : 'No price history yet.'

  useEffect(() => {
    const el = box.current
    if (!el || points.length === 0) return
    // The line runs on to now (or to the close): the price holds until someone trades.
    const endMs = Math.max(points[points.length - 1]!.atMs, Math.min(nowMs, closesAtMs))
    const xs = [...points.map((p) => p.atMs / 1000), endMs / 1000]
    const ys = [...points.map((p) => p.yesPrice * 100), points[points.length - 1]!.yesPrice * 100]
    const dark = window.matchMedia('(prefers-color-scheme: dark)').matches
    const axis = {
      stroke: dark ? '#a1a1aa' : '#71717a',
      grid: { stroke: dark ? '#27272a' : '#e4e4e7', width: 1 },
      ticks: { show: false },
      font: '12px ui-sans-serif, system-ui, sans-serif',
    }
    const chart = new uPlot(
      {
        width: Math.max(240, el.clientWidth),
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { size: 7 } },
        scales: {
          // At least ten seconds wide: a market opened a moment ago should not be drawn on a millisecond axis.
          x: { time: true, range: (_u, min, max) => [min, Math.max(max, min + MIN_SPAN_S)] },
          y: { range: [0, 100] },
        },
        axes: [
          {
            ...axis,
            // Room for a whole `14:05:30` between ticks.
            space: 80,
            values: (u, splits) => timeLabels(splits, (u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0)),
          },
          { ...axis, size: 46, values: (_u, splits) => splits.map((v) => `${v}%`) },
        ],
        series: [
          {},
          {
            label: 'YES',
            stroke: '#059669',
            width: 2,
            fill: dark ? 'rgba(16, 185, 129, 0.12)' : 'rgba(16, 185, 129, 0.08)',
            paths: uPlot.paths.stepped?.({ align: 1 }),
            points: { show: false },
          },
        ],
        hooks: {
          setCursor: [
            (u) => {
              const out = readout.current
              const i = u.cursor.idx
              if (!out) return
              const x = i === null || i === undefined ? undefined : u.data[0][i]
              const y = i === null || i === undefined ? undefined : u.data[1]?.[i]
              out.textContent =
                x === undefined || y === undefined || y === null
                  ? ''
                  : `${formatPercent(y / 100)} YES · ${formatAbsoluteTime(new Date(x * 1000).toISOString())}`
            },
          ],
        },
      },
      [xs, ys],
      el,
    )
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(240, el.clientWidth), height: HEIGHT }),
    )
    resize.observe(el)
    return () => {
      resize.disconnect()
      chart.destroy()
    }
  }, [points, nowMs, closesAtMs])

  return (
    <figure className="mt-4">
      <div
        ref={box}
        role="img"
        aria-label={summary}
        data-testid="price-chart"
        data-last-price={last ? last.yesPrice.toFixed(6) : ''}
        data-points={points.length}
        className="w-full overflow-hidden"
        style={{ minHeight: HEIGHT }}
      />
      <figcaption className="mt-1 flex justify-between gap-2 text-xs text-zinc-600 dark:text-zinc-400">
        <span>YES price, UTC</span>
        <p ref={readout} aria-hidden="true" className="tabular-nums" />
      </figcaption>
    </figure>
  )
}
