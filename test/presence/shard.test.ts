// The shard process: replication between nodes on a memory bus, under a manual clock.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import {
  decodeMessage,
  encodeMessage,
  TRACKER_PROTOCOL_VERSION,
} from '../../src/presence/tracker/envelope.ts'
import { replicaId } from '../../src/presence/tracker/replica.ts'
import { shardTopic } from '../../src/presence/tracker/shard.ts'
import type { Delta, Entry } from '../../src/presence/tracker/state.ts'
import { type Pid, spawn, stopProcess } from '../../src/process/index.ts'
import { type PubSub, startPubSub } from '../../src/pubsub/index.ts'
import { FAST, joinedKeys, leftKeys, listed, ManualTime, settle, TestCluster } from './support.ts'

let time: ManualTime
let cluster: TestCluster
const owners: Pid[] = []

async function owner(): Promise<Pid> {
  const pid = await spawn({ init: () => null }, undefined)
  owners.push(pid)
  return pid
}

beforeEach(() => {
  time = new ManualTime()
  cluster = new TestCluster()
})

afterEach(async () => {
  await cluster.stop()
  for (const pid of owners.splice(0)) await stopProcess(pid, 'shutdown').catch(() => {})
  time.restore()
})

describe('replication', () => {
  test('three nodes converge on each other’s presences, and diffs report the remote joins', async () => {
    const nodes = [await cluster.node('a'), await cluster.node('b'), await cluster.node('c')]
    for (const node of nodes)
      node.tracker.track(await owner(), 'room:1', `user-${node.name}`, { name: node.name })
    await time.advance(3 * FAST.broadcastPeriod)
    const all = ['user-a:a', 'user-b:b', 'user-c:c']
    for (const node of nodes) assert.deepEqual(listed(node, 'room:1'), all, `on ${node.name}`)
    for (const node of nodes)
      assert.deepEqual(joinedKeys(node).sort(), all, `diffs on ${node.name}`)
  })

  test('untrack and update travel with the next heartbeat', async () => {
    const [a, b] = [await cluster.node('a'), await cluster.node('b')]
    const pid = await owner()
    a.tracker.track(pid, 'room:1', 'u1', { name: 'one' })
    a.tracker.track(pid, 'room:1', 'u2', { name: 'two' })
    await time.advance(3 * FAST.broadcastPeriod)
    assert.deepEqual(listed(b, 'room:1'), ['u1:one', 'u2:two'])

    a.tracker.untrack(pid, 'room:1', 'u1')
    const ref = a.tracker.update(pid, 'room:1', 'u2', (old) => ({ ...old, name: 'TWO' }))
    await time.advance(2 * FAST.broadcastPeriod)
    assert.deepEqual(listed(b, 'room:1'), ['u2:TWO'])
    const [meta] = b.tracker.get('room:1', 'u2').map((p) => p.meta)
    assert.equal(meta?.phx_ref, ref)
    assert.equal(typeof meta?.phx_ref_prev, 'string')
    assert.deepEqual(leftKeys(b).sort(), ['u1:one', 'u2:two'])
  })

  test('many topics over a pool of shards converge, each topic on the shard its hash names', async () => {
    const [a, b] = [
      await cluster.node('a', { poolSize: 4 }),
      await cluster.node('b', { poolSize: 4 }),
    ]
    const pid = await owner()
    const topics = Array.from({ length: 20 }, (_, i) => `room:${i}`)
    for (const topic of topics) a.tracker.track(pid, topic, 'k', { name: topic })
    await time.advance(3 * FAST.broadcastPeriod)
    for (const topic of topics) assert.deepEqual(listed(b, topic), [`k:${topic}`])
    const used = new Set(topics.map((t) => a.tracker.shardFor(t).topic))
    assert.ok(used.size > 1, 'topics spread over several shards')
    for (const topic of topics)
      assert.equal(a.tracker.shardFor(topic).topic, b.tracker.shardFor(topic).topic)
  })
})

describe('failures', () => {
  test('a cut node goes down after the down period (leaves), heals back (joins, with what changed meanwhile)', async () => {
    const [a, b, c] = [await cluster.node('a'), await cluster.node('b'), await cluster.node('c')]
    const pc = await owner()
    c.tracker.track(pc, 'room:1', 'c1', { name: 'c1' })
    c.tracker.track(pc, 'room:1', 'c2', { name: 'c2' })
    a.tracker.track(await owner(), 'room:1', 'a1', { name: 'a1' })
    await time.advance(3 * FAST.broadcastPeriod)
    assert.deepEqual(listed(b, 'room:1'), ['a1:a1', 'c1:c1', 'c2:c2'])

    cluster.bus.cut('c')
    c.tracker.untrack(pc, 'room:1', 'c2') // made while cut off: nobody hears of it yet
    await time.advance(FAST.downPeriod - 2 * FAST.broadcastPeriod)
    assert.deepEqual(
      listed(b, 'room:1'),
      ['a1:a1', 'c1:c1', 'c2:c2'],
      'still listed before the down period',
    )
    await time.advance(4 * FAST.broadcastPeriod)
    for (const node of [a, b]) {
      assert.deepEqual(listed(node, 'room:1'), ['a1:a1'], `c hidden on ${node.name}`)
      assert.deepEqual(leftKeys(node).sort(), ['c1:c1', 'c2:c2'])
      assert.equal(node.tracker.shards[0]?.replicas.get('c')?.status, 'down')
    }
    assert.deepEqual(listed(c, 'room:1'), ['c1:c1'], 'c hides a and b too')

    cluster.bus.heal('c')
    await time.advance(4 * FAST.broadcastPeriod)
    for (const node of [a, b, c])
      assert.deepEqual(listed(node, 'room:1'), ['a1:a1', 'c1:c1'], `on ${node.name}`)
    assert.ok(joinedKeys(b).filter((k) => k === 'c1:c1').length >= 2, 'c1 joined again on b')
    // c2, untracked while c was cut off, may show up with c and leave with c's delta: net gone.
    const count = (keys: string[]) => keys.filter((k) => k === 'c2:c2').length
    assert.equal(count(joinedKeys(b)) - count(leftKeys(b)), 0, 'c2 does not come back for good')
  })

  test('a node silent past the permanent-down period is forgotten, then learned again from scratch', async () => {
    const [a, b] = [await cluster.node('a'), await cluster.node('b')]
    b.tracker.track(await owner(), 'room:1', 'b1', { name: 'b1' })
    await time.advance(3 * FAST.broadcastPeriod)
    assert.deepEqual(listed(a, 'room:1'), ['b1:b1'])
    const shardA = a.tracker.shards[0]
    assert.ok(shardA)

    cluster.bus.cut('b')
    await time.advance(FAST.permdownPeriod + 2 * FAST.broadcastPeriod, 100)
    assert.equal(shardA.replicas.has('b'), false)
    assert.equal(shardA.state.size, 0, 'b’s entries are gone, not just hidden')
    assert.deepEqual(listed(a, 'room:1'), [])

    cluster.bus.heal('b')
    await time.advance(6 * FAST.broadcastPeriod)
    assert.equal(shardA.replicas.get('b')?.status, 'up')
    assert.deepEqual(listed(a, 'room:1'), ['b1:b1'])
  })

  test('a clean stop tells peers, who drop its presences at once', async () => {
    const [a, b] = [await cluster.node('a'), await cluster.node('b')]
    b.tracker.track(await owner(), 'room:1', 'b1', { name: 'b1' })
    await time.advance(3 * FAST.broadcastPeriod)
    assert.deepEqual(listed(a, 'room:1'), ['b1:b1'])
    await b.stop()
    await settle()
    assert.deepEqual(listed(a, 'room:1'), [])
    assert.deepEqual(leftKeys(a), ['b1:b1'])
    assert.equal(a.tracker.shards[0]?.replicas.has('b'), false)
  })

  test('a node restarted under the same name replaces its previous incarnation at once', async () => {
    const a = await cluster.node('a')
    const b = await cluster.node('b', { permdownOnShutdown: false })
    b.tracker.track(await owner(), 'room:1', 'old', { name: 'old' })
    await time.advance(3 * FAST.broadcastPeriod)
    assert.deepEqual(listed(a, 'room:1'), ['old:old'])
    await b.stop()
    await time.advance(FAST.broadcastPeriod)
    assert.deepEqual(listed(a, 'room:1'), ['old:old'], 'no graceful permdown: still listed')

    const again = await cluster.node('b')
    again.tracker.track(await owner(), 'room:1', 'new', { name: 'new' })
    await time.advance(3 * FAST.broadcastPeriod)
    assert.deepEqual(listed(a, 'room:1'), ['new:new'])
    assert.ok(leftKeys(a).includes('old:old'))
  })

  test('a stopped owner process is untracked, here and on the peers', async () => {
    const [a, b] = [await cluster.node('a'), await cluster.node('b')]
    const pid = await owner()
    a.tracker.track(pid, 'room:1', 'x', { name: 'x' })
    a.tracker.track(pid, 'room:2', 'y', { name: 'y' })
    await time.advance(3 * FAST.broadcastPeriod)
    assert.deepEqual(listed(b, 'room:2'), ['y:y'])
    await stopProcess(pid, 'shutdown')
    await settle()
    assert.deepEqual([...listed(a, 'room:1'), ...listed(a, 'room:2')], [])
    await time.advance(2 * FAST.broadcastPeriod)
    assert.deepEqual([...listed(b, 'room:1'), ...listed(b, 'room:2')], [])
  })

  test('after a reconnect the node resyncs what it missed, before any down period', async () => {
    const [a, b] = [await cluster.node('a'), await cluster.node('b')]
    const pid = await owner()
    a.tracker.track(pid, 'room:1', 'a1', { name: 'a1' })
    await time.advance(3 * FAST.broadcastPeriod)
    cluster.bus.cut('b')
    a.tracker.track(pid, 'room:1', 'a2', { name: 'a2' })
    a.tracker.untrack(pid, 'room:1', 'a1')
    await time.advance(2 * FAST.broadcastPeriod) // a's delta is lost to b
    assert.deepEqual(listed(b, 'room:1'), ['a1:a1'])
    cluster.bus.heal('b')
    await settle()
    await time.advance(FAST.broadcastPeriod / 2, 10)
    assert.deepEqual(listed(b, 'room:1'), ['a2:a2'])
  })

  test('nodeDown hides a node’s presences at once; its next heartbeat brings them back', async () => {
    const [a, b] = [await cluster.node('a'), await cluster.node('b')]
    const pid = await owner()
    b.tracker.track(pid, 'room:1', 'b1', { name: 'b1' })
    await time.advance(3 * FAST.broadcastPeriod)
    assert.deepEqual(listed(a, 'room:1'), ['b1:b1'])
    cluster.bus.cut('b') // silent, but far from the down period
    a.tracker.nodeDown('b')
    a.tracker.nodeDown('nobody') // unknown: nothing happens
    a.tracker.nodeDown('a') // this node: nothing happens
    await settle()
    assert.deepEqual(listed(a, 'room:1'), [])
    assert.deepEqual(leftKeys(a), ['b1:b1'])
    assert.equal(a.tracker.shards[0]?.replicas.get('b')?.status, 'down')
    assert.equal(a.log.matching(/b is down \(its node is gone\)/).length, 1)
    // It was only slow: a change made meanwhile arrives with the presences.
    b.tracker.track(pid, 'room:1', 'b2', { name: 'b2' })
    cluster.bus.heal('b')
    await time.advance(3 * FAST.broadcastPeriod)
    assert.deepEqual(listed(a, 'room:1'), ['b1:b1', 'b2:b2'])
    assert.throws(() => a.tracker.nodeDown(7 as unknown as string), /expected a node name/)
  })

  test('after a broker restart the nodes reconverge as soon as the last one is back', async () => {
    // A broker restart: every node loses the link, each changes its presences, then they come
    // back one after the other (NATS clients reconnect within a few ms of each other). The
    // first ones' transfer requests reach nobody; the last one's must bring everyone in step,
    // well before a clock sample (two broadcast periods) would.
    const nodes = [await cluster.node('a'), await cluster.node('b'), await cluster.node('c')]
    for (const node of nodes) node.tracker.track(await owner(), 'room:1', node.name, { name: '1' })
    await time.advance(3 * FAST.broadcastPeriod)
    for (const node of nodes) cluster.bus.cut(node.name)
    for (const node of nodes) node.tracker.track(await owner(), 'room:1', `${node.name}2`)
    await time.advance(2 * FAST.broadcastPeriod) // the deltas of these joins are lost
    for (const node of nodes) {
      cluster.bus.heal(node.name)
      await settle()
    }
    await time.advance(FAST.broadcastPeriod / 4, 5)
    const all = ['a2:', 'a:1', 'b2:', 'b:1', 'c2:', 'c:1']
    for (const node of nodes) assert.deepEqual(listed(node, 'room:1'), all, `on ${node.name}`)
  })
})

describe('the protocol, against a hand-driven peer', () => {
  let peer: PubSub
  let seen: unknown[]
  const peerRef = { name: 'z', vsn: 42 }
  const z = replicaId(peerRef)

  async function withPeer() {
    const a = await cluster.node('a')
    peer = await startPubSub({
      name: cluster.pubsubName,
      node: 'z',
      adapter: cluster.bus.adapter(),
      logger: a.log,
    })
    seen = []
    peer.subscribe(shardTopic('presence', 0), (m) => seen.push(m))
    return a
  }

  function entry(clock: number, key: string): Entry {
    return {
      topic: 'room:1',
      key,
      pid: '<z.1>',
      meta: { name: key, phx_ref: `r${clock}` },
      replica: z,
      clock,
    }
  }

  function delta(from: number, to: number, entries: Entry[]): Delta {
    const dots = new Set(Array.from({ length: to - from }, (_, i) => from + i + 1))
    return {
      kind: 'delta',
      start: new Map([[z, from]]),
      end: new Map([[z, to]]),
      cloud: new Map([[z, dots]]),
      values: new Map([[z, new Map(entries.map((e) => [e.clock, e]))]]),
    }
  }

  afterEach(async () => {
    await peer.stop()
  })

  test('a delta past a gap asks its sender for a transfer at once; the ack fills the gap', async () => {
    const a = await withPeer()
    const topic = shardTopic('presence', 0)
    peer.broadcast(
      topic,
      encodeMessage({
        type: 'heartbeat',
        from: peerRef,
        clock: new Map([[z, 0]]),
        delta: undefined,
      }),
    )
    await settle()
    assert.equal(a.tracker.shards[0]?.replicas.get('z')?.status, 'up')

    // Dot 1 was lost: this delta covers 2 only.
    peer.broadcast(
      topic,
      encodeMessage({
        type: 'heartbeat',
        from: peerRef,
        clock: new Map([[z, 2]]),
        delta: delta(1, 2, [entry(2, 'two')]),
      }),
    )
    await settle()
    assert.deepEqual(listed(a, 'room:1'), ['two:two'])
    const requests = seen
      .map(decodeMessage)
      .filter((r) => r.kind === 'message' && r.message.type === 'transfer_req')
    assert.equal(requests.length, 1, 'one transfer request, without waiting for a clock sample')
    const request = requests[0]
    assert.ok(request?.kind === 'message' && request.message.type === 'transfer_req')

    peer.directBroadcast(
      'a',
      topic,
      encodeMessage({
        type: 'transfer_ack',
        from: peerRef,
        ref: request.message.ref,
        state: {
          kind: 'snapshot',
          context: new Map([[z, 2]]),
          cloud: new Map(),
          values: new Map([
            [
              z,
              new Map([
                [1, entry(1, 'one')],
                [2, entry(2, 'two')],
              ]),
            ],
          ]),
        },
      }),
    )
    await settle()
    assert.deepEqual(listed(a, 'room:1'), ['one:one', 'two:two'])
    assert.equal(a.tracker.shards[0]?.state.context.get(z), 2, 'the gap is closed')
  })

  test('a peer speaking another protocol version is refused with one log line', async () => {
    const a = await withPeer()
    const topic = shardTopic('presence', 0)
    const future = {
      ...encodeMessage({ type: 'graceful_permdown', from: peerRef }),
      v: TRACKER_PROTOCOL_VERSION + 1,
    }
    const hb = encodeMessage({
      type: 'heartbeat',
      from: peerRef,
      clock: new Map([[z, 0]]),
      delta: undefined,
    })
    peer.broadcast(topic, future)
    peer.broadcast(topic, { ...hb, v: TRACKER_PROTOCOL_VERSION + 1 })
    await settle()
    const refused = a.log.matching(
      /refused z: it speaks tracker protocol version 2, this node speaks 1/,
    )
    assert.equal(refused.length, 1)
    assert.equal(a.tracker.shards[0]?.replicas.has('z'), false)
  })

  test('corrupt messages are dropped with one log line (rate-limited), and the shard keeps working', async () => {
    const a = await withPeer()
    const topic = shardTopic('presence', 0)
    peer.broadcast(topic, 'garbage')
    peer.broadcast(topic, {
      proto: 'cinder.tracker',
      v: 1,
      type: 'heartbeat',
      from: ['z', 1],
      clock: 'x',
    })
    peer.broadcast(topic, { proto: 'cinder.tracker', v: 1, type: 'nope', from: ['z', 1] })
    await settle()
    assert.equal(a.log.matching(/dropped a malformed message/).length, 1)
    await time.advance(1_100)
    peer.broadcast(topic, [1, 2])
    await settle()
    const lines = a.log.matching(/dropped a malformed message/)
    assert.equal(lines.length, 2)
    assert.match(lines[1] ?? '', /and 2 more/)
    peer.broadcast(
      topic,
      encodeMessage({
        type: 'heartbeat',
        from: peerRef,
        clock: new Map([[z, 0]]),
        delta: undefined,
      }),
    )
    await settle()
    assert.equal(a.tracker.shards[0]?.replicas.get('z')?.status, 'up')
  })

  test('a transfer request is answered with a delta generation when one covers the gap', async () => {
    const a = await withPeer()
    const topic = shardTopic('presence', 0)
    const pid = await owner()
    a.tracker.track(pid, 'room:1', 'k1', { name: 'k1' })
    await time.advance(FAST.broadcastPeriod)
    a.tracker.track(pid, 'room:1', 'k2', { name: 'k2' })
    await time.advance(FAST.broadcastPeriod)
    const aRef = a.tracker.shards[0]?.ref
    assert.ok(aRef)
    const aId = replicaId(aRef)
    // The peer has seen a's first change only.
    peer.directBroadcast(
      'a',
      topic,
      encodeMessage({
        type: 'transfer_req',
        from: peerRef,
        ref: 'q1',
        clock: new Map([
          [aId, 1],
          [z, 0],
        ]),
      }),
    )
    await settle()
    const acks = seen
      .map(decodeMessage)
      .flatMap((r) =>
        r.kind === 'message' && r.message.type === 'transfer_ack' ? [r.message] : [],
      )
    assert.equal(acks.length, 1)
    const ack = acks[0]
    assert.equal(ack?.ref, 'q1')
    assert.equal(ack?.state.kind, 'delta', 'the smallest generation, not the whole state')
    const keys = [...(ack?.state.values.get(aId)?.values() ?? [])].map((e) => e.key).sort()
    assert.ok(keys.includes('k2'))
    // A peer that has seen nothing gets the whole state.
    peer.directBroadcast(
      'a',
      topic,
      encodeMessage({
        type: 'transfer_req',
        from: peerRef,
        ref: 'q2',
        clock: new Map([
          [aId, 0],
          [z, 0],
        ]),
      }),
    )
    await settle()
    const all = seen
      .map(decodeMessage)
      .flatMap((r) =>
        r.kind === 'message' && r.message.type === 'transfer_ack' ? [r.message] : [],
      )
    const second = all.find((m) => m.ref === 'q2')
    assert.ok(second)
    const both = [...(second.state.values.get(aId)?.values() ?? [])].map((e) => e.key).sort()
    assert.deepEqual(both, ['k1', 'k2'])
  })
})
