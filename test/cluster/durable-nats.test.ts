// Durable topics on NATS JetStream (a real server), two nodes, the official
// `phoenix` client: resume on another node, and `recovered: false` past the history.
import { connect } from 'nats'
import { subjectToken } from '../../src/pubsub/adapters/nats.ts'
import { natsAdapter, natsHistory } from '../../src/pubsub/index.ts'
import { crossNodeSuite, startDurableNode } from './durable-support.ts'

const servers = 'nats://127.0.0.1:4222'

crossNodeSuite(
  'NATS',
  4222,
  (name, node) =>
    startDurableNode({
      name,
      node,
      adapter: natsAdapter({ servers }),
      history: natsHistory({ servers, streamOptions: { storage: 'memory' } }),
    }),
  // Each run has its own streams: delete them.
  async (name) => {
    const nc = await connect({ servers })
    const jsm = await nc.jetstreamManager()
    for await (const info of jsm.streams.list()) {
      const stream = info.config.name
      if (stream.startsWith(`CINDER_H_${subjectToken(name)}_`)) await jsm.streams.delete(stream)
    }
    await nc.close()
  },
)
