// Public API of pubsub/ (re-exported from src/index.ts).
export type { Adapter, AdapterContext } from './adapter.ts'
export {
  type ClusterAdapterOptions,
  type ClusterEvents,
  type ClusterRelay,
  clusterAdapter,
  createClusterRelay,
  type IpcChannel,
  type IpcPort,
  installClusterRelay,
} from './adapters/cluster.ts'
export { localAdapter } from './adapters/local.ts'
export { createMemoryBus, type MemoryBus } from './adapters/memory.ts'
export {
  type NatsAdapterOptions,
  natsAdapter,
} from './adapters/nats.ts'
export {
  type RedisAdapterOptions,
  redisAdapter,
} from './adapters/redis.ts'
export { memoryHistory } from './history/memory.ts'
export { type NatsHistoryOptions, natsHistory } from './history/nats.ts'
export { type RedisHistoryOptions, redisHistory } from './history/redis.ts'
export {
  type DurableLimits,
  type DurableOptions,
  type DurableRecord,
  formatPosition,
  type HistoryContext,
  type HistoryEngine,
  type HistoryEntry,
  type HistoryRead,
  type Position,
  parsePosition,
  type Recovery,
} from './history.ts'
export { defaultNodeName } from './node-name.ts'
export {
  createPubSub,
  type Dispatcher,
  deliver,
  PubSub,
  type PubSubOptions,
  type SubscribeOptions,
  type Subscriber,
  type SubscriberFn,
  startPubSub,
} from './pubsub.ts'
export type { SubscriberEntry } from './subscriptions.ts'
