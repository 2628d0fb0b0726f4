/**
 * The charts `npm run bench` draws into docs/images/, each from one
 * scenario's figures (bench/results.json). To chart a new scenario: record
 * its figures (bench/figures.ts, with their shape in shapes.ts), then add an
 * entry here that shapes them into a builder's input (specs.ts).
 */
import type { Figures, ResultsFile } from '../figures.ts'
import type { ChannelsFigures, DurableFigures, Figure, HttpFigures } from './shapes.ts'
import { barChart, groupedBarChart, lineChart, type VlSpec } from './specs.ts'

export interface Chart {
  /** File name under docs/images/. */
  readonly file: string
  /** The scenario whose figures it draws; the chart is skipped when the run lacks them. */
  readonly scenario: string
  /** `run` is the machine and date line every subtitle ends with. */
  build(figures: Figures, run: string): VlSpec
}

/** "2026-12-07 · 2 × AMD EPYC, 24 GiB, Node v20.20.2": the conditions every chart states. */
export function runLine(results: ResultsFile): string {
  const m = results.machine
  return `${results.written.slice(0, 10)} · ${m.cpus} × ${m.model}, ${m.memoryGiB} GiB, Node ${m.node}`
}

const present = (value: Figure | undefined): value is number => typeof value === 'number'
const thousands = (n: number) => n.toLocaleString('en')
const quick = (f: { quick: boolean }) =>
  f.quick ? ' · BENCH_QUICK: reduced counts, not figures to quote' : ''

const http: Chart = {
  file: 'bench-http.svg',
  scenario: 'http',
  build(figures, run) {
    const f = figures as unknown as HttpFigures
    const servers = f.servers.filter((s) => present(s.rps) && present(s.cpuUsPerRequest))
    return barChart(
      {
        title: 'HTTP GET /hello: requests per second and server CPU per request',
        subtitle: [
          `autocannon, ${f.connections} connections, ${f.durationS} s per round; bar: the fastest of ${f.rounds} rounds, ◆: each round. Each server alone in its own process.`,
          run,
        ],
      },
      [
        {
          axis: 'requests/s (more is better)',
          bars: servers.map((s) => ({
            category: s.server,
            value: s.rps ?? 0,
            rounds: s.roundsRps.filter(present),
          })),
        },
        {
          axis: 'server CPU µs per request (less is better)',
          format: ',.1f',
          bars: servers.map((s) => ({ category: s.server, value: s.cpuUsPerRequest ?? 0 })),
        },
      ],
    )
  },
}

const channelsMemory: Chart = {
  file: 'bench-channels-memory.svg',
  scenario: 'channels',
  build(figures, run) {
    const f = figures as unknown as ChannelsFigures
    return groupedBarChart(
      {
        title: 'Channels: server memory per joined socket',
        subtitle: [
          "Server RSS after full GCs, minus the idle server's, divided by the sockets open and joined.",
          run + quick(f),
        ],
      },
      { x: 'sockets open and joined', y: 'KiB per socket (less is better)', legend: 'server' },
      f.memory
        .filter((m) => present(m.rssKiBPerSocket))
        .map((m) => ({
          category: m.server,
          group: `${thousands(m.sockets)} sockets`,
          value: m.rssKiBPerSocket ?? 0,
        })),
      ',.2f',
    )
  },
}

const channelsFanout: Chart = {
  file: 'bench-channels-fanout.svg',
  scenario: 'channels',
  build(figures, run) {
    const f = figures as unknown as ChannelsFigures
    const subscribers = thousands(f.fanout[0]?.subscribers ?? 0)
    const median = `median of ${f.broadcasts}`
    const max = `slowest of ${f.broadcasts}`
    return groupedBarChart(
      {
        title: `Channels: fan-out to ${subscribers} subscribers of one topic`,
        subtitle: [
          `Time from the send until the last subscriber has the broadcast; ${f.broadcasts} broadcasts 500 ms apart.`,
          run + quick(f),
        ],
      },
      { x: 'server', y: 'last delivery, ms (less is better)', legend: 'broadcasts' },
      f.fanout.flatMap((s) => [
        ...(present(s.lastMedianMs)
          ? [{ category: median, group: s.server, value: s.lastMedianMs }]
          : []),
        ...(present(s.lastMaxMs) ? [{ category: max, group: s.server, value: s.lastMaxMs }] : []),
      ]),
    )
  },
}

const channelsRequestReply: Chart = {
  file: 'bench-channels-request-reply.svg',
  scenario: 'channels',
  build(figures, run) {
    const f = figures as unknown as ChannelsFigures
    const highest = Object.entries(f.highestRate)
      .map(([server, rate]) => `${server} ${thousands(rate)}`)
      .join(', ')
    return lineChart(
      {
        title: `Channels: request/reply p99 latency against the offered rate, ${thousands(f.rrClients)} clients`,
        subtitle: [
          `Open loop; the best of ${f.rrRounds} rounds at each rate. Highest rate with p99 < ${f.p99LimitMs} ms: ${highest} req/s.`,
          run + quick(f),
        ],
      },
      { x: 'offered rate, requests/s', y: 'p99 latency, ms (log scale)', legend: 'server' },
      f.requestReply.flatMap((r) =>
        present(r.p99Ms) ? [{ series: r.server, x: r.rate, y: r.p99Ms }] : [],
      ),
      {
        logX: true,
        logY: true,
        limit: { value: f.p99LimitMs, label: `p99 limit, ${f.p99LimitMs} ms` },
      },
    )
  },
}

const durable: Chart = {
  file: 'bench-durable.svg',
  scenario: 'durable',
  build(figures, run) {
    const f = figures as unknown as DurableFigures
    return barChart(
      {
        title: `Durable topics: fan-out to ${thousands(f.subscribers)} subscribers, plain against durable`,
        subtitle: [
          `Median time until the last subscriber has a broadcast, ${f.broadcasts} broadcasts × ${f.rounds} rounds, one Cinder server.`,
          run,
        ],
      },
      [
        {
          axis: 'last delivery, median ms (less is better)',
          format: ',.1f',
          bars: [
            { category: 'plain topic', value: f.plainLastMedianMs },
            { category: 'durable topic', value: f.durableLastMedianMs },
          ].flatMap((b) => (present(b.value) ? [{ ...b, value: b.value }] : [])),
        },
      ],
    )
  },
}

/** What fanout-outside.ts records. */
interface OutsideFigures {
  readonly subscribers: number
  readonly broadcasts: number
  readonly rounds: number
  readonly servers: readonly { server: string; lastMs: Figure; maxMs: Figure }[]
}

const fanoutOutside: Chart = {
  file: 'bench-fanout-outside.svg',
  scenario: 'fanout-outside',
  build(figures, run) {
    const f = figures as unknown as OutsideFigures
    const median = `median of ${f.broadcasts} × ${f.rounds}`
    const max = `slowest of ${f.broadcasts} × ${f.rounds}`
    return groupedBarChart(
      {
        title: `Fan-out to ${thousands(f.subscribers)} official phoenix clients (an outside load generator)`,
        subtitle: [
          "The official client on Node's own WebSocket parses every frame; time until the last subscriber has each broadcast.",
          run,
        ],
      },
      { x: 'server', y: 'last delivery, ms (less is better)', legend: 'broadcasts' },
      f.servers.flatMap((s) => [
        ...(present(s.lastMs) ? [{ category: median, group: s.server, value: s.lastMs }] : []),
        ...(present(s.maxMs) ? [{ category: max, group: s.server, value: s.maxMs }] : []),
      ]),
    )
  },
}

/** What sockets-100k.ts records (the part charted). */
interface Sockets100kChartFigures {
  readonly joined: number
  readonly serverWorkers: number
  readonly processes: readonly { rss: number }[]
  readonly medianLastMs: number
  readonly quick: boolean
}

const sockets100k: Chart = {
  file: 'bench-sockets-100k.svg',
  scenario: 'sockets-100k',
  build(figures, run) {
    const f = figures as unknown as Sockets100kChartFigures
    const total = f.processes.reduce((sum, p) => sum + p.rss, 0)
    return barChart(
      {
        title: `${thousands(f.joined)} joined sockets on ${f.serverWorkers} workers: resident memory per server process`,
        subtitle: [
          `After the joins: ${(total / 2 ** 30).toFixed(2)} GiB in all (goal < 1.5 GiB); a broadcast reaches all of them in ${thousands(Math.round(f.medianLastMs))} ms (median).`,
          run + quick(f),
        ],
      },
      [
        {
          axis: 'RSS, MiB',
          format: ',.0f',
          bars: f.processes.map((p, i) => ({
            category: i === 0 ? 'primary' : `worker ${i}`,
            value: p.rss / 2 ** 20,
          })),
        },
      ],
    )
  },
}

export const charts: readonly Chart[] = [
  http,
  channelsMemory,
  channelsFanout,
  channelsRequestReply,
  fanoutOutside,
  durable,
  sockets100k,
]
