/**
 * The figures of the presence-scale scenario, as one typed object (for charts later), how
 * they are gathered from the nodes' reports, and the Markdown section made from them.
 */
import { connect } from 'node:net'
import type { TrackerMessageKind } from './counting-adapter.ts'
import type { NodeEvent, NodeReport } from './presence-node.ts'

export interface CaseFigures {
  readonly kind: 'cluster' | 'single'
  readonly nodes: number
  readonly perNode: number
  /** From `go` until the slowest node had made its last `track` call. */
  readonly trackedMs: number
  /** From `go` until every node's list held every key. */
  readonly listedMs: number
  /** From `go` until every node's subscriber had every key from its `presence_diff`s. */
  readonly diffedMs: number
  /** Tracker messages sent between nodes, all nodes together, by kind. */
  readonly sent: Record<TrackerMessageKind, { frames: number; bytes: number }>
  readonly sentFrames: number
  readonly sentBytes: number
  /** Bytes all nodes' Redis subscriptions received (own echoes included). */
  readonly receivedBytes: number
  /** `presence_diff` frames one node's subscriber got (mean over nodes) and their bytes. */
  readonly diffsPerNode: number
  readonly diffBytesPerNode: number
  readonly maxDiffBytes: number
  /** User + system CPU ms from `go` to the report (convergence + 3 s), per node. */
  readonly cpuMsPerNode: readonly number[]
  readonly cpuMsTotal: number
  readonly heapMbPerNode: readonly number[]
  /** Whether every list and every diff view held exactly every key at the report. */
  readonly complete: boolean
}

/** How long one survivor took to drop a killed node's presences, and the leaves it sent. */
export interface DepartureSide {
  /** Until its list no longer held them. */
  readonly listedMs: number
  /** Until its subscriber had every leave. */
  readonly diffedMs: number
  readonly diffs: { count: number; bytes: number; maxBytes: number }
}

export interface Departure {
  readonly removed: number
  /** Told by `presence.nodeDown` (a membership layer): from that call. */
  readonly nodeDown: DepartureSide
  /** From the silence alone: from the kill. */
  readonly downPeriod: DepartureSide
  /** The Tracker's down period (default). */
  readonly downPeriodMs: number
}

export interface PresenceScaleFigures {
  readonly perNode: number
  readonly nodes: number
  readonly batch: number
  readonly quick: boolean
  readonly cluster: CaseFigures
  readonly single: CaseFigures
  /** One cluster node killed: the others' time to drop its presences. */
  readonly departure?: Departure
  readonly conditions: {
    readonly node: string
    readonly redis: string
    readonly loadStart: number
    readonly loadEnd: number
  }
}

type Ev<Op extends NodeEvent['op']> = Extract<NodeEvent, { op: Op }>

export function figuresOf(
  kind: 'cluster' | 'single',
  perNode: number,
  start: number,
  tracked: readonly Ev<'tracked'>[],
  converged: readonly Ev<'converged'>[],
  reports: readonly NodeReport[],
): CaseFigures {
  const sent = reports[0]?.traffic.sent
  if (sent === undefined) throw new Error('no node report')
  const total = Object.fromEntries(
    Object.keys(sent).map((k) => {
      const kindOf = k as TrackerMessageKind
      const frames = reports.reduce((s, r) => s + r.traffic.sent[kindOf].frames, 0)
      const bytes = reports.reduce((s, r) => s + r.traffic.sent[kindOf].bytes, 0)
      return [k, { frames, bytes }]
    }),
  ) as CaseFigures['sent']
  const values = Object.values(total)
  const expect = perNode * (kind === 'cluster' ? reports.length : 1)
  const mean = (f: (r: NodeReport) => number) =>
    reports.reduce((s, r) => s + f(r), 0) / reports.length
  return {
    kind,
    nodes: reports.length,
    perNode,
    trackedMs: Math.max(...tracked.map((t) => t.at - start)),
    listedMs: Math.max(...converged.map((c) => c.listed - start)),
    diffedMs: Math.max(...converged.map((c) => c.diffed - start)),
    sent: total,
    sentFrames: values.reduce((s, v) => s + v.frames, 0),
    sentBytes: values.reduce((s, v) => s + v.bytes, 0),
    receivedBytes: reports.reduce((s, r) => s + r.traffic.received.bytes, 0),
    diffsPerNode: mean((r) => r.diffs.count),
    diffBytesPerNode: mean((r) => r.diffs.bytes),
    maxDiffBytes: Math.max(...reports.map((r) => r.diffs.maxBytes)),
    cpuMsPerNode: reports.map((r) => r.cpuUs / 1000),
    cpuMsTotal: reports.reduce((s, r) => s + r.cpuUs, 0) / 1000,
    heapMbPerNode: reports.map((r) => r.heapUsed / 2 ** 20),
    complete: reports.every((r) => r.listedKeys === expect && r.diffKeys === expect),
  }
}

/** Redis's version from `INFO server`, or undefined when nothing answers within 2 s. */
export function redisVersion(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 6379 })
    let text = ''
    const done = (v: string | undefined) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(v)
    }
    const timer = setTimeout(() => done(undefined), 2_000)
    socket.once('connect', () => socket.write('INFO server\r\n'))
    socket.on('data', (chunk) => {
      text += chunk.toString()
      const match = /redis_version:([^\r\n]+)/.exec(text)
      if (match) done(match[1])
    })
    socket.once('error', () => done(undefined))
  })
}

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–'
const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KiB`
const ratio = (a: number, b: number) => (b > 0 ? `${fmt(a / b, 2)}×` : '–')

const row = (label: string, cv: string, sv: string, r: string) =>
  `| ${label} | ${cv} | ${sv} | ${r} |`

/** Times, and what a subscriber of the topic receives. */
function clientRows(f: PresenceScaleFigures): string[] {
  const { cluster: c, single: s } = f
  const perDiff = (x: CaseFigures) => x.diffBytesPerNode / Math.max(1, x.diffsPerNode)
  // Each tracked socket is a client of the topic and gets every diff: quadratic in the topic.
  const sockets = (x: CaseFigures) => x.diffBytesPerNode * x.perNode
  return [
    row(
      'last `track` call made',
      `${fmt(c.trackedMs)} ms`,
      `${fmt(s.trackedMs)} ms`,
      ratio(c.trackedMs, s.trackedMs),
    ),
    row(
      '**every list holds every key**',
      `**${fmt(c.listedMs)} ms**`,
      `${fmt(s.listedMs)} ms`,
      ratio(c.listedMs, s.listedMs),
    ),
    row(
      '**every subscriber has every key from its diffs**',
      `**${fmt(c.diffedMs)} ms**`,
      `${fmt(s.diffedMs)} ms`,
      ratio(c.diffedMs, s.diffedMs),
    ),
    row(
      '`presence_diff` frames per node’s subscriber',
      fmt(c.diffsPerNode, 1),
      fmt(s.diffsPerNode, 1),
      ratio(c.diffsPerNode, s.diffsPerNode),
    ),
    row(
      'bytes per `presence_diff` (mean / largest)',
      `${kb(perDiff(c))} / ${kb(c.maxDiffBytes)}`,
      `${kb(perDiff(s))} / ${kb(s.maxDiffBytes)}`,
      ratio(perDiff(c), perDiff(s)),
    ),
    row(
      'diff bytes per node’s subscriber (per key listed)',
      `${kb(c.diffBytesPerNode)} (${fmt(c.diffBytesPerNode / (f.perNode * f.nodes))} B)`,
      `${kb(s.diffBytesPerNode)} (${fmt(s.diffBytesPerNode / (f.perNode * f.nodes))} B)`,
      ratio(c.diffBytesPerNode, s.diffBytesPerNode),
    ),
    row(
      'the same to every tracked socket of a node (1 subscriber’s bytes × its sockets; not sent here)',
      `${fmt(sockets(c) / 2 ** 30, 2)} GiB`,
      `${fmt(sockets(s) / 2 ** 30, 2)} GiB`,
      ratio(sockets(c), sockets(s)),
    ),
  ]
}

/** Traffic between nodes, CPU, memory. */
function nodeRows(f: PresenceScaleFigures): string[] {
  const { cluster: c, single: s } = f
  const hb = c.sent.heartbeat_delta
  const ack = c.sent.transfer_ack
  const maxCpu = (x: CaseFigures) => Math.max(...x.cpuMsPerNode)
  return [
    row(
      'Tracker messages sent between nodes (all nodes)',
      `${fmt(c.sentFrames)}: ${fmt(hb.frames)} heartbeats with a delta, ${fmt(c.sent.heartbeat_empty.frames)} empty, ${fmt(c.sent.transfer_req.frames)} transfer requests, ${fmt(ack.frames)} transfers`,
      'none (one node)',
      '',
    ),
    row(
      'bytes sent between nodes (all nodes; Redis fans each broadcast out to 2 peers)',
      kb(c.sentBytes),
      '0',
      '',
    ),
    row(
      'bytes per inter-node message (all kinds)',
      kb(c.sentBytes / Math.max(1, c.sentFrames)),
      '',
      '',
    ),
    row(
      'bytes per heartbeat with a delta / per transfer',
      `${kb(hb.bytes / Math.max(1, hb.frames))} / ${kb(ack.bytes / Math.max(1, ack.frames))}`,
      '',
      '',
    ),
    row(
      'bytes per presence replicated (sent, per remote copy)',
      fmt(c.sentBytes / (f.perNode * f.nodes * (f.nodes - 1)), 1),
      '',
      '',
    ),
    row(
      'CPU per node (mean / max)',
      `${fmt(c.cpuMsTotal / c.nodes)} / ${fmt(maxCpu(c))} ms`,
      `${fmt(s.cpuMsTotal)} ms`,
      ratio(maxCpu(c), s.cpuMsTotal),
    ),
    row(
      '**CPU, all nodes**',
      `**${fmt(c.cpuMsTotal)} ms**`,
      `${fmt(s.cpuMsTotal)} ms`,
      ratio(c.cpuMsTotal, s.cpuMsTotal),
    ),
    row(
      'JS heap per node at the end',
      `${c.heapMbPerNode.map((m) => fmt(m)).join(' / ')} MiB`,
      `${fmt(s.heapMbPerNode[0] ?? 0)} MiB`,
      '',
    ),
    row(
      'every list and diff view exact at the end',
      c.complete ? 'yes' : '**no**',
      s.complete ? 'yes' : '**no**',
      '',
    ),
  ]
}

function departureText(d: Departure): string {
  const side = (x: DepartureSide) =>
    `gone from its list after **${fmt(x.listedMs)} ms**, its subscriber had every leave after ${fmt(x.diffedMs)} ms (${fmt(x.diffs.count)} \`presence_diff\` frames, ${kb(x.diffs.bytes)})`
  return [
    `**Departure.** One of the 3 nodes killed (SIGKILL: no goodbye), its ${fmt(d.removed)} presences to drop.`,
    `Told at once with \`presence.nodeDown\` (what a \`Cluster\` given \`presences\` calls when its membership sees the node die, 2.5–4.5 s after the kill per docs/cluster.md, not included here): ${side(d.nodeDown)}, counted from the call.`,
    `Left to the Tracker alone (Redis reports no node-down): ${side(d.downPeriod)}, counted from the kill.`,
    `That path is the down period, ${fmt(d.downPeriodMs)} ms by default (broadcastPeriod × maxSilentPeriods × 2) counted from the node's last heartbeat, checked on each 1,500 ms tick. A quiet node heartbeats every 15 s (maxSilentPeriods ticks), so a kill is noticed 15–31.5 s later depending on when it last spoke.`,
  ].join(' ')
}

export function renderScale(f: PresenceScaleFigures): string {
  const total = f.perNode * f.nodes
  const d = f.departure
  const departure = d
    ? departureText(d)
    : 'Departure not measured (`BENCH_PRESENCE_SCALE_DEPARTURE=0`).'
  const { conditions: k } = f
  return [
    '## Presence at scale',
    '',
    `${f.nodes} node processes × ${fmt(f.perNode)} presences on one topic (\`lobby:scale\`), replicated through Redis, against 1 process tracking ${fmt(total)} with the local adapter. Each presence is owned by its own process (as a channel join's), keyed by a distinct user id, meta \`{online_at, device}\`; ${f.batch} tracks per turn of the event loop, all nodes starting together. Times are from the start to the slowest node; CPU is user + system from the start until 3 s after convergence. Defaults: broadcast period 1,500 ms, diff burst 10.${f.quick ? ' **BENCH_QUICK: smoke figures, not to quote.**' : ''}`,
    '',
    `| measure | cluster (${f.nodes} × ${fmt(f.perNode)}) | single (1 × ${fmt(total)}) | cluster / single |`,
    '| --- | --- | --- | --- |',
    ...clientRows(f),
    ...nodeRows(f),
    '',
    departure,
    '',
    `Conditions: Node ${k.node}, Redis ${k.redis} on 127.0.0.1, load average ${fmt(k.loadStart, 2)} at the start and ${fmt(k.loadEnd, 2)} at the end.`,
    '',
  ].join('\n')
}
