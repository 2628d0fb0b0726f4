/**
 * One node of the presence-scale scenario, in a child process of its own: a PubSub (over
 * Redis through a CountingAdapter, or local for the single-node case) with a Presence, and
 * `--count` owner processes that each track one presence on `--topic` when the parent says
 * `go`, `--batch` per turn of the event loop (as joins arrive as messages). A function
 * subscribed to the topic stands for the clients of this node: it applies every
 * `presence_diff` to its own key count and measures the frame a client would get.
 *
 * It reports over IPC when its list and its diff-built view hold `--expect` keys, then on
 * demand its CPU time and traffic since `go`; after a peer is killed (`depart`), when both
 * views are down to the expected count. Every time is `process.hrtime` in ms: CLOCK_MONOTONIC,
 * which every process of the host shares, so the parent subtracts its own start from it.
 */
import { parseArgs } from 'node:util'
import { type Presence, startPresence } from '../../src/presence/index.ts'
import { type Pid, spawn } from '../../src/process/index.ts'
import { type PubSub, redisAdapter, startPubSub } from '../../src/pubsub/index.ts'
import { CountingAdapter, emptyTraffic, type Traffic } from './counting-adapter.ts'

export type NodeRequest =
  | { readonly op: 'go' }
  | { readonly op: 'report' }
  | { readonly op: 'depart'; readonly expect: number }
  /** Stands in for a membership layer that saw `node` die: `presence.nodeDown(node)`. */
  | { readonly op: 'node-down'; readonly node: string }
  | { readonly op: 'stop' }

/** What clients of one node received as `presence_diff`s. */
export interface DiffTally {
  count: number
  bytes: number
  maxBytes: number
}

export interface NodeReport {
  readonly node: string
  /** User + system CPU µs since `go`. */
  readonly cpuUs: number
  readonly traffic: Traffic
  readonly diffs: DiffTally
  /** Keys in `presence.list(topic)` at report time (a check of the diff-built count). */
  readonly listedKeys: number
  readonly diffKeys: number
  readonly heapUsed: number
}

export type NodeEvent =
  | { readonly op: 'ready'; readonly node: string }
  | { readonly op: 'tracked'; readonly node: string; readonly at: number }
  | {
      readonly op: 'converged'
      readonly node: string
      readonly listed: number
      readonly diffed: number
    }
  | ({ readonly op: 'report' } & NodeReport)
  | {
      readonly op: 'departed'
      readonly node: string
      readonly listed: number
      readonly diffed: number
      readonly diffs: DiffTally
      readonly nodeDownAt: number | undefined
    }
  | { readonly op: 'failed'; readonly node: string; readonly error: string }

const { values: args } = parseArgs({
  options: {
    node: { type: 'string' },
    pubsub: { type: 'string' },
    topic: { type: 'string' },
    count: { type: 'string' },
    expect: { type: 'string' },
    peers: { type: 'string' },
    batch: { type: 'string', default: '100' },
    redis: { type: 'boolean', default: false },
  },
})
const NODE = args.node ?? 'n1'
const TOPIC = args.topic ?? 'lobby:scale'
const COUNT = Number(args.count)
const EXPECT = Number(args.expect)
const PEERS = Number(args.peers ?? 0)
const BATCH = Number(args.batch)
const POLL_MS = 25
/** A departure by the down period takes seconds: polled less often, with the (costlier) list. */
const DEPART_POLL_MS = 100
const DEVICES = ['web', 'ios', 'android'] as const

const now = () => Number(process.hrtime.bigint()) / 1e6
const turn = () => new Promise((resolve) => setImmediate(resolve))
const tell = (event: NodeEvent) => process.send?.(event)

/** The clients' view: metas per key, from the diffs alone. */
const viewed = new Map<string, number>()
let diffs: DiffTally = { count: 0, bytes: 0, maxBytes: 0 }
/** When the parent had this node call `presence.nodeDown` (undefined: it waits for the down period). */
let nodeDownAt: number | undefined

function onBroadcast(message: unknown): void {
  const m = message as { event?: string; payload?: { joins: object; leaves: object } }
  if (m.event !== 'presence_diff' || m.payload === undefined) return
  // The V2 JSON frame the fastlane would write to each client socket of the topic.
  const bytes = Buffer.byteLength(JSON.stringify([null, null, TOPIC, m.event, m.payload]))
  diffs.count++
  diffs.bytes += bytes
  diffs.maxBytes = Math.max(diffs.maxBytes, bytes)
  const { joins, leaves } = m.payload as Record<string, Record<string, { metas: unknown[] }>>
  for (const [key, group] of Object.entries(joins ?? {}))
    viewed.set(key, (viewed.get(key) ?? 0) + group.metas.length)
  for (const [key, group] of Object.entries(leaves ?? {})) {
    const left = (viewed.get(key) ?? 0) - group.metas.length
    if (left > 0) viewed.set(key, left)
    else viewed.delete(key)
  }
}

/**
 * Resolves with the times at which `listed()` and the diff view first held `n` keys, checked
 * every `pollMs()`.
 */
async function reach(n: number, limitMs: number, listed: () => number, pollMs: () => number) {
  const start = now()
  let listedAt: number | undefined
  let diffedAt: number | undefined
  while (listedAt === undefined || diffedAt === undefined) {
    if (now() - start > limitMs) {
      throw new Error(
        `${NODE}: ${n} keys not reached within ${limitMs} ms (list ${listed()}, diffs ${viewed.size})`,
      )
    }
    if (listedAt === undefined && listed() === n) listedAt = now()
    if (diffedAt === undefined && viewed.size === n) diffedAt = now()
    await new Promise((resolve) => setTimeout(resolve, pollMs()))
  }
  return { listed: listedAt, diffed: diffedAt }
}

/**
 * While every node is up, the entries the shard holds: one per key of the one topic, and
 * cheap to read (the report checks the keys of `presence.list`). Listing 18,000 presences
 * every 25 ms would cost a tenth of the CPU measured.
 */
const held = (presence: Presence) => () => presence.tracker.shards[0]?.state.size ?? 0

/** Presences listed for the topic (hidden ones of a down node excluded). */
const listed = (presence: Presence) => () => presence.tracker.list(TOPIC).length

async function track(presence: Presence, owners: Pid[]): Promise<void> {
  for (let i = 0; i < owners.length; i++) {
    const meta = { online_at: Date.now(), device: DEVICES[i % DEVICES.length] }
    presence.track(owners[i] as Pid, TOPIC, `user:${NODE}:${i}`, meta)
    if ((i + 1) % BATCH === 0) await turn()
  }
  tell({ op: 'tracked', node: NODE, at: now() })
}

async function peersUp(presence: Presence, limitMs: number): Promise<void> {
  const start = now()
  while ((presence.tracker.shards[0]?.replicas.size ?? 0) < PEERS) {
    if (now() - start > limitMs) throw new Error(`${NODE}: peers not seen within ${limitMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

function report(
  presence: Presence,
  counting: CountingAdapter | undefined,
  cpu0: NodeJS.CpuUsage,
): NodeReport {
  const cpu = process.cpuUsage(cpu0)
  return {
    node: NODE,
    cpuUs: cpu.user + cpu.system,
    traffic: counting?.traffic() ?? emptyTraffic(),
    diffs: { ...diffs },
    listedKeys: Object.keys(presence.list(TOPIC)).length,
    diffKeys: viewed.size,
    heapUsed: process.memoryUsage().heapUsed,
  }
}

async function main(): Promise<void> {
  const counting = args.redis
    ? new CountingAdapter(redisAdapter({ channelPrefix: 'benchpres:' }))
    : undefined
  const pubsub: PubSub = await startPubSub({
    name: args.pubsub ?? 'benchpres',
    node: NODE,
    ...(counting ? { adapter: counting } : {}),
  })
  const presence = await startPresence({ pubsub, name: 'scale' })
  pubsub.subscribe(TOPIC, onBroadcast)
  const owners = await Promise.all(
    Array.from({ length: COUNT }, () => spawn({ init: () => null }, undefined)),
  )
  await peersUp(presence, 20_000)
  let cpu0 = process.cpuUsage()
  const stop = async () => {
    await presence.stop()
    await pubsub.stop()
    process.exit(0)
  }
  process.on('message', (request: NodeRequest) => {
    const run = async () => {
      if (request.op === 'go') {
        counting?.reset()
        cpu0 = process.cpuUsage()
        void track(presence, owners)
        tell({
          op: 'converged',
          node: NODE,
          ...(await reach(EXPECT, 120_000, held(presence), () => POLL_MS)),
        })
      } else if (request.op === 'report') {
        tell({ op: 'report', ...report(presence, counting, cpu0) })
      } else if (request.op === 'node-down') {
        nodeDownAt = now()
        presence.nodeDown(request.node)
      } else if (request.op === 'depart') {
        diffs = { count: 0, bytes: 0, maxBytes: 0 }
        const times = await reach(request.expect, 90_000, listed(presence), () =>
          nodeDownAt === undefined ? DEPART_POLL_MS : POLL_MS,
        )
        tell({ op: 'departed', node: NODE, ...times, diffs: { ...diffs }, nodeDownAt })
      } else await stop()
    }
    run().catch((err: unknown) =>
      tell({ op: 'failed', node: NODE, error: String((err as Error).stack ?? err) }),
    )
  })
  tell({ op: 'ready', node: NODE })
}

process.on('disconnect', () => process.exit(0)) // the parent is gone: so is this node
main().catch((err: unknown) => {
  tell({ op: 'failed', node: NODE, error: String((err as Error).stack ?? err) })
  process.exit(1)
})
