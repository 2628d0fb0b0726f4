/**
 * Presence: track/untrack throughput on one node and memory per tracked presence, each
 * against the floor of a plain `Map<topic, Map<key, metas>>` (what a single-node server
 * needs at least); and convergence across 3 nodes through Redis (in one process) against
 * the floor of one PubSub message between two of those nodes.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { type Presence, startPresence } from '../../src/presence/index.ts'
import { type Pid, spawn, stopProcess } from '../../src/process/index.ts'
import { type PubSub, redisAdapter, startPubSub } from '../../src/pubsub/index.ts'

const OWNERS = 1_000
const TOPICS = 100
const PER_OWNER = 10 // presences per owner: 10,000 live at the top of each round
const MEMORY_PRESENCES = 100_000
const CONVERGE_PRESENCES = 1_000

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function heapAfterGc(): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

async function owners(n: number): Promise<Pid[]> {
  return Promise.all(Array.from({ length: n }, () => spawn({ init: () => null }, undefined)))
}

/** Lets the event loop turn, as a server does between messages (diffs flush, timers run). */
const turn = () => new Promise((resolve) => setImmediate(resolve))

/** Tracks then untracks OWNERS × PER_OWNER presences per round; ops/s over ~ms. */
async function trackRate(presence: Presence, pids: Pid[], ms: number): Promise<number> {
  const start = performance.now()
  let ops = 0
  while (performance.now() - start < ms) {
    for (let i = 0; i < pids.length; i++) {
      const pid = pids[i] as Pid
      for (let j = 0; j < PER_OWNER; j++) {
        presence.track(pid, `room:${(i + j) % TOPICS}`, `user:${i}`, { online_at: i, device: j })
      }
    }
    for (let i = 0; i < pids.length; i++) {
      const pid = pids[i] as Pid
      for (let j = 0; j < PER_OWNER; j++)
        presence.untrack(pid, `room:${(i + j) % TOPICS}`, `user:${i}`)
    }
    ops += 2 * pids.length * PER_OWNER
    await turn()
  }
  return (ops * 1000) / (performance.now() - start)
}

type Floor = Map<string, Map<string, { meta: object; ref: string; owner: string }[]>>

async function floorRate(pids: Pid[], ms: number): Promise<number> {
  const floor: Floor = new Map()
  let refs = 0
  const start = performance.now()
  let ops = 0
  while (performance.now() - start < ms) {
    for (let i = 0; i < pids.length; i++) {
      const owner = String(pids[i])
      for (let j = 0; j < PER_OWNER; j++) {
        const topic = `room:${(i + j) % TOPICS}`
        const keys = getOr(floor, topic, () => new Map())
        const metas = getOr(keys, `user:${i}`, () => [])
        metas.push({
          meta: { online_at: i, device: j, phx_ref: String(++refs) },
          ref: String(refs),
          owner,
        })
      }
    }
    for (let i = 0; i < pids.length; i++) {
      const owner = String(pids[i])
      for (let j = 0; j < PER_OWNER; j++) {
        const keys = floor.get(`room:${(i + j) % TOPICS}`)
        const metas = keys?.get(`user:${i}`)
        const at = metas?.findIndex((m) => m.owner === owner) ?? -1
        if (metas && at >= 0) metas.splice(at, 1)
        if (metas?.length === 0) keys?.delete(`user:${i}`)
      }
    }
    ops += 2 * pids.length * PER_OWNER
    await turn()
  }
  return (ops * 1000) / (performance.now() - start)
}

function getOr<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  const found = map.get(key)
  if (found !== undefined) return found
  const made = make()
  map.set(key, made)
  return made
}

async function memoryPerPresence(presence: Presence): Promise<{ cinder: number; floor: number }> {
  const pids = await owners(MEMORY_PRESENCES / 10)
  const before = heapAfterGc()
  pids.forEach((pid, i) => {
    for (let j = 0; j < 10; j++) presence.track(pid, `mem:${j}`, `user:${i}`, { online_at: i })
  })
  const cinder = (heapAfterGc() - before) / MEMORY_PRESENCES
  await new Promise((resolve) => setImmediate(resolve)) // let the diffs go out
  for (const pid of pids) presence.untrack(pid)
  const floorBefore = heapAfterGc()
  const floor: Floor = new Map()
  pids.forEach((pid, i) => {
    for (let j = 0; j < 10; j++) {
      const topic = `mem:${j}`
      const keys = getOr(floor, topic, () => new Map())
      const ref = `r${i}.${j}`
      keys.set(`user:${i}`, [{ meta: { online_at: i, phx_ref: ref }, ref, owner: String(pid) }])
    }
  })
  const floorBytes = (heapAfterGc() - floorBefore) / MEMORY_PRESENCES
  if (floor.size === 0) throw new Error('unreachable')
  await Promise.all(pids.map((pid) => stopProcess(pid, 'shutdown')))
  return { cinder, floor: floorBytes }
}

async function redisUp(): Promise<boolean> {
  const { connect } = await import('node:net')
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 6379 })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

async function until(condition: () => boolean, ms: number): Promise<number> {
  const start = performance.now()
  while (!condition()) {
    if (performance.now() - start > ms) throw new Error(`not converged within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  return performance.now() - start
}

/** Time until 2 other nodes list CONVERGE_PRESENCES tracked at once on a third. */
async function convergence(broadcastPeriod: number): Promise<{ cinder: number; floor: number }> {
  const name = `bench-presence-${process.pid}-${Date.now()}-${broadcastPeriod}`
  const pubsubs: PubSub[] = []
  const presences: Presence[] = []
  for (const node of ['b1', 'b2', 'b3']) {
    const pubsub = await startPubSub({ name, node, adapter: redisAdapter() })
    pubsubs.push(pubsub)
    presences.push(await startPresence({ pubsub, name: 'bench', broadcastPeriod }))
  }
  const [a, b, c] = presences as [Presence, Presence, Presence]
  const [pa, pb] = pubsubs as [PubSub, PubSub]
  // Let the nodes discover each other first.
  await until(() => a.tracker.shards[0]?.replicas.size === 2, 10_000)
  await until(
    () => b.tracker.shards[0]?.replicas.size === 2 && c.tracker.shards[0]?.replicas.size === 2,
    10_000,
  )
  // Floor: one PubSub message from a node to another, through the same Redis.
  let got = 0
  pb.subscribe('bench:ping', () => got++)
  const floorStart = performance.now()
  pa.broadcast('bench:ping', { n: 1 })
  await until(() => got === 1, 5_000)
  const floor = performance.now() - floorStart
  const pids = await owners(CONVERGE_PRESENCES)
  const start = performance.now()
  pids.forEach((pid, i) => {
    a.track(pid, 'room:converge', `user:${i}`, { i })
  })
  const count = (p: Presence) => Object.keys(p.list('room:converge')).length
  await until(() => count(b) === CONVERGE_PRESENCES && count(c) === CONVERGE_PRESENCES, 30_000)
  const cinder = performance.now() - start
  await Promise.all(pids.map((pid) => stopProcess(pid, 'shutdown')))
  for (const p of presences) await p.stop()
  for (const p of pubsubs) await p.stop()
  return { cinder, floor }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits })

export async function run(): Promise<string> {
  const pubsub = await startPubSub({ name: `bench-presence-local-${process.pid}` })
  const presence = await startPresence({ pubsub, name: 'bench' })
  const pids = await owners(OWNERS)
  await trackRate(presence, pids, 300) // warm up
  await floorRate(pids, 300)
  const rates = { cinder: [] as number[], floor: [] as number[] }
  for (let round = 0; round < 3; round++) {
    rates.cinder.push(await trackRate(presence, pids, 1000))
    rates.floor.push(await floorRate(pids, 1000))
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0
  const tracks = median(rates.cinder)
  const floorTracks = median(rates.floor)
  const memory = await memoryPerPresence(presence)
  await Promise.all(pids.map((pid) => stopProcess(pid, 'shutdown')))
  await presence.stop()
  await pubsub.stop()

  const rows = [
    `| track + untrack on one node (${fmt(OWNERS * PER_OWNER)} live, ${TOPICS} topics) | ${fmt(tracks)} ops/s | ${fmt(floorTracks)} ops/s | ${fmt(tracks / floorTracks, 2)}× the floor's rate (target ≥ 20,000 ops/s) |`,
    `| memory per tracked presence (${fmt(MEMORY_PRESENCES)} presences) | ${fmt(memory.cinder)} B | ${fmt(memory.floor)} B | ${fmt(memory.cinder / memory.floor, 2)}× the floor |`,
  ]
  if (await redisUp()) {
    for (const period of [1500, 100]) {
      const c = await convergence(period)
      rows.push(
        `| ${fmt(CONVERGE_PRESENCES)} presences tracked on 1 node listed on the 2 others, Redis, broadcast period ${fmt(period)} ms | ${fmt(c.cinder)} ms | ${fmt(c.floor, 1)} ms | ${fmt(c.cinder / c.floor, 1)}× one PubSub hop (bounded by the period) |`,
      )
    }
  } else {
    rows.push(
      '| convergence across 3 nodes through Redis | not measured: no Redis on 127.0.0.1:6379 | | |',
    )
  }
  return [
    '## Presence',
    '',
    `Node ${process.version}, one process. Throughput: ${fmt(OWNERS)} processes each tracking ${PER_OWNER} presences, all untracked again, the event loop turning after each such round of ${fmt(2 * OWNERS * PER_OWNER)} operations (as a server turns between messages: diffs flush), median of 3 one-second runs (diffs batched and broadcast locally, nobody subscribed). Floor: a plain \`Map<topic, Map<key, metas[]>>\` doing the same inserts and deletes. Memory: heap growth after GC. Convergence: 3 nodes in one process, each its own PubSub on the local Redis; floor: one PubSub message between two of them.`,
    '',
    '| measure | Cinder | floor | ratio |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n')
}
