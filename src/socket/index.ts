// Public API of socket/ (re-exported from src/index.ts).

export { connectionPids } from './connection-supervisor.ts'
export type {
  Broadcast as BroadcastMessage,
  JsonObject,
  Message,
  Payload,
  Reply as ReplyMessage,
} from './message.ts'
export { type CheckOrigin, compileOriginCheck, type OriginRequest } from './origin.ts'
export { type ChannelRoute, channel } from './routes.ts'
export {
  type DecodeOptions,
  type Frame,
  type Serializer,
  serializerForVsn,
  v1Json,
  v2Json,
} from './serializer.ts'
export { BINARY_KIND } from './serializers/v2-binary.ts'
export {
  type ConnectResult,
  defineSocket,
  Socket,
  type SocketDefinition,
  type SocketSpec,
} from './socket.ts'
export {
  CloseCode,
  type ConnectInfo,
  type ConnectOutcome,
  type ConnectRequest,
  type ControlFrame,
  type TransportCloseReason,
  type TransportConnection,
  type TransportHandler,
  type TransportName,
} from './transport.ts'
export { type LongPollOptions, MAX_LONGPOLL_LINES } from './transports/longpoll.ts'
export type { WebSocketOptions } from './transports/websocket.ts'
