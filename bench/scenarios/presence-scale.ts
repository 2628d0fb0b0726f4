/**
 * Presence fan-out at scale: 3 node processes, each tracking PER_NODE presences on one topic
 * and replicating through Redis, against one process tracking all 3 × PER_NODE on its own.
 * Measured: the time until every node lists every key, and until a subscriber of the topic
 * (what a node's clients see) has them all from its `presence_diff`s; the bytes of the
 * Tracker's messages between nodes and of the diffs to a subscriber; CPU per node. Then one
 * node is killed and the others' time to drop its presences is measured. See
 * docs/benchmarks.md.
 */

import { loadavg } from 'node:os'
import { recordFigures } from '../figures.ts'
import type { NodeEvent } from '../load/presence-node.ts'
import { all, PresenceNode } from '../load/presence-nodes.ts'
import {
  type CaseFigures,
  type Departure,
  figuresOf,
  type PresenceScaleFigures,
  redisVersion,
  renderScale,
} from '../load/presence-report.ts'

const QUICK = process.env.BENCH_QUICK === '1'
const PER_NODE = Number(process.env.BENCH_PRESENCE_SCALE_PER_NODE ?? (QUICK ? 600 : 6000))
const NODES = 3
const BATCH = Number(process.env.BENCH_PRESENCE_SCALE_BATCH ?? 100)
const DEPARTURE = (process.env.BENCH_PRESENCE_SCALE_DEPARTURE ?? '1') !== '0'
const TOPIC = 'lobby:scale'
/** After convergence, heartbeats and transfers still under way finish within two periods. */
const SETTLE_MS = 3_000
/** The Tracker's default down period (broadcastPeriod 1,500 × maxSilentPeriods 10 × 2). */
export const DOWN_PERIOD_MS = 30_000

const now = () => Number(process.hrtime.bigint()) / 1e6
type Ev<Op extends NodeEvent['op']> = Extract<NodeEvent, { op: Op }>
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function runCase(
  kind: 'cluster' | 'single',
): Promise<{ figures: CaseFigures; departure?: Departure }> {
  const count = kind === 'cluster' ? NODES : 1
  const perNode = kind === 'cluster' ? PER_NODE : PER_NODE * NODES
  const pubsub = `benchpres-${process.pid}-${Date.now()}-${kind}`
  const nodes = Array.from({ length: count }, (_, i) =>
    PresenceNode.start({
      node: `${kind}${i + 1}`,
      pubsub,
      topic: TOPIC,
      count: perNode,
      expect: PER_NODE * NODES,
      peers: count - 1,
      batch: BATCH,
      redis: kind === 'cluster',
    }),
  )
  try {
    await all(nodes, 'ready', 90_000)
    const start = now()
    for (const node of nodes) node.send({ op: 'go' })
    const tracked = await all(nodes, 'tracked', 120_000)
    const converged = await all(nodes, 'converged', 130_000)
    await sleep(SETTLE_MS)
    for (const node of nodes) node.send({ op: 'report' })
    const reports = await all(nodes, 'report', 30_000)
    const figures = figuresOf(kind, perNode, start, tracked, converged, reports)
    if (kind !== 'cluster' || !DEPARTURE) return { figures }
    return { figures, departure: await departure(nodes) }
  } finally {
    await Promise.all(nodes.map((node) => node.stop()))
  }
}

/**
 * Kills the last node. The first survivor is then told at once (`presence.nodeDown`, as a
 * Cluster's membership would after its 2.5–4.5 s detection); the second learns it from the
 * silence (the down period). Both report when their lists and diff views are down to
 * (NODES - 1) × PER_NODE.
 */
async function departure(nodes: PresenceNode[]): Promise<Departure> {
  const victim = nodes[nodes.length - 1] as PresenceNode
  const [told, silent] = nodes as [PresenceNode, PresenceNode]
  for (const node of [told, silent]) node.send({ op: 'depart', expect: PER_NODE * (NODES - 1) })
  await sleep(200) // the survivors have reset their tallies
  const start = now()
  await victim.kill()
  told.send({ op: 'node-down', node: victim.name })
  const [a, b] = (await all([told, silent], 'departed', DOWN_PERIOD_MS + 60_000)) as [
    Ev<'departed'>,
    Ev<'departed'>,
  ]
  const from = a.nodeDownAt ?? start
  return {
    removed: PER_NODE,
    nodeDown: { listedMs: a.listed - from, diffedMs: a.diffed - from, diffs: a.diffs },
    downPeriod: { listedMs: b.listed - start, diffedMs: b.diffed - start, diffs: b.diffs },
    downPeriodMs: DOWN_PERIOD_MS,
  }
}

export async function measure(): Promise<PresenceScaleFigures> {
  const loadStart = loadavg()[0] ?? 0
  const redis = await redisVersion()
  if (redis === undefined) throw new Error('no Redis answered on 127.0.0.1:6379')
  const single = await runCase('single')
  const cluster = await runCase('cluster')
  return {
    perNode: PER_NODE,
    nodes: NODES,
    batch: BATCH,
    quick: QUICK,
    cluster: cluster.figures,
    single: single.figures,
    ...(cluster.departure ? { departure: cluster.departure } : {}),
    conditions: { node: process.version, redis, loadStart, loadEnd: loadavg()[0] ?? 0 },
  }
}

export async function run(): Promise<string> {
  const figures = await measure()
  recordFigures('presence-scale', { ...figures })
  return renderScale(figures)
}
