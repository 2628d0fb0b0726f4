// Public API of socket/ (re-exported from src/index.ts).

export { connectionPids } from './connection-supervisor.ts'
export type { SocketLimits } from './limits.ts'
export { type CheckOrigin, compileOriginCheck, type OriginRequest } from './origin.ts'
export { type ChannelRoute, channel } from './routes.ts'
export {
  type ConnectResult,
  defineSocket,
  expireAt,
  Socket,
  type SocketDefinition,
  type SocketSpec,
} from './socket.ts'
export type {
  ConnectInfo,
  ConnectOutcome,
  ConnectRequest,
  ControlFrame,
  TransportCloseReason,
  TransportHandler,
} from './transport.ts'
export { type LongPollOptions, MAX_LONGPOLL_LINES } from './transports/longpoll.ts'
export type { WebSocketOptions } from './transports/websocket.ts'
