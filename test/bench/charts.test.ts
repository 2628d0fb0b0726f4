// The bench charts (bench/charts/): the specifications built from a run's figures, and,
// when the bench's own packages are installed (cd bench && npm ci), the SVG Vega draws.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { charts, runLine } from '../../bench/charts/catalog.ts'
import { drawCharts, renderSvg } from '../../bench/charts/draw.ts'
import type { HttpFigures } from '../../bench/charts/shapes.ts'
import { textWidth } from '../../bench/charts/text-width.ts'
import type { ResultsFile } from '../../bench/figures.ts'
import { repoRoot } from '../../bench/peers/bench-package.ts'

const http: HttpFigures = {
  connections: 100,
  durationS: 10,
  rounds: 3,
  servers: [
    {
      server: 'raw node:http',
      rps: 34694,
      roundsRps: [21353, 34694, 35148],
      p50Ms: 2,
      p99Ms: 7,
      cpuUsPerRequest: 26.3,
      failures: 0,
      vsRaw: 1,
    },
    {
      server: 'Cinder :api',
      rps: 27377,
      roundsRps: [28088, 27377, 27216],
      p50Ms: 3,
      p99Ms: 8,
      cpuUsPerRequest: 35.1,
      failures: 0,
      vsRaw: 0.79,
    },
    {
      server: 'Cinder :browser',
      rps: 20129,
      roundsRps: [15536, null, 20129],
      p50Ms: 4,
      p99Ms: 9,
      cpuUsPerRequest: 48.5,
      failures: 0,
      vsRaw: 0.58,
    },
  ],
}

const results: ResultsFile = {
  written: '2026-12-07T01:34:46.577Z',
  machine: { cpus: 2, model: 'AMD EPYC', memoryGiB: 24, node: 'v20.20.2' },
  only: [],
  scenarios: { http: { ...http } },
}

const chart = (file: string) => {
  const found = charts.find((c) => c.file === file)
  assert.ok(found, `no chart ${file}`)
  return found
}

test('a chart states its conditions: what, how, the date and the machine', () => {
  const spec = chart('bench-http.svg').build({ ...http }, runLine(results))
  const title = spec.title as { text: string; subtitle: string[] }
  assert.match(title.text, /HTTP GET \/hello/)
  assert.match(
    title.subtitle.join('\n'),
    /100 connections, 10 s per round; bar: the fastest of 3 rounds/,
  )
  assert.equal(title.subtitle.at(-1), '2026-12-07 · 2 × AMD EPYC, 24 GiB, Node v20.20.2')
})

test('the HTTP chart has a requests/s panel with every round and a CPU panel', () => {
  const spec = chart('bench-http.svg').build({ ...http }, runLine(results))
  const panels = spec.hconcat as {
    data: { values: { category: string; value: number; rounds?: number[] }[] }
  }[]
  assert.equal(panels.length, 2)
  const [rps, cpu] = panels.map((p) => p.data.values)
  assert.deepEqual(
    rps?.map((b) => [b.category, b.value, b.rounds]),
    [
      ['raw node:http', 34694, [21353, 34694, 35148]],
      ['Cinder :api', 27377, [28088, 27377, 27216]],
      ['Cinder :browser', 20129, [15536, 20129]], // the round with no figure is left out
    ],
  )
  assert.deepEqual(
    cpu?.map((b) => b.value),
    [26.3, 35.1, 48.5],
  )
})

test('request/reply latency is drawn on log axes, without the rates a server did not answer', () => {
  const channels = {
    quick: false,
    broadcasts: 20,
    rrClients: 1000,
    rrRounds: 3,
    p99LimitMs: 50,
    memory: [],
    fanout: [],
    requestReply: [
      {
        server: 'Cinder',
        rate: 2000,
        p50Ms: 0.9,
        p99Ms: 7.86,
        roundsP99Ms: [7.86],
        cpuUsPerRequest: 161,
        lost: 0,
      },
      {
        server: 'Cinder',
        rate: 40000,
        p50Ms: null,
        p99Ms: null,
        roundsP99Ms: [null],
        cpuUsPerRequest: 18,
        lost: 9,
      },
    ],
    highestRate: { Cinder: 2000 },
  }
  const spec = chart('bench-channels-request-reply.svg').build(channels, 'run')
  assert.deepEqual((spec.data as { values: unknown[] }).values, [
    { series: 'Cinder', x: 2000, y: 7.86 },
  ])
  const [line] = spec.layer as { encoding: { y: { scale: unknown } } }[]
  assert.deepEqual(line?.encoding.y.scale, { type: 'log' })
  assert.match(JSON.stringify(spec.title), /Highest rate with p99 < 50 ms: Cinder 2,000 req\/s/)
})

test('text widths follow the font: narrow letters, wide letters, bold', () => {
  assert.equal(textWidth('0000', 1000), 4 * 556)
  assert.ok(textWidth('iiii', 12) < textWidth('MMMM', 12) / 3)
  assert.ok(textWidth('Cinder', 15, true) > textWidth('Cinder', 15))
})

const vegaInstalled = existsSync(
  join(repoRoot(), 'bench', 'node_modules', 'vega-lite', 'package.json'),
)
// Under CI nothing skips: .ci/run installs the bench packages, and a missing one must fail.
const skip =
  vegaInstalled || process.env.CI === 'true'
    ? false
    : 'the bench packages are not installed (cd bench && npm ci)'

test('Vega draws the HTTP chart: one bar per server, as long as its figure, and its labels', {
  skip,
}, async () => {
  const svg = await renderSvg(chart('bench-http.svg').build({ ...http }, runLine(results)))
  assert.match(svg, /^<svg /)
  assert.match(svg, />HTTP GET \/hello: requests per second and server CPU per request</)
  assert.match(svg, />2026-12-07 · 2 × AMD EPYC, 24 GiB, Node v20.20.2</)
  for (const label of ['raw node:http', 'Cinder :api', 'Cinder :browser', '27,377', '48.5'])
    assert.ok(svg.includes(`>${label}<`), `no ${label} in the SVG`)
  // The first panel's bars: widths in proportion to req/s.
  const panel = svg.slice(
    svg.indexOf('concat_0_layer_0_marks'),
    svg.indexOf('concat_0_layer_1_marks'),
  )
  const widths = [...panel.matchAll(/aria-roledescription="bar" d="M0,[\d.]+h([\d.]+)/g)].map((m) =>
    Number(m[1]),
  )
  assert.equal(widths.length, 3)
  const [raw = 0, , browser = 0] = widths
  assert.ok(Math.abs(browser / raw - 20129 / 34694) < 0.01, `bar widths ${widths}`)
})

test('drawCharts writes the charts of the scenarios a run has, and only those', {
  skip,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cinder-charts-'))
  const path = join(dir, 'results.json')
  writeFileSync(path, JSON.stringify(results))
  const written = await drawCharts(path, dir)
  assert.deepEqual(written, [join(dir, 'bench-http.svg')])
  assert.deepEqual(readdirSync(dir).sort(), ['bench-http.svg', 'results.json'])
})
