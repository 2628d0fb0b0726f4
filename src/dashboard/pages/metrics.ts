/**
 * Metrics: the last minutes of the node's figures, one chart each, from
 * the metrics' history (sampled whether or not the page is open). Each
 * chart element carries its data as JSON (`data-series`) for the `Chart`
 * hook; the table under it gives the last, lowest and highest values.
 */
import { each } from '../../live/comprehension.ts'
import { html } from '../../live/html.ts'
import type { HistorySeries, HistorySnapshot } from '../../metrics/index.ts'
import { num } from '../format.ts'
import type { PageSpec } from '../page.ts'

interface ChartSpec {
  readonly id: string
  readonly title: string
  readonly unit: string
  readonly series: readonly { readonly key: HistorySeries; readonly label: string }[]
}

const CHARTS: readonly ChartSpec[] = [
  {
    id: 'connections',
    title: 'Connections',
    unit: '',
    series: [
      { key: 'sockets', label: 'sockets' },
      { key: 'channels', label: 'channels' },
      { key: 'liveViews', label: 'LiveViews' },
    ],
  },
  {
    id: 'messages',
    title: 'Messages',
    unit: '/s',
    series: [
      { key: 'messagesInPerSecond', label: 'in' },
      { key: 'messagesOutPerSecond', label: 'out' },
    ],
  },
  {
    id: 'activity',
    title: 'Joins, broadcasts, restarts',
    unit: '/s',
    series: [
      { key: 'joinsPerSecond', label: 'joins' },
      { key: 'broadcastsPerSecond', label: 'broadcasts' },
      { key: 'restartsPerSecond', label: 'restarts' },
    ],
  },
  {
    id: 'loop',
    title: 'Event loop delay, p99',
    unit: 'ms',
    series: [{ key: 'loopDelayP99Ms', label: 'p99' }],
  },
  {
    id: 'memory',
    title: 'Memory',
    unit: 'MiB',
    series: [
      { key: 'heapUsedMb', label: 'heap used' },
      { key: 'rssMb', label: 'resident' },
    ],
  },
  {
    id: 'processes',
    title: 'Processes and presences',
    unit: '',
    series: [
      { key: 'processes', label: 'processes' },
      { key: 'presences', label: 'presences' },
    ],
  },
]

interface Chart extends ChartSpec {
  readonly data: string
  readonly rows: { label: string; last: number; min: number; max: number }[]
}

export const metrics: PageSpec<{ charts: Chart[]; seconds: number }> = {
  path: 'metrics',
  title: 'Metrics',
  load({ metrics: m }) {
    const snapshot = m.history.snapshot()
    const span =
      snapshot.times.length < 2
        ? 0
        : ((snapshot.times.at(-1) ?? 0) - (snapshot.times[0] ?? 0)) / 1000
    return { charts: CHARTS.map((chart) => chartOf(chart, snapshot)), seconds: Math.round(span) }
  },
  render: (
    d,
  ) => html`<p>The last <span id="history-seconds">${d.seconds}</span> s, one sample per interval.</p>
<div class="charts">${each(
    d.charts,
    (c) => c.id,
    (c) => html`<figure class="chart-card" id=${`chart-${c.id}`}>
  <figcaption>${c.title}${c.unit === '' ? '' : ` (${c.unit})`}</figcaption>
  <div class="chart" id=${`plot-${c.id}`} phx-hook="Chart" data-series=${c.data}><div class="plot" id=${`plot-${c.id}-canvas`} phx-update="ignore"></div></div>
  <table><thead><tr><th></th><th>last</th><th>min</th><th>max</th></tr></thead><tbody>${each(
    c.rows,
    (r) => r.label,
    (r) =>
      html`<tr data-series=${r.label}><td>${r.label}</td><td class="last">${num(r.last)}</td><td>${num(r.min)}</td><td>${num(r.max)}</td></tr>`,
  )}</tbody></table>
</figure>`,
  )}</div>`,
}

function chartOf(chart: ChartSpec, snapshot: HistorySnapshot): Chart {
  const columns = chart.series.map((s) => snapshot.series[s.key] ?? [])
  const data = JSON.stringify({
    labels: chart.series.map((s) => s.label),
    times: snapshot.times.map((t) => Math.round(t / 1000)),
    values: columns.map((col) => col.map((v) => Math.round(v * 100) / 100)),
  })
  const rows = chart.series.map((s, i) => {
    const col = columns[i] ?? []
    return {
      label: s.label,
      last: col.at(-1) ?? 0,
      min: col.length === 0 ? 0 : Math.min(...col),
      max: col.length === 0 ? 0 : Math.max(...col),
    }
  })
  return { ...chart, data, rows }
}
