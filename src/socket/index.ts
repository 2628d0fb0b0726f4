// Public API of socket/ (re-exported from src/index.ts).
export type { Broadcast, JsonObject, Message, Payload, Reply } from './message.ts'
export {
  type DecodeOptions,
  type Frame,
  type Serializer,
  serializerForVsn,
  v1Json,
  v2Json,
} from './serializer.ts'
export { BINARY_KIND } from './serializers/v2-binary.ts'
