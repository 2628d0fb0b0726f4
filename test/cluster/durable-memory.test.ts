// Durable topics with the default in-memory history, on one node, with the
// official `phoenix` client: resume after a disconnect, and the gap beyond
// the history answered `recovered: false`.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { WebSocket } from 'ws'
import { createMemoryBus } from '../../src/pubsub/index.ts'
import { outcome, type PhxChannel, type PhxSocket, Socket } from '../conformance/support.ts'
import { until } from '../contracts/pubsub.ts'
import {
  assertExactly,
  awayAndBack,
  broadcastRange,
  type DurableNode,
  resumingClient,
  startDurableNode,
} from './durable-support.ts'

let node: DurableNode
before(async () => {
  node = await startDurableNode({ name: 'durable-memory', node: 'memory-a' })
})
after(() => node.stop())

test('a client away while 1,000 messages are broadcast gets them all, once, in order, then live ones', async () => {
  const client = await resumingClient(node.url, 'chat:memory')
  assert.equal(client.joins[0]?.recovered, false) // a first join recovers nothing
  broadcastRange(node, 'chat:memory', 0, 5)
  await until(() => client.got.length === 5)
  // Broadcasts while the rejoin reads the history reach its live buffer and the history both.
  node.raceNextResume(async () => broadcastRange(node, 'chat:memory', 1005, 1105))
  await awayAndBack(client, node.url, async () => broadcastRange(node, 'chat:memory', 5, 1005))
  await until(() => client.got.length >= 1105, 10_000)
  assert.equal(client.joins[1]?.recovered, true)
  await new Promise((resolve) => setTimeout(resolve, 50)) // a duplicate would arrive now
  assertExactly(client.got, 0, 1105)
  client.socket.disconnect()
})

test('intercepted events pushed from handleOut carry their position, so the resume is exact too', async () => {
  const client = await resumingClient(node.url, 'out:memory')
  broadcastRange(node, 'out:memory', 0, 5)
  await until(() => client.got.length === 5)
  node.raceNextResume(async () => broadcastRange(node, 'out:memory', 105, 110))
  await awayAndBack(client, node.url, async () => broadcastRange(node, 'out:memory', 5, 105))
  await until(() => client.got.length >= 110, 10_000)
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(client.joins[1]?.recovered, true)
  assertExactly(client.got, 0, 110)
  client.socket.disconnect()
})

test('a gap beyond the history answers recovered: false with the current position', async () => {
  const client = await resumingClient(node.url, 'tiny:memory')
  broadcastRange(node, 'tiny:memory', 0, 3)
  await until(() => client.got.length === 3)
  await awayAndBack(client, node.url, async () => broadcastRange(node, 'tiny:memory', 3, 30))
  const rejoin = client.joins[1]
  assert.equal(rejoin?.recovered, false)
  assert.match(rejoin?.position ?? '', /:30$/)
  broadcastRange(node, 'tiny:memory', 30, 31)
  await until(() => client.got.length === 4)
  assert.deepEqual(client.got, [0, 1, 2, 30]) // nothing replayed, live goes on
  client.socket.disconnect()
})

test('a malformed resume position answers recovered: false, and the channel goes on live', async () => {
  const socket = new Socket(node.url, { transport: WebSocket }) as PhxSocket
  const opened = new Promise<void>((resolve) => socket.onOpen(resolve))
  socket.connect()
  await opened
  try {
    broadcastRange(node, 'chat:bad', 0, 2)
    const bad = ['nonsense', ':5', 'e:-1', 'e:1.5', 'x'.repeat(5000), 42, { epoch: 'e' }, null]
    for (const [i, resume] of bad.entries()) {
      const channel = socket.channel('chat:bad', { resume }) as PhxChannel
      const got: number[] = []
      channel.on('msg', (payload) => got.push((payload as { n: number }).n))
      const [status, reply] = await outcome(channel.join())
      assert.equal(status, 'ok', `resume ${JSON.stringify(resume).slice(0, 20)}`)
      const answer = reply as { recovered?: boolean; position?: string }
      assert.equal(answer.recovered, false)
      assert.match(answer.position ?? '', /:\d+$/)
      broadcastRange(node, 'chat:bad', 2 + i, 3 + i)
      await until(() => got.length === 1)
      assert.deepEqual(got, [2 + i], 'nothing replayed, live goes on')
      channel.leave()
    }
  } finally {
    socket.disconnect()
  }
})

test('a position from another epoch (a restarted node) answers recovered: false', async () => {
  const client = await resumingClient(node.url, 'chat:epoch')
  broadcastRange(node, 'chat:epoch', 0, 2)
  await until(() => client.got.length === 2)
  const restarted = await startDurableNode({ name: 'durable-memory-2', node: 'memory-b' })
  try {
    await awayAndBack(client, restarted.url, async () => {})
    assert.equal(client.joins[1]?.recovered, false)
  } finally {
    client.socket.disconnect()
    await restarted.stop()
  }
})

test('on many nodes, the memory history keeps a copy per node: live everywhere, resume on the node left', async () => {
  const bus = createMemoryBus()
  const a = await startDurableNode({ name: 'durable-bus', node: 'bus-a', adapter: bus.adapter() })
  const b = await startDurableNode({ name: 'durable-bus', node: 'bus-b', adapter: bus.adapter() })
  try {
    const client = await resumingClient(a.url, 'chat:bus')
    broadcastRange(b, 'chat:bus', 0, 3) // from the other node
    await until(() => client.got.length === 3)
    await awayAndBack(client, a.url, async () => broadcastRange(b, 'chat:bus', 3, 10))
    assert.equal(client.joins[1]?.recovered, true)
    await until(() => client.got.length === 10)
    assertExactly(client.got, 0, 10)
    // Another node keeps its own positions: no resume there, and it says so.
    await awayAndBack(client, b.url, async () => broadcastRange(a, 'chat:bus', 10, 12))
    assert.equal(client.joins[2]?.recovered, false)
    client.socket.disconnect()
  } finally {
    await a.stop()
    await b.stop()
  }
})

test('a join the history cannot serve answers history unavailable, and the client retries', async () => {
  const failing = await startDurableNode({ name: 'durable-failing', node: 'failing' })
  const read = failing.pubsub.recover.bind(failing.pubsub)
  let failures = 1
  failing.pubsub.recover = (topic, from) =>
    failures-- > 0 ? Promise.reject(new Error('engine away')) : read(topic, from)
  try {
    const socket = new Socket(failing.url, { transport: WebSocket, rejoinAfterMs: () => 50 })
    socket.connect()
    const channel = socket.channel('chat:failing')
    const replies: unknown[] = []
    channel.join().receive('error', (reply) => replies.push(reply))
    await until(() => channel.state === 'joined', 5000)
    assert.deepEqual(replies, [{ reason: 'history unavailable' }])
    socket.disconnect()
  } finally {
    await failing.stop()
  }
})
