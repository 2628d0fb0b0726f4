/**
 * The Prometheus text exposition format, version 0.0.4: `# HELP` and
 * `# TYPE` lines, then one line per sample, `name{label="value"} number`.
 * Histograms write cumulative `_bucket{le="…"}` samples up to `+Inf`, then
 * `_sum` and `_count`.
 */
import type { Family, Labels, Series } from './registry.ts'

/** The content type of the format (what `/metrics` answers with). */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/** One family: its header and its samples. A family with no series writes its header only. */
export function formatFamily(family: Family, constLabels: Labels): string {
  let out = `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`
  for (const series of family.all) {
    const labels = { ...constLabels, ...series.labels }
    if (family.type === 'histogram') out += histogramLines(family, series, labels)
    else out += sample(family.name, labels, series.value)
  }
  return out
}

function histogramLines(family: Family, series: Series, labels: Labels): string {
  const bounds = (family as Family & { bounds: readonly number[] }).bounds
  let out = ''
  bounds.forEach((bound, i) => {
    out += sample(
      `${family.name}_bucket`,
      { ...labels, le: number(bound) },
      series.buckets?.[i] ?? 0,
    )
  })
  out += sample(`${family.name}_bucket`, { ...labels, le: '+Inf' }, series.value)
  out += sample(`${family.name}_sum`, labels, series.sum ?? 0)
  out += sample(`${family.name}_count`, labels, series.value)
  return out
}

function sample(name: string, labels: Labels, value: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`)
  return `${name}${pairs.length === 0 ? '' : `{${pairs.join(',')}}`} ${number(value)}\n`
}

/** A sample value: Go's float syntax for the infinities and NaN. */
export function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Number.POSITIVE_INFINITY) return '+Inf'
  if (value === Number.NEGATIVE_INFINITY) return '-Inf'
  return String(value)
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}
