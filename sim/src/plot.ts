/**
 * Plots for the report: SVG built here by hand (line charts and grouped bars, linear or log axes), rasterised to
 * PNG by resvg (Rust, no browser). Text uses DejaVu Sans if the machine has it, any sans-serif otherwise.
 */
import { Resvg } from '@resvg/resvg-js'

export interface Series {
  name: string
  points: { x: number; y: number }[]
  dashed?: boolean
}

export interface LineChart {
  title: string
  xLabel: string
  yLabel: string
  series: Series[]
  xLog?: boolean
  yLog?: boolean
  /** Horizontal reference lines (targets). */
  hLines?: { y: number; label: string }[]
  /** Draw the x = y diagonal (calibration charts). */
  diagonal?: boolean
  yMin?: number
  yMax?: number
  /** Tick labels for x at exactly these values (categorical sweeps). */
  xTicks?: { x: number; label: string }[]
}

export interface BarChart {
  title: string
  yLabel: string
  groups: string[]
  series: { name: string; values: number[] }[]
  hLines?: { y: number; label: string }[]
  yMax?: number
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f']
const W = 760
const H = 440
const M = { left: 78, right: 190, top: 46, bottom: 64 }
const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif'

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function fmt(v: number): string {
  if (v === 0) return '0'
  const a = Math.abs(v)
  if (a >= 10_000) return `${(v / 1000).toFixed(0)}k`
  if (a >= 1000) return `${(v / 1000).toFixed(1)}k`
  if (a >= 10) return v.toFixed(0)
  if (a >= 1) return v.toFixed(1)
  if (a >= 0.01) return v.toFixed(2)
  return v.toExponential(0)
}

function niceTicks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo || 1
  const step0 = span / n
  const mag = Math.pow(10, Math.floor(Math.log10(step0)))
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => span / s <= n) ?? 10 * mag
  const out: number[] = []
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)))
  return out
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = []
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    const v = Math.pow(10, e)
    if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v)
  }
  return out.length >= 2 ? out : [lo, hi]
}

function frame(title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}">
<rect width="${W}" height="${H}" fill="#ffffff"/>
<text x="${M.left}" y="26" font-size="16" font-weight="bold" fill="#222">${esc(title)}</text>
${body}
</svg>`
}

function legend(names: { name: string; color: string; dashed?: boolean }[]): string {
  const x = W - M.right + 16
  return names
    .map((s, i) => {
      const y = M.top + 10 + i * 22
      return `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>
<text x="${x + 28}" y="${y + 4}" font-size="12" fill="#222">${esc(s.name)}</text>`
    })
    .join('\n')
}

export function lineChartSvg(c: LineChart): string {
  const pw = W - M.left - M.right
  const ph = H - M.top - M.bottom
  const finite = c.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
  const xs = finite.map((p) => p.x)
  const ys = finite.map((p) => p.y).concat((c.hLines ?? []).map((h) => h.y))
  let xLo = Math.min(...xs)
  let xHi = Math.max(...xs)
  let yLo = c.yMin ?? (c.yLog ? Math.min(...ys.filter((y) => y > 0)) : Math.min(0, ...ys))
  let yHi = c.yMax ?? Math.max(...ys)
  if (c.yLog) {
    yLo = Math.pow(10, Math.floor(Math.log10(yLo)))
    yHi = Math.pow(10, Math.ceil(Math.log10(yHi)))
  } else if (c.yMax === undefined) yHi = yHi + (yHi - yLo) * 0.08 || 1
  if (xLo === xHi) {
    xLo -= 1
    xHi += 1
  }
  const tx = (x: number) =>
    M.left +
    (c.xLog ? (Math.log(x) - Math.log(xLo)) / (Math.log(xHi) - Math.log(xLo)) : (x - xLo) / (xHi - xLo)) * pw
  const ty = (y: number) => {
    const v = c.yLog
      ? (Math.log(Math.max(y, yLo)) - Math.log(yLo)) / (Math.log(yHi) - Math.log(yLo))
      : (y - yLo) / (yHi - yLo)
    return M.top + ph - Math.min(1.02, Math.max(-0.02, v)) * ph
  }
  const parts: string[] = []
  const yTicks = c.yLog ? logTicks(yLo, yHi) : niceTicks(yLo, yHi)
  for (const v of yTicks) {
    parts.push(
      `<line x1="${M.left}" y1="${ty(v)}" x2="${M.left + pw}" y2="${ty(v)}" stroke="#e5e5e5"/><text x="${M.left - 8}" y="${ty(v) + 4}" font-size="11" text-anchor="end" fill="#444">${fmt(v)}</text>`,
    )
  }
  const xTicks =
    c.xTicks ??
    (c.xLog
      ? [...new Set(xs)].sort((a, b) => a - b).map((x) => ({ x, label: fmt(x) }))
      : niceTicks(xLo, xHi).map((x) => ({ x, label: fmt(x) })))
  for (const t of xTicks) {
    parts.push(
      `<line x1="${tx(t.x)}" y1="${M.top + ph}" x2="${tx(t.x)}" y2="${M.top + ph + 5}" stroke="#444"/><text x="${tx(t.x)}" y="${M.top + ph + 19}" font-size="11" text-anchor="middle" fill="#444">${esc(t.label)}</text>`,
    )
  }
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`)
  if (c.diagonal) {
    parts.push(
      `<line x1="${tx(Math.max(xLo, yLo))}" y1="${ty(Math.max(xLo, yLo))}" x2="${tx(Math.min(xHi, yHi))}" y2="${ty(Math.min(xHi, yHi))}" stroke="#aaa" stroke-dasharray="4 4"/>`,
    )
  }
  for (const h of c.hLines ?? []) {
    parts.push(
      `<line x1="${M.left}" y1="${ty(h.y)}" x2="${M.left + pw}" y2="${ty(h.y)}" stroke="#444" stroke-dasharray="8 4"/><text x="${M.left + pw - 4}" y="${ty(h.y) - 5}" font-size="11" text-anchor="end" fill="#444">${esc(h.label)}</text>`,
    )
  }
  c.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!c.yLog || p.y > 0))
    if (pts.length === 0) return
    const d = pts.map((p, k) => `${k === 0 ? 'M' : 'L'}${tx(p.x).toFixed(1)},${ty(p.y).toFixed(1)}`).join(' ')
    parts.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    )
    if (pts.length <= 30)
      for (const p of pts) parts.push(`<circle cx="${tx(p.x)}" cy="${ty(p.y)}" r="3.5" fill="${color}"/>`)
  })
  parts.push(
    `<text x="${M.left + pw / 2}" y="${H - 18}" font-size="13" text-anchor="middle" fill="#222">${esc(c.xLabel)}</text>`,
    `<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" font-size="13" text-anchor="middle" fill="#222">${esc(c.yLabel)}</text>`,
    legend(c.series.map((s, i) => ({ name: s.name, color: PALETTE[i % PALETTE.length]!, dashed: s.dashed }))),
  )
  return frame(c.title, parts.join('\n'))
}

export function barChartSvg(c: BarChart): string {
  const pw = W - M.left - M.right
  const ph = H - M.top - M.bottom - 30
  const all = c.series
    .flatMap((s) => s.values)
    .filter(Number.isFinite)
    .concat((c.hLines ?? []).map((h) => h.y))
  const yHi = c.yMax ?? Math.max(...all, 1e-9) * 1.1
  const ty = (y: number) => M.top + ph - (Math.min(y, yHi) / yHi) * ph
  const parts: string[] = []
  for (const v of niceTicks(0, yHi)) {
    parts.push(
      `<line x1="${M.left}" y1="${ty(v)}" x2="${M.left + pw}" y2="${ty(v)}" stroke="#e5e5e5"/><text x="${M.left - 8}" y="${ty(v) + 4}" font-size="11" text-anchor="end" fill="#444">${fmt(v)}</text>`,
    )
  }
  const gw = pw / c.groups.length
  const bw = (gw * 0.8) / c.series.length
  c.groups.forEach((g, gi) => {
    c.series.forEach((s, si) => {
      const v = s.values[gi] ?? 0
      if (!Number.isFinite(v)) return
      const x = M.left + gi * gw + gw * 0.1 + si * bw
      parts.push(
        `<rect x="${x}" y="${ty(v)}" width="${bw - 2}" height="${M.top + ph - ty(v)}" fill="${PALETTE[si % PALETTE.length]}"/>`,
      )
    })
    const cx = M.left + gi * gw + gw / 2
    parts.push(
      `<text transform="translate(${cx} ${M.top + ph + 14}) rotate(20)" font-size="11" fill="#222">${esc(g)}</text>`,
    )
  })
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`)
  for (const h of c.hLines ?? []) {
    parts.push(
      `<line x1="${M.left}" y1="${ty(h.y)}" x2="${M.left + pw}" y2="${ty(h.y)}" stroke="#444" stroke-dasharray="8 4"/><text x="${M.left + pw - 4}" y="${ty(h.y) - 5}" font-size="11" text-anchor="end" fill="#444">${esc(h.label)}</text>`,
    )
  }
  parts.push(
    `<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" font-size="13" text-anchor="middle" fill="#222">${esc(c.yLabel)}</text>`,
    legend(c.series.map((s, i) => ({ name: s.name, color: PALETTE[i % PALETTE.length]! }))),
  )
  return frame(c.title, parts.join('\n'))
}

export function svgToPng(svg: string): Buffer {
  const r = new Resvg(svg, {
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
  return r.render().asPng()
}
