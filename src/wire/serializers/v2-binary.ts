/**
 * V2 binary frames (protocol doc §2.3), used when a payload is bytes. Every
 * string field is prefixed by a one-byte length, so each is at most 255
 * bytes of UTF-8; the payload is the rest of the frame.
 *
 * | kind | direction | header | fields |
 * | ---- | --------- | ------ | ------ |
 * | 0 push      | client → server | 5 bytes | join_ref, ref, topic, event |
 * | 0 push      | server → client | 4 bytes | join_ref, topic, event (no ref) |
 * | 1 reply     | server → client | 5 bytes | join_ref, ref, topic, status |
 * | 2 broadcast | server → client | 3 bytes | topic, event |
 */
import { isUtf8 } from 'node:buffer'
import { CinderError } from '../../errors.ts'
import type { Broadcast, Message, Reply } from '../message.ts'
import { badFrame } from './fields.ts'

/** The kind byte of each binary frame, named once. */
export const BINARY_KIND = { push: 0, reply: 1, broadcast: 2 } as const

const MAX_FIELD_BYTES = 255

/** A server push with a binary payload: kind 0, 4-byte header. */
export function encodeBinaryPush(message: Message, payload: Uint8Array): Buffer {
  return frame(BINARY_KIND.push, [message.joinRef ?? '', message.topic, message.event], payload, [
    'join_ref',
    'topic',
    'event',
  ])
}

/** A reply with a binary response: kind 1, 5-byte header. */
export function encodeBinaryReply(reply: Reply, payload: Uint8Array): Buffer {
  return frame(
    BINARY_KIND.reply,
    [reply.joinRef ?? '', reply.ref ?? '', reply.topic, reply.status],
    payload,
    ['join_ref', 'ref', 'topic', 'status'],
  )
}

/** A broadcast with a binary payload: kind 2, 3-byte header. */
export function encodeBinaryBroadcast(broadcast: Broadcast, payload: Uint8Array): Buffer {
  return frame(BINARY_KIND.broadcast, [broadcast.topic, broadcast.event], payload, [
    'topic',
    'event',
  ])
}

function frame(kind: number, fields: string[], payload: Uint8Array, names: string[]): Buffer {
  const lengths = fields.map((field, i) => {
    const length = Buffer.byteLength(field)
    if (length > MAX_FIELD_BYTES) {
      throw new CinderError(
        'CINDER_ERR_FIELD_TOO_LONG',
        `expected ${names[i]} to be at most ${MAX_FIELD_BYTES} bytes in a binary frame, got ${length} bytes`,
      )
    }
    return length
  })
  const headerLength = 1 + fields.length + lengths.reduce((a, b) => a + b, 0)
  const out = Buffer.allocUnsafe(headerLength + payload.length)
  out[0] = kind
  let offset = 1
  for (const length of lengths) out[offset++] = length
  for (const field of fields) offset += out.write(field, offset, 'utf8')
  out.set(payload, offset)
  return out
}

/** Decodes a client's binary frame: only kind 0 with the 5-byte header exists in that direction. */
export function decodeBinaryPush(bytes: Uint8Array): Message {
  const frame = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (frame.length < 5) {
    throw badFrame(`truncated binary frame: expected a 5-byte header, got ${frame.length} byte(s)`)
  }
  const kind = frame[0]
  if (kind !== BINARY_KIND.push) {
    const known = kind === BINARY_KIND.reply || kind === BINARY_KIND.broadcast
    throw badFrame(
      known
        ? `binary frame kind ${kind} is sent by servers, not clients`
        : `unknown binary frame kind ${kind} (expected 0, a push)`,
    )
  }
  const reader = { frame, at: 5 }
  const joinRef = field(reader, frame[1] ?? 0, 'join_ref')
  const ref = field(reader, frame[2] ?? 0, 'ref')
  const topic = field(reader, frame[3] ?? 0, 'topic')
  const event = field(reader, frame[4] ?? 0, 'event')
  // An empty ref is how a binary frame says "none".
  return {
    joinRef: joinRef || null,
    ref: ref || null,
    topic,
    event,
    payload: frame.subarray(reader.at),
  }
}

function field(reader: { readonly frame: Buffer; at: number }, size: number, name: string): string {
  const { frame, at } = reader
  const end = at + size
  if (end > frame.length) {
    throw badFrame(`truncated binary frame: ${name} ends at byte ${end}, frame has ${frame.length}`)
  }
  reader.at = end
  // Refs, topics and events are nearly always ASCII: check that first, it is cheaper than isUtf8.
  let ascii = true
  for (let i = at; i < end && ascii; i++) ascii = (frame[i] ?? 0) < 0x80
  if (ascii) return frame.toString('latin1', at, end)
  if (!isUtf8(frame.subarray(at, end))) throw badFrame(`${name} in binary frame is not valid UTF-8`)
  return frame.toString('utf8', at, end)
}
