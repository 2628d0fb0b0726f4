/**
 * The messages of the Phoenix Channels protocol, as serializers see them.
 *
 * A payload is either a JSON object or raw bytes. Bytes are a `Uint8Array`
 * (a `Buffer` is one too); the V2 serializer writes them as a binary frame,
 * and binary frames decode to a `Buffer` that is a view into the frame, not
 * a copy. Refs are strings or null, never numbers: the client compares them
 * with `===`.
 */

/** A JSON object payload (what Phoenix accepts in text frames). */
export type JsonObject = { readonly [key: string]: unknown }

/** A payload: a JSON object, or raw bytes for a binary frame. */
export type Payload = JsonObject | Uint8Array

/** `[joinRef, ref, topic, event, payload]`: a client push, or a server push (`ref` null). */
export interface Message {
  readonly joinRef: string | null
  readonly ref: string | null
  readonly topic: string
  readonly event: string
  readonly payload: Payload
}

/** A reply to a client message: event `phx_reply`, payload `{status, response}`. */
export interface Reply {
  readonly joinRef: string | null
  readonly ref: string | null
  readonly topic: string
  /** `"ok"`, `"error"` or any status the channel chose. */
  readonly status: string
  /** The response; bytes make a binary reply frame (V2 only). */
  readonly payload: Payload
}

/** A message to every subscriber of a topic (no refs). */
export interface Broadcast {
  readonly topic: string
  readonly event: string
  readonly payload: Payload
}

/** The event name of replies on the wire. */
export const REPLY_EVENT = 'phx_reply'

/** Whether a payload is raw bytes (a binary frame) rather than a JSON object. */
export function isBinaryPayload(payload: unknown): payload is Uint8Array {
  return payload instanceof Uint8Array
}

/** Whether a message to encode is a reply (it has a `status`). */
export function isReply(message: Message | Reply): message is Reply {
  return 'status' in message
}
