// Public API of endpoint/ (re-exported from src/index.ts).

export {
  type ClusterPrimary,
  type ClusterWorker,
  type ClusterWorkerHandle,
  type ClusterWorkerInfo,
  clusterWorkerCount,
  type RunClusterOptions,
  runCluster,
} from './cluster.ts'
export { type EndpointUrl, MIN_SECRET_BYTES } from './config.ts'
export type { DrainerOptions } from './drainer.ts'
export {
  createEndpoint,
  type Endpoint,
  type EndpointOptions,
  type SocketMount,
  type SupervisedEndpoint,
} from './endpoint.ts'
export type { EndpointPlugOptions } from './pipeline.ts'
