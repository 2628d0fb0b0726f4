/**
 * Vega-Lite specifications for the bench charts, one small builder per kind
 * of chart (bars, grouped bars, lines). Pure data in, JSON out: no Vega here,
 * so the root tests can check them without bench/node_modules, and a new
 * scenario gets a chart by shaping its figures into one of these inputs
 * (bench/charts/catalog.ts).
 */

/** A Vega-Lite specification, as JSON. */
export type VlSpec = Record<string, unknown>

/** Title and subtitle lines: what was measured, then under which conditions. */
export interface Heading {
  readonly title: string
  readonly subtitle: readonly string[]
}

/** One bar: a category (a server), its value, optionally a group and the figures behind it. */
export interface Bar {
  readonly category: string
  readonly value: number
  /** For grouped bars: the group on the x axis (a population, a server). */
  readonly group?: string
  /** Every round's figure, drawn as dots over the bar (the bar is the one kept). */
  readonly rounds?: readonly number[]
}

/** One panel of horizontal bars, with its axis title (the unit goes there). */
export interface BarPanel {
  readonly axis: string
  readonly bars: readonly Bar[]
  /** d3-format of the value labels. */
  readonly format?: string
}

export interface Point {
  readonly series: string
  readonly x: number
  readonly y: number
}

/** Fixed colours per category, so a server keeps its colour from chart to chart. */
export const palette: Readonly<Record<string, string>> = {
  Cinder: '#d9480f',
  'Cinder :api': '#d9480f',
  'Cinder :browser': '#f08c00',
  'raw ws': '#868e96',
  'raw node:http': '#868e96',
  'raw node:http + Phoenix headers': '#adb5bd',
  'socket.io': '#1971c2',
  Fastify: '#1971c2',
}

const config = {
  background: 'white',
  padding: 12,
  font: 'Helvetica, Arial, sans-serif',
  title: { anchor: 'start', fontSize: 15, subtitleFontSize: 11, subtitleColor: '#555', offset: 12 },
  axis: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#eee' },
  legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal', orient: 'top' },
  view: { stroke: null },
}

function head(heading: Heading): VlSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: heading.title, subtitle: [...heading.subtitle] },
    config,
  }
}

/** A colour scale: the palette's colour for known categories, the default scheme otherwise. */
function colors(categories: readonly string[]): VlSpec {
  if (!categories.every((c) => c in palette)) return { domain: [...categories] }
  return { domain: [...categories], range: categories.map((c) => palette[c]) }
}

const unique = (values: readonly string[]) => [...new Set(values)]

/** Side-by-side panels of horizontal bars, one bar per category, value labels at the ends. */
export function barChart(heading: Heading, panels: readonly BarPanel[]): VlSpec {
  return {
    ...head(heading),
    hconcat: panels.map((panel) => {
      const categories = unique(panel.bars.map((b) => b.category))
      const y = { field: 'category', type: 'nominal', sort: categories, title: null }
      const x = { field: 'value', type: 'quantitative', title: panel.axis }
      const rounds = panel.bars.flatMap((b) =>
        (b.rounds ?? []).map((value) => ({ category: b.category, value })),
      )
      const layers: VlSpec[] = [
        {
          mark: { type: 'bar', height: { band: 0.7 } },
          encoding: { y, x, color: { field: 'category', scale: colors(categories), legend: null } },
        },
        {
          // Past the bar and past its rounds' dots, so neither hides the figure.
          mark: { type: 'text', align: 'left', dx: 6, fontSize: 12 },
          encoding: {
            y,
            x: { ...x, field: 'labelAt' },
            text: { field: 'value', format: panel.format ?? ',.0f' },
          },
        },
      ]
      if (rounds.length > 0)
        layers.push({
          data: { values: rounds },
          mark: { type: 'point', shape: 'diamond', filled: true, color: '#222', size: 40 },
          encoding: { y, x },
        })
      const values = panel.bars.map((b) => ({
        ...b,
        labelAt: Math.max(b.value, ...(b.rounds ?? [])),
      }))
      return { width: 300, data: { values }, layer: layers }
    }),
    resolve: { scale: { x: 'independent', y: 'shared' } },
  }
}

/** Vertical bars, one cluster per group, one bar per category in each (coloured, with a legend). */
export function groupedBarChart(
  heading: Heading,
  axes: { readonly x: string; readonly y: string; readonly legend: string },
  bars: readonly Bar[],
  format = ',.1f',
): VlSpec {
  const categories = unique(bars.map((b) => b.category))
  const groups = unique(bars.map((b) => b.group ?? ''))
  const x = {
    field: 'group',
    type: 'nominal',
    sort: groups,
    title: axes.x,
    axis: { labelAngle: 0 },
  }
  const xOffset = { field: 'category', sort: categories }
  const y = { field: 'value', type: 'quantitative', title: axes.y }
  return {
    ...head(heading),
    width: Math.max(260, groups.length * categories.length * 55),
    height: 260,
    data: { values: bars.map((b) => ({ ...b })) },
    layer: [
      {
        mark: 'bar',
        encoding: {
          x,
          xOffset,
          y,
          color: {
            field: 'category',
            sort: categories,
            scale: colors(categories),
            title: axes.legend,
          },
        },
      },
      {
        mark: { type: 'text', baseline: 'bottom', dy: -3, fontSize: 11 },
        encoding: { x, xOffset, y, text: { field: 'value', format } },
      },
    ],
  }
}

/** Lines with points, one per series; log axes for figures spanning decades; an optional limit line. */
export function lineChart(
  heading: Heading,
  axes: { readonly x: string; readonly y: string; readonly legend: string },
  points: readonly Point[],
  options: {
    readonly logX?: boolean
    readonly logY?: boolean
    readonly limit?: { readonly value: number; readonly label: string }
  } = {},
): VlSpec {
  const series = unique(points.map((p) => p.series))
  const xs = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b)
  const x = {
    field: 'x',
    type: 'quantitative',
    title: axes.x,
    scale: options.logX ? { type: 'log' } : {},
    axis: { values: xs, format: ',d' },
  }
  const y = {
    field: 'y',
    type: 'quantitative',
    title: axes.y,
    scale: options.logY ? { type: 'log' } : {},
  }
  const color = { field: 'series', sort: series, scale: colors(series), title: axes.legend }
  const layers: VlSpec[] = [
    { mark: { type: 'line', point: { size: 50 } }, encoding: { x, y, color } },
  ]
  const limit = options.limit
  if (limit !== undefined)
    layers.push(
      {
        data: { values: [{ y: limit.value }] },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#c92a2a' },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values: [{ y: limit.value, label: limit.label }] },
        mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -2, color: '#c92a2a' },
        encoding: {
          y: { field: 'y', type: 'quantitative' },
          x: { value: 0 },
          text: { field: 'label' },
        },
      },
    )
  return {
    ...head(heading),
    width: 420,
    height: 280,
    data: { values: points.map((p) => ({ ...p })) },
    layer: layers,
  }
}
