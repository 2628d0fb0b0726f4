// Durable topics on Redis Streams (a real server), two nodes, the official
// `phoenix` client: resume on another node, and `recovered: false` past the history.
import { redisAdapter, redisHistory } from '../../src/pubsub/index.ts'
import { crossNodeSuite, startDurableNode } from './durable-support.ts'

const url = 'redis://127.0.0.1:6379'

crossNodeSuite('Redis', 6379, (name, node) =>
  startDurableNode({ name, node, adapter: redisAdapter({ url }), history: redisHistory({ url }) }),
)
