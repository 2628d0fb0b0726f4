// Public API of endpoint/ (re-exported from src/index.ts).

export {
  type ClusterLogger,
  type ClusterPrimary,
  type ClusterWorker,
  type ClusterWorkerHandle,
  type ClusterWorkerInfo,
  clusterWorkerCount,
  type RunClusterOptions,
  runCluster,
} from './cluster.ts'
export {
  createEndpoint,
  type Endpoint,
  type EndpointOptions,
  type SocketMount,
} from './endpoint.ts'
