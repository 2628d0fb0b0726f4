import { localAdapter, startPubSub } from '../../src/pubsub/index.ts'
import { pubsubContract } from '../contracts/pubsub.ts'

pubsubContract('local', async () => ({
  multiNode: false,
  start: (name, node, logger) => startPubSub({ name, node, logger, adapter: localAdapter() }),
  close: async () => {},
}))
