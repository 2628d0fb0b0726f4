// Public API of wire/: the Phoenix Channels protocol's messages, serializers
// and the connection interface, shared by socket/ and channel/.
export {
  CloseCode,
  type Frame,
  type TransportConnection,
  type TransportName,
} from './connection.ts'
export { Events, HEARTBEAT_TOPIC } from './events.ts'
export type {
  Broadcast as BroadcastMessage,
  JsonObject,
  Message,
  Payload,
  Reply as ReplyMessage,
} from './message.ts'
export {
  type DecodeOptions,
  type Serializer,
  serializerForVsn,
  v1Json,
  v2Json,
} from './serializer.ts'
export { BINARY_KIND } from './serializers/v2-binary.ts'
