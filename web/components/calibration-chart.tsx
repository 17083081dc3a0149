'use client'

import { useEffect, useMemo, useRef } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { CalibrationBin } from '@curia/curation/settlement/skill'
import { formatPercent } from '../lib/credits'
import { binRange } from '../lib/curator'

const MAX_HEIGHT = 320
const MIN_WIDTH = 240

/**
 * Calibration: each non-empty forecast bin drawn at (mean forecast, share the jury endorsed), its dot's area
 * growing with its number of markets and labelled with that number, against the diagonal a perfectly calibrated
 * forecaster sits on. uPlot on a canvas, like the price chart; the canvas is one image to assistive technology and
 * the table beside it on the page holds the same figures as text.
 */
export function CalibrationChart({ bins }: { bins: CalibrationBin[] }) {
  const box = useRef<HTMLDivElement>(null)
  const readout = useRef<HTMLParagraphElement>(null)
  const filled = useMemo(
    () =>
      bins.filter(
        (b): b is CalibrationBin & { meanForecast: number; yesFrequency: number } =>
          b.count > 0 && b.meanForecast !== null && b.yesFrequency !== null,
      ),
    [bins],
  )
  const markets = filled.reduce((n, b) => n + b.count, 0)
  const summary = `Calibration: ${markets} ${markets === 1 ? 'market' : 'markets'} in ${filled.length} forecast ${
    filled.length === 1 ? 'range' : 'ranges'
  }, each at its mean forecast against the share the jury endorsed; the diagonal is perfect calibration. ${filled
    .map((b) => `${binRange(b)}: ${formatPercent(b.yesFrequency)} endorsed of ${b.count}.`)
    .join(' ')}`

  useEffect(() => {
    const el = box.current
    if (!el || filled.length === 0) return
    // One x axis for both series: the diagonal's ends and each bin's mean forecast, ascending and distinct.
    const byX = new Map<number, (typeof filled)[number]>()
    for (const b of filled) byX.set(b.meanForecast, b)
    const xs = [...new Set([0, 1, ...byX.keys()])].sort((a, b) => a - b)
    const observed = xs.map((x) => byX.get(x)?.yesFrequency ?? null)
    const largest = Math.max(...filled.map((b) => b.count))
    const dark = window.matchMedia('(prefers-color-scheme: dark)').matches
    const colours = {
      axis: dark ? '#a1a1aa' : '#71717a',
      grid: dark ? '#27272a' : '#e4e4e7',
      diagonal: dark ? '#52525b' : '#a1a1aa',
      dot: dark ? 'rgba(52, 211, 153, 0.55)' : 'rgba(5, 150, 105, 0.45)',
      dotEdge: dark ? '#34d399' : '#047857',
      label: dark ? '#e4e4e7' : '#18181b',
    }
    const axis = {
      stroke: colours.axis,
      grid: { stroke: colours.grid, width: 1 },
      ticks: { show: false },
      font: '12px ui-sans-serif, system-ui, sans-serif',
      labelFont: '12px ui-sans-serif, system-ui, sans-serif',
      labelSize: 20,
      splits: () => [0, 0.25, 0.5, 0.75, 1],
      values: (_u: uPlot, splits: number[]) => splits.map((v) => `${Math.round(v * 100)}%`),
    }
    /** Radius in CSS pixels: the dot's area grows with its count. */
    const radius = (count: number) => 5 + 11 * Math.sqrt(count / largest)
    const size = () => {
      const width = Math.max(MIN_WIDTH, el.clientWidth)
      // Square plotting area where there is room, so the diagonal runs at 45 degrees.
      return { width, height: Math.min(MAX_HEIGHT, width - 30) }
    }

    const chart = new uPlot(
      {
        ...size(),
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        // A margin past 0 and 1, so dots at the edges are drawn whole inside the plot.
        scales: { x: { time: false, range: [-0.04, 1.04] }, y: { range: [-0.06, 1.06] } },
        axes: [
          { ...axis, label: 'Forecast (YES)', size: 30 },
          { ...axis, label: 'Endorsed', size: 46 },
        ],
        series: [
          {},
          {
            label: 'Perfect calibration',
            stroke: colours.diagonal,
            width: 1.5,
            dash: [5, 5],
            points: { show: false },
            spanGaps: true,
          },
          // Drawn by the hook below (dots sized by count); the series only gives the cursor its values.
          { label: 'Endorsed', stroke: colours.dotEdge, paths: () => null, points: { show: false } },
        ],
        hooks: {
          draw: [
            (u) => {
              const ctx = u.ctx
              const px = uPlot.pxRatio
              const dots = filled.map((b) => ({
                b,
                cx: u.valToPos(b.meanForecast, 'x', true),
                cy: u.valToPos(b.yesFrequency, 'y', true),
                r: radius(b.count) * px,
              }))
              ctx.save()
              // The diagonal's dash would otherwise carry over to the dots' edges.
              ctx.setLineDash([])
              ctx.lineWidth = 1.5 * px
              // Largest first, so a small dot next to a big one stays visible on top; labels after every dot.
              for (const d of [...dots].sort((p, q) => q.b.count - p.b.count)) {
                ctx.beginPath()
                ctx.arc(d.cx, d.cy, d.r, 0, 2 * Math.PI)
                ctx.fillStyle = colours.dot
                ctx.fill()
                ctx.strokeStyle = colours.dotEdge
                ctx.stroke()
              }
              ctx.fillStyle = colours.label
              ctx.font = `600 ${11 * px}px ui-sans-serif, system-ui, sans-serif`
              ctx.textAlign = 'center'
              ctx.textBaseline = 'middle'
              for (const d of dots) {
                // Inside a big dot; above a small one, or below it when above would leave the plot.
                const inside = d.r >= 12 * px
                const above = d.cy - d.r - 8 * px >= u.bbox.top
                const dy = inside ? 0 : (above ? -1 : 1) * (d.r + 7 * px)
                ctx.fillText(String(d.b.count), d.cx, d.cy + dy)
              }
              ctx.restore()
            },
          ],
          setCursor: [
            (u) => {
              const out = readout.current
              if (!out) return
              const i = u.cursor.idx
              const x = i === null || i === undefined ? undefined : u.data[0][i]
              const b = x === undefined ? undefined : byX.get(x)
              out.textContent = b
                ? `Forecasts ${binRange(b)} (mean ${formatPercent(b.meanForecast)}): ${formatPercent(
                    b.yesFrequency,
                  )} endorsed of ${b.count}`
                : ''
            },
          ],
        },
      },
      [xs, xs, observed],
      el,
    )
    const resize = new ResizeObserver(() => chart.setSize(size()))
    resize.observe(el)
    return () => {
      resize.disconnect()
      chart.destroy()
    }
  }, [filled])

  return (
    <figure className="mt-3">
      <div
        ref={box}
        role="img"
        aria-label={summary}
        data-testid="calibration-chart"
        data-bins={filled.length}
        className="w-full overflow-hidden"
        style={{ minHeight: 200 }}
      />
      <figcaption className="mt-1 flex flex-wrap justify-between gap-x-3 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400">
        <span>Dots: forecast ranges, sized and labelled by markets. Dashed: perfect calibration.</span>
        <p ref={readout} aria-hidden="true" className="tabular-nums" />
      </figcaption>
    </figure>
  )
}
