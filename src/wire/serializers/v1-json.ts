/**
 * V1 (`vsn=1.0.0`, or no vsn): text frames hold objects. Clients send
 * `{topic, event, payload, ref, join_ref?}` (`ref` must be present, even as
 * null); the server writes `{topic, event, payload, ref}` and never
 * `join_ref`. V1 has no binary frames.
 */
import { CinderError } from '../../errors.ts'
import {
  type Broadcast,
  isBinaryPayload,
  isReply,
  type Message,
  type Payload,
  REPLY_EVENT,
  type Reply,
} from '../message.ts'
import type { DecodeOptions, Frame, Serializer } from '../serializer.ts'
import { badFrame, objectPayload, parseJson, refField, stringField } from './fields.ts'

function jsonPayload(payload: Payload): Payload {
  if (!isBinaryPayload(payload)) return payload
  throw new CinderError(
    'CINDER_ERR_UNENCODABLE',
    'expected a JSON object payload: the V1 serializer has no binary frames (the client must use vsn 2.0.0)',
  )
}

function encodeReply(reply: Reply): Frame {
  const { ref, topic, status, payload } = reply
  const response = jsonPayload(payload)
  return JSON.stringify({ topic, event: REPLY_EVENT, payload: { status, response }, ref })
}

function encode(message: Message | Reply): Frame {
  if (isReply(message)) return encodeReply(message)
  const { ref, topic, event, payload } = message
  return JSON.stringify({ topic, event, payload: jsonPayload(payload), ref })
}

function fastlane(broadcast: Broadcast): Frame {
  const { topic, event, payload } = broadcast
  return JSON.stringify({ topic, event, payload: jsonPayload(payload), ref: null })
}

function decode(frame: string | Uint8Array, options: DecodeOptions = {}): Message {
  if (options.binary === true) throw badFrame('the V1 serializer has no binary frames')
  const parsed = parseJson(frame)
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badFrame('expected a JSON object {topic, event, payload, ref}')
  }
  const fields = parsed as Record<string, unknown>
  for (const key of ['topic', 'event', 'payload', 'ref']) {
    if (!Object.hasOwn(fields, key)) throw badFrame(`expected a "${key}" key in the V1 message`)
  }
  const ref = refField(fields.ref, 'ref')
  const event = stringField(fields.event, 'event')
  const joinRef = Object.hasOwn(fields, 'join_ref') ? refField(fields.join_ref, 'join_ref') : null
  return {
    // A V1 join without join_ref uses its ref, as Phoenix does.
    joinRef: joinRef ?? (event === 'phx_join' ? ref : null),
    ref,
    topic: stringField(fields.topic, 'topic'),
    event,
    payload: objectPayload(fields.payload),
  }
}

/** The V1 serializer: JSON objects in text frames. */
export const v1Json: Serializer = Object.freeze({
  vsn: '1.0.0',
  encode,
  encodeReply,
  fastlane,
  decode,
})
