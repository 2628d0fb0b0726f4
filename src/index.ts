/**
 * Cinder's public API for applications. Everything here is documented in a
 * guide under docs/; authors of adapters, transports, serializers and other
 * integrations find the lower-level pieces in `cinder/extend`, and test
 * helpers are in `cinder/testing`. Nothing else is public.
 */

// Sockets and channels (docs/channels.md, docs/limits.md).
export {
  assign,
  broadcast,
  broadcastFrom,
  type Channel,
  ChannelSocket,
  error,
  ok,
  push,
  replyToPush,
  socketRef,
} from './channel/index.ts'
// The cluster: membership, remote monitors, a cluster-wide registry and supervisor (docs/cluster.md).
export {
  Cluster,
  type ClusterStore,
  createCluster,
  createClusterSupervisor,
  createMemoryStore,
  type NodeEvent,
  startCluster,
  startClusterSupervisor,
  startNatsStore,
  startRedisStore,
} from './cluster/index.ts'
// Observability: Prometheus metrics and the live dashboard (docs/observability.md).
export { liveDashboard } from './dashboard/index.ts'
// The Endpoint and clusters of Node processes (docs/endpoint.md, docs/deploy.md).
export {
  clusterWorkerCount,
  createEndpoint,
  type Endpoint,
  type EndpointOptions,
  runCluster,
} from './endpoint/index.ts'
export { CinderError } from './errors.ts'
// HTTP: Conn, plugs, the Router (docs/http.md, docs/router.md).
export {
  accepts,
  Conn,
  clearSession,
  configureSession,
  createHandler,
  fetchFlash,
  fetchSession,
  getCsrfToken,
  getFlash,
  getSession,
  inject,
  json,
  type Params,
  type Plug,
  type PlugResult,
  parsers,
  pipeline,
  protectFromForgery,
  putFlash,
  putSecureBrowserHeaders,
  putSession,
  Router,
  redirect,
  type SessionOptions,
  sendHtml,
  session,
  staticFiles,
  text,
  Upload,
} from './http/index.ts'
// LiveView (docs/liveview.md).
export {
  AsyncResult,
  allowUpload,
  cancelUpload,
  consumeUploadedEntries,
  createLive,
  each,
  type FunctionComponent,
  html,
  JS,
  type Live,
  type LiveComponent,
  type LiveLayout,
  LiveSocket,
  LiveStream,
  type LiveUpload,
  type LiveView,
  liveComponent,
  liveFileInput,
  liveLink,
  liveRender,
  liveSession,
  raw,
  renderSlot,
  type Slot,
  type Template,
  toForm,
  uploadErrors,
  uploadedEntries,
  usedInput,
} from './live/index.ts'
// Logging and errors (docs/errors.md).
export { type Logger, setLogger } from './logger.ts'
export { createMetrics } from './metrics/index.ts'
// Presence (docs/presence.md).
export {
  createPresence,
  Presence,
  type PresenceOptions,
  startPresence,
} from './presence/index.ts'
// Processes and supervision (docs/processes.md).
export {
  type Behaviour,
  type ChildSpec,
  call,
  cast,
  childSpec,
  currentPid,
  type DownMessage,
  type ExitReason,
  exit,
  type From,
  getClock,
  isAlive,
  isNormalExit,
  link,
  monitor,
  noreply,
  Pid,
  Registry,
  register,
  reply,
  replyTo,
  runApplication,
  type SupervisorOptions,
  self,
  send,
  sendAfter,
  spawn,
  startChild,
  startDynamicSupervisor,
  startSupervisor,
  stop,
  stopProcess,
  type TimerHandle,
  TimerRef,
  terminateChild,
  whereis,
} from './process/index.ts'
// PubSub (docs/pubsub.md).
export {
  type Adapter,
  clusterAdapter,
  createPubSub,
  natsAdapter,
  PubSub,
  type PubSubOptions,
  redisAdapter,
  startPubSub,
} from './pubsub/index.ts'
export {
  channel,
  defineSocket,
  expireAt,
  Socket,
  type SocketLimits,
} from './socket/index.ts'
// The Table (docs/table.md).
export { createTable, P, Table, whereisTable } from './table/index.ts'
// Tokens (docs/tokens.md).
export {
  decryptToken,
  encryptToken,
  signToken,
  verifyToken,
} from './token/index.ts'
export type { Payload } from './wire/index.ts'
