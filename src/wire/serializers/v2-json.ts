/**
 * V2 (`vsn=2.0.0`, the official client's default): text frames hold the array
 * `[join_ref, ref, topic, event, payload]`; bytes payloads travel as the
 * binary frames of v2-binary.ts.
 */
import {
  type Broadcast,
  isBinaryPayload,
  isReply,
  type Message,
  REPLY_EVENT,
  type Reply,
} from '../message.ts'
import type { DecodeOptions, Frame, Serializer } from '../serializer.ts'
import { badFrame, objectPayload, parseJson, refField, stringField } from './fields.ts'
import {
  decodeBinaryPush,
  encodeBinaryBroadcast,
  encodeBinaryPush,
  encodeBinaryReply,
} from './v2-binary.ts'

function encodeReply(reply: Reply): Frame {
  const { joinRef, ref, topic, status, payload } = reply
  if (isBinaryPayload(payload)) return encodeBinaryReply(reply, payload)
  return JSON.stringify([joinRef, ref, topic, REPLY_EVENT, { status, response: payload }])
}

function encode(message: Message | Reply): Frame {
  if (isReply(message)) return encodeReply(message)
  const { joinRef, ref, topic, event, payload } = message
  if (isBinaryPayload(payload)) return encodeBinaryPush(message, payload)
  return `[${quoteRef(joinRef)},${quoteRef(ref)},${JSON.stringify(topic)},${JSON.stringify(event)},${JSON.stringify(payload)}]`
}

// Building the array text directly skips a temporary array: measurably faster than stringify([..]).
function quoteRef(ref: string | null): string {
  return ref === null ? 'null' : JSON.stringify(ref)
}

function fastlane(broadcast: Broadcast): Frame {
  const { topic, event, payload } = broadcast
  if (isBinaryPayload(payload)) return encodeBinaryBroadcast(broadcast, payload)
  return `[null,null,${JSON.stringify(topic)},${JSON.stringify(event)},${JSON.stringify(payload)}]`
}

function decode(frame: string | Uint8Array, options: DecodeOptions = {}): Message {
  const binary = options.binary ?? typeof frame !== 'string'
  if (binary) {
    if (typeof frame === 'string') throw badFrame('expected bytes for a binary frame, got a string')
    return decodeBinaryPush(frame)
  }
  const parsed = parseJson(frame)
  // Like Phoenix, elements past the fifth are ignored.
  if (!Array.isArray(parsed) || parsed.length < 5) {
    throw badFrame('expected a JSON array [join_ref, ref, topic, event, payload]')
  }
  const [joinRef, ref, topic, event, payload] = parsed as unknown[]
  return {
    joinRef: refField(joinRef, 'join_ref'),
    ref: refField(ref, 'ref'),
    topic: stringField(topic, 'topic'),
    event: stringField(event, 'event'),
    payload: objectPayload(payload),
  }
}

/** The V2 serializer: JSON arrays in text frames, binary frames for bytes payloads. */
export const v2Json: Serializer = Object.freeze({
  vsn: '2.0.0',
  encode,
  encodeReply,
  fastlane,
  decode,
})
