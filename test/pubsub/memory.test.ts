import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createMemoryBus, startPubSub } from '../../src/pubsub/index.ts'
import { inbox, LogCapture, pubsubContract, until } from '../contracts/pubsub.ts'

const bus = createMemoryBus()
pubsubContract('memory', async () => ({
  multiNode: true,
  start: (name, node, logger) => startPubSub({ name, node, logger, adapter: bus.adapter() }),
  inject: async (name, data) => bus.inject(data, name),
  close: async () => {},
}))

test('a node cut off the bus logs the loss once, drops broadcasts, and runs onReconnect when healed', async () => {
  const net = createMemoryBus()
  const log = new LogCapture()
  const a = await startPubSub({ name: 'cut', node: 'a', logger: log, adapter: net.adapter() })
  const b = await startPubSub({ name: 'cut', node: 'b', logger: log, adapter: net.adapter() })
  const remote = inbox()
  b.subscribe('t', remote.fn)
  let reconnects = 0
  a.onReconnect(() => reconnects++)

  net.cut('a')
  net.cut('a')
  assert.equal(a.connected, false)
  a.broadcast('t', 'lost')
  a.broadcast('t', 'lost too')
  net.heal('a')
  assert.equal(a.connected, true)
  assert.equal(reconnects, 1)
  a.broadcast('t', 'after')
  await until(() => remote.messages.length === 1)
  assert.deepEqual(remote.messages, ['after'])
  assert.equal(log.matching(/lost the memory link/).length, 1)
  assert.deepEqual(log.matching(/link is back/).length, 1)
  assert.match(log.matching(/link is back/)[0] ?? '', /2 outgoing broadcasts dropped/)
  await Promise.all([a.stop(), b.stop()])
})
