/**
 * The serializer contract: how messages become frames and back, one
 * implementation per protocol version, picked by the `vsn` connect param.
 */
import type { Broadcast, Message, Reply } from './message.ts'
import { v1Json } from './serializers/v1-json.ts'
import { v2Json } from './serializers/v2-json.ts'

/** A WebSocket frame: text (a string) or binary (bytes). */
export type { Frame } from './connection.ts'

import type { Frame } from './connection.ts'

export interface DecodeOptions {
  /**
   * Whether the frame arrived as a binary frame (WebSocket opcode 2).
   * Default: true for bytes, false for a string. Pass false for text that
   * came as a Buffer (as `ws` delivers it).
   */
  readonly binary?: boolean
}

export interface Serializer {
  /** The protocol version this serializer speaks, e.g. `'2.0.0'`. */
  readonly vsn: string
  /** Encodes a server push (`ref` null) or a reply (anything with a `status`). */
  encode(message: Message | Reply): Frame
  /** Encodes a reply. */
  encodeReply(reply: Reply): Frame
  /** Encodes a broadcast once; the same frame then goes to every subscriber. */
  fastlane(broadcast: Broadcast): Frame
  /** Decodes a client frame; throws CinderError CINDER_ERR_BAD_FRAME (or _FIELD_TOO_LONG) if malformed. */
  decode(frame: string | Uint8Array, options?: DecodeOptions): Message
}

export { v1Json, v2Json }

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(\+[0-9A-Za-z.-]+)?$/

/**
 * The serializer for a client's `vsn` param, as Phoenix negotiates it: a
 * missing vsn means 1.0.0; `~> 1.0.0` and `~> 2.0.0` accept any 1.0.x and
 * 2.0.x (pre-releases excluded). Anything else gives null: answer 403.
 */
export function serializerForVsn(vsn?: string | null): Serializer | null {
  if (vsn === undefined || vsn === null) return v1Json
  const match = SEMVER.exec(vsn)
  if (match?.[2] !== '0') return null
  if (match[1] === '1') return v1Json
  if (match[1] === '2') return v2Json
  return null
}
