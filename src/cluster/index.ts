// Public API of cluster/. See docs/cluster.md.

export type { ClusterChildSpec } from './child-record.ts'
export {
  CLUSTER_DEFAULTS,
  Cluster,
  type ClusterOptions,
  createCluster,
  type NodeDownListener,
  startCluster,
} from './cluster.ts'
export type { NodeDownReason, NodeEvent, NodeUpReason } from './membership.ts'
export { type PidLike, toPid } from './pids.ts'
export { ClusterRegistry, type NameConflict, type RegisteredName } from './registry.ts'
export {
  type ClusterStore,
  createMemoryStore,
  type MemoryStoreOptions,
  type Revision,
  type StoredEntry,
} from './store.ts'
export { type NatsStoreOptions, startNatsStore } from './stores/nats.ts'
export { type RedisStoreOptions, startRedisStore } from './stores/redis.ts'
export {
  type ClusterChild,
  type ClusterChildInfo,
  type ClusterChildStart,
  ClusterSupervisor,
  type ClusterSupervisorOptions,
  createClusterSupervisor,
  startClusterSupervisor,
} from './supervisor.ts'
export { CLUSTER_PROTOCOL_VERSION } from './wire.ts'
