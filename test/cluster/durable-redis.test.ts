// Durable topics on Redis Streams (a real server), two nodes, the official
// `phoenix` client: resume on another node, and `recovered: false` past the history.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { redisAdapter, redisHistory, startPubSub } from '../../src/pubsub/index.ts'
import { uniqueName } from '../contracts/pubsub.ts'
import { requireService } from '../pubsub/service.ts'
import { crossNodeSuite, startDurableNode } from './durable-support.ts'

const url = 'redis://127.0.0.1:6379'

crossNodeSuite('Redis', 6379, (name, node) =>
  startDurableNode({ name, node, adapter: redisAdapter({ url }), history: redisHistory({ url }) }),
)

test("without a history option, the Redis adapter's engine keeps one history for every node", async (t) => {
  const missing = await requireService('Redis', 6379)
  if (missing) return t.skip(missing.skip)
  const name = uniqueName('durable-default')
  const quiet = { info() {}, warn() {}, error() {} }
  const a = await startPubSub({ name, node: 'a', logger: quiet, adapter: redisAdapter({ url }) })
  const b = await startPubSub({ name, node: 'b', logger: quiet, adapter: redisAdapter({ url }) })
  try {
    for (const node of [a, b]) node.durable('d:*')
    a.broadcast('d:x', { n: 1 })
    let seen = await b.recover('d:x')
    const deadline = performance.now() + 5000
    while (seen.position.offset < 1 && performance.now() < deadline) seen = await b.recover('d:x')
    const there = await a.recover('d:x')
    assert.deepEqual(seen.position, there.position) // one epoch, one offset: a shared history
    assert.equal(there.position.offset, 1)
  } finally {
    await a.stop()
    await b.stop()
  }
})
