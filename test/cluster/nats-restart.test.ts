// A real NATS broker restart under three Trackers (default timings): each node changes its
// presences while the broker is away, and every node lists every change again within a
// second of the broker's return. Before the shards asked back on transfer requests this took
// a clock sample (≈2.2 s) at best and up to two silent-heartbeat rounds (15–31 s) at worst.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTracker, type Tracker } from '../../src/presence/index.ts'
import { type Pid, spawn, stopProcess } from '../../src/process/index.ts'
import { natsAdapter, type PubSub, startPubSub } from '../../src/pubsub/index.ts'
import { NatsServer, requireNatsServer } from './broker.ts'
import { until } from './support.ts'

const quiet = { info() {}, warn() {}, error() {} }
const server = new NatsServer()
const owners: Pid[] = []
let nodes: { name: string; pubsub: PubSub; tracker: Tracker }[] = []
let skip: { skip: string } | undefined

async function owner(): Promise<Pid> {
  const pid = await spawn({ init: () => null }, undefined)
  owners.push(pid)
  return pid
}

function listed(tracker: Tracker): string {
  return tracker
    .list('room:1')
    .map((p) => p.key)
    .sort()
    .join(',')
}

before(async () => {
  skip = await requireNatsServer()
  if (skip) return
  await server.start()
  const name = `nats-restart-${process.pid}-${Date.now()}`
  nodes = await Promise.all(
    ['a', 'b', 'c'].map(async (node) => {
      const adapter = natsAdapter({ servers: server.url })
      const pubsub = await startPubSub({ name, node, adapter, logger: quiet })
      return { name: node, pubsub, tracker: await startTracker({ pubsub, logger: quiet }) }
    }),
  )
})

after(async () => {
  for (const node of nodes) {
    await node.tracker.stop()
    await node.pubsub.stop()
  }
  for (const pid of owners) await stopProcess(pid).catch(() => {})
  await server.close()
})

test('after a NATS restart, changes made meanwhile reach every node within a second', async (t) => {
  if (skip) return t.skip(skip.skip)
  for (const node of nodes) node.tracker.track(await owner(), 'room:1', node.name)
  const views = () => nodes.map((n) => listed(n.tracker)).join(' | ')
  await until(views, () => nodes.every((n) => listed(n.tracker) === 'a,b,c'))

  await server.stop()
  await until(views, () => nodes.every((n) => !n.pubsub.connected), 5000)
  for (const node of nodes) node.tracker.track(await owner(), 'room:1', `${node.name}2`)
  await new Promise((resolve) => setTimeout(resolve, 2000)) // the joins' heartbeats are lost
  await server.start()
  const back = Date.now()
  await until(views, () => nodes.every((n) => n.pubsub.connected), 5000)
  const took = await until(
    views,
    () => nodes.every((n) => listed(n.tracker) === 'a,a2,b,b2,c,c2'),
    5000,
  )
  const total = Date.now() - back
  t.diagnostic(`reconverged ${total} ms after the broker was back (${took} ms after reconnecting)`)
  assert.ok(total < 1000, `reconverged after ${total} ms`)
})
