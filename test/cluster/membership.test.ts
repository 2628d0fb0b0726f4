// Membership on a memory bus under a manual clock: up and down events, how soon a silent node
// is reported down, recovery after a false down, clean stops, restarts, stalls, options.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { Cluster, startCluster } from '../../src/cluster/index.ts'
import { CinderError } from '../../src/errors.ts'
import { nodeName } from '../../src/process/index.ts'
import { clusterAdapter, createClusterRelay, startPubSub } from '../../src/pubsub/index.ts'
import { Lines, ManualTime, settle } from '../presence/support.ts'
import { described, FAST, MemoryNodes, relayedChannel } from './memory-nodes.ts'

let time: ManualTime
let nodes: MemoryNodes

beforeEach(() => {
  time = new ManualTime()
  nodes = new MemoryNodes()
})

afterEach(async () => {
  await nodes.stop()
  time.restore()
})

describe('membership', () => {
  test('nodes that start hear of each other at once and list every node', async () => {
    const [a, b, c] = [await nodes.node('a'), await nodes.node('b'), await nodes.node('c')]
    await settle()
    for (const node of [a, b, c]) assert.deepEqual(node.cluster.listNodes(), ['a', 'b', 'c'])
    assert.deepEqual(described(a.events).sort(), ['up:b:joined', 'up:c:joined'])
    assert.deepEqual(described(c.events).sort(), ['up:a:joined', 'up:b:joined'])
    assert.equal(a.cluster.incarnationOf('b'), b.cluster.incarnation)
    assert.ok(a.cluster.isUp('a') && a.cluster.isUp('c') && !a.cluster.isUp('z'))
  })

  test('a silent node is reported down within downAfter − ½ interval of going silent, not before downAfter − 2½ intervals', async () => {
    const [a, b] = [await nodes.node('a'), await nodes.node('b')]
    await time.advance(FAST.heartbeatInterval * 3, 10)
    nodes.bus.cut('b')
    const cutAt = time.clock.now()
    let downAt: number | undefined
    a.cluster.onNodeEvent((e) => {
      if (e.type === 'down') downAt = time.clock.now()
    })
    await time.advance(FAST.downAfter + FAST.heartbeatInterval, 10)
    assert.ok(downAt !== undefined, 'reported down')
    const took = downAt - cutAt
    assert.ok(took <= FAST.downAfter - FAST.heartbeatInterval / 2, `down after ${took} ms`)
    assert.ok(took >= FAST.downAfter - 2.5 * FAST.heartbeatInterval, `down after ${took} ms`)
    assert.deepEqual(described(a.events).slice(-1), ['down:b:timeout'])
    assert.deepEqual(a.cluster.listNodes(), ['a'])
    // b's own link is down: it times nobody out meanwhile.
    assert.deepEqual(b.cluster.listNodes(), ['a', 'b'])
    assert.equal(described(b.events).filter((e) => e.startsWith('down')).length, 0)
  })

  test('a node reported down that speaks again is up again (recovered), with its incarnation', async () => {
    const [a] = [await nodes.node('a'), await nodes.node('b')]
    await settle()
    nodes.bus.cut('b')
    await time.advance(FAST.downAfter + FAST.heartbeatInterval, 10)
    nodes.bus.heal('b')
    await time.advance(FAST.heartbeatInterval, 10)
    assert.deepEqual(described(a.events), ['up:b:joined', 'down:b:timeout', 'up:b:recovered'])
    assert.deepEqual(a.cluster.listNodes(), ['a', 'b'])
  })

  test('a clean stop is seen at once (shutdown), and its stray heartbeats do not revive it', async () => {
    const [a, b] = [await nodes.node('a'), await nodes.node('b')]
    await settle()
    await b.cluster.stop()
    await settle()
    assert.deepEqual(described(a.events), ['up:b:joined', 'down:b:shutdown'])
    assert.equal(a.cluster.isUp('b'), false)
    assert.equal(b.cluster.running, false)
  })

  test('a node restarted under its name is down (restarted) then up (joined), at once', async () => {
    const a = await nodes.node('a')
    const b = await nodes.node('b')
    await settle()
    const old = b.cluster.incarnation
    // Gone without a word (as a kill -9), then back at once under the same name.
    await b.pubsub.stop()
    const again = await nodes.node('b')
    await settle()
    assert.notEqual(again.cluster.incarnation, old)
    assert.deepEqual(described(a.events), ['up:b:joined', 'down:b:restarted', 'up:b:joined'])
    assert.equal(a.cluster.incarnationOf('b'), again.cluster.incarnation)
  })

  test('presences are told of downs (not of restarts), before the listeners', async () => {
    const told: string[] = []
    const presence = { nodeDown: (node: string) => told.push(`presence:${node}`) }
    const a = await nodes.node('a', { presences: [presence] })
    a.cluster.onNodeEvent((e) => told.push(`event:${e.type}:${e.node}`))
    const b = await nodes.node('b')
    await settle()
    await b.pubsub.stop()
    await nodes.node('b') // restarted: nothing to tell the presence
    await settle()
    await time.advance(FAST.heartbeatInterval, 10)
    nodes.bus.cut('b')
    await time.advance(FAST.downAfter + FAST.heartbeatInterval, 10)
    assert.deepEqual(told, [
      'event:up:b',
      'event:down:b',
      'event:up:b',
      'presence:b',
      'event:down:b',
    ])
  })

  test('after a stall of this node it times nobody out on the next tick, and says so', async () => {
    const [a] = [await nodes.node('a'), await nodes.node('b')]
    await settle()
    time.clock.advance(FAST.downAfter * 2) // every timer of this process fires late at once
    await settle()
    await time.advance(FAST.heartbeatInterval, 10)
    assert.deepEqual(described(a.events), ['up:b:joined'])
    assert.equal(a.log.matching(/this node stalled for 0\.9 s/).length, 1)
  })

  test('options are checked', async () => {
    const pubsub = nodes.nodes[0]?.pubsub ?? (await nodes.node('x')).pubsub
    const bad = (options: object, pattern: RegExp) =>
      assert.throws(
        () => new Cluster({ pubsub, ...options }),
        (err: unknown) =>
          err instanceof CinderError &&
          err.code === 'CINDER_ERR_CLUSTER_BAD_ARG' &&
          pattern.test(err.message),
      )
    bad({ heartbeatInterval: 0 }, /heartbeatInterval to be a positive number/)
    bad({ heartbeatInterval: 1000, downAfter: 3500 }, /at least 4 × heartbeatInterval \(4000 ms\)/)
    bad({ name: '' }, /non-empty cluster name/)
    bad({ presences: [{}] }, /nodeDown\(node\) method/)
    assert.throws(() => new Cluster(undefined as never), /with a pubsub/)
  })

  test('the runtime node name becomes the PubSub’s, so pids name the node others reach', async () => {
    const a = await nodes.node('a')
    // The first cluster of this test process named the runtime; later ones warn if it differs.
    assert.ok(nodeName() === 'a' || a.log.matching(/pids of this process are named/).length === 1)
  })
})

test('foreign, malformed, other-version and namesake messages are dropped with one line each', async () => {
  const a = await nodes.node('a')
  const peer = await startPubSub({
    name: nodes.pubsubName,
    node: 'z',
    adapter: nodes.bus.adapter(),
    logger: a.log,
  })
  const topic = 'cinder.cluster:cluster'
  const hb = { proto: 'cinder.cluster', pv: 1, t: 'hb', digest: {} }
  peer.broadcast(topic, { ...hb, pv: 2, from: 'z', inc: 'x' })
  peer.broadcast(topic, { ...hb, pv: 2, from: 'z', inc: 'x' })
  peer.broadcast(topic, { ...hb, from: 'a', inc: 'not-mine' })
  peer.broadcast(topic, 'hello')
  peer.broadcast(topic, { ...hb, from: 'z', inc: 7 })
  await settle()
  assert.equal(a.log.matching(/refused z: it speaks cluster protocol version 2/).length, 1)
  assert.equal(a.log.matching(/another node is also named a/).length, 1)
  assert.equal(a.log.matching(/dropped a malformed cluster message/).length, 1)
  assert.deepEqual(a.cluster.listNodes(), ['a'])
  await peer.stop()
})

test('with the cluster adapter, a worker that dies is down at once (worker_exit)', async () => {
  const relay = createClusterRelay({ logger: { info() {}, warn() {}, error() {} } })
  const started = await Promise.all(
    ['w1', 'w2'].map(async (node) => {
      const channel = relayedChannel(relay)
      const log = new Lines()
      const adapter = clusterAdapter({ channel })
      const pubsub = await startPubSub({ name: 'workers', node, adapter, logger: log })
      const cluster = await startCluster({ pubsub, logger: log })
      const events: string[] = []
      cluster.onNodeEvent((e) => events.push(`${e.type}:${e.node}:${e.reason}`))
      return { channel, pubsub, cluster, events }
    }),
  )
  const [w1, w2] = started as [(typeof started)[0], (typeof started)[0]]
  while (!w1.cluster.isUp('w2')) await settle()
  relay.remove(w2.channel.port) // the primary saw w2's process exit
  await settle()
  assert.deepEqual(w1.events, ['up:w2:joined', 'down:w2:worker_exit'])
  for (const w of started) {
    await w.cluster.stop()
    await w.pubsub.stop()
  }
})
