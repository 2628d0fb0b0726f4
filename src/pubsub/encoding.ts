/**
 * The wire format of a PubSub frame between nodes.
 *
 * A frame is one JSON array, so a node can check it with a few comparisons
 * before it touches the message:
 *
 *     ["cinder.pubsub", 1, origin, topic, dispatcher, flags, message]
 *
 * - `"cinder.pubsub"` marks the frame as ours; anything else on the channel
 *   is foreign and dropped.
 * - `1` is the protocol version. The first three slots (mark, version,
 *   origin) keep their meaning in every version, so a node can name the peer
 *   it refuses.
 * - `origin` is the sending node: a node ignores its own echo.
 * - `dispatcher` is the registered name of the dispatcher the receiving node
 *   applies, or `null` for the default one.
 * - `flags` bit 0 says that `message` holds tagged values (below); when it is
 *   clear the decoder skips the walk over the message.
 * - `message` is the message as JSON, with binary data tagged:
 *   a Buffer or other Uint8Array becomes `{"~b": base64}` (it decodes to a
 *   Buffer), an ArrayBuffer becomes `{"~a": base64}`. A plain object of the
 *   message whose only key is `~b`, `~a` or `~o` is wrapped as `{"~o": object}`
 *   so it cannot be mistaken for a tag.
 *
 * What JSON cannot carry does not cross nodes as itself: `undefined` object
 * fields vanish, a Date becomes its ISO string, a Map or Set becomes `{}`.
 * A message that JSON cannot encode at all (a BigInt, a cycle) is refused at
 * the sender, before any subscriber sees it.
 */
import { CinderError, describe } from '../errors.ts'

/** Marks a frame as a Cinder PubSub frame. */
export const FRAME_MARK = 'cinder.pubsub'
/** The version of the frame layout this build speaks. */
export const PROTOCOL_VERSION = 1

const TAGGED = 1
const BYTES_TAG = '~b'
const ARRAY_BUFFER_TAG = '~a'
const ESCAPE_TAG = '~o'

/** A frame as it came off the wire, once checked. */
export interface Frame {
  readonly origin: string
  readonly topic: string
  /** Name of the dispatcher to apply, or `null` for the default one. */
  readonly dispatcher: string | null
  readonly message: unknown
}

/** The outcome of decoding bytes from the wire. */
export type Decoded =
  | { readonly ok: true; readonly frame: Frame }
  /** Not one of our frames (corrupt, truncated, or another program's data). */
  | { readonly ok: false; readonly kind: 'foreign'; readonly reason: string }
  /** One of our frames, from a node speaking another protocol version. */
  | {
      readonly ok: false
      readonly kind: 'version'
      readonly origin: string
      readonly version: unknown
    }

/**
 * Encodes a frame. Throws `CINDER_ERR_PUBSUB_ENCODE` when the message cannot
 * be carried as JSON.
 */
export function encodeFrame(
  origin: string,
  topic: string,
  dispatcher: string | null,
  message: unknown,
): string {
  const state = { tagged: false }
  let body: string | undefined
  try {
    // Most messages hold no binary: a plain stringify is much cheaper than one with a replacer.
    body = needsTagger(message, 0)
      ? JSON.stringify(message, tagger(state))
      : JSON.stringify(message)
  } catch (err) {
    throw new CinderError(
      'CINDER_ERR_PUBSUB_ENCODE',
      `expected a message JSON can encode (plus Buffers and ArrayBuffers) to broadcast on ${describe(topic)} across nodes, got one that fails: ${(err as Error).message}`,
      { cause: err },
    )
  }
  // JSON.stringify(undefined) and of a bare function give undefined: carry null.
  const head = JSON.stringify([FRAME_MARK, PROTOCOL_VERSION, origin, topic, dispatcher])
  return `${head.slice(0, -1)},${state.tagged ? TAGGED : 0},${body ?? 'null'}]`
}

/** Decodes bytes from the wire; never throws. */
export function decodeFrame(data: string | Uint8Array): Decoded {
  let parsed: unknown
  try {
    parsed = JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'))
  } catch {
    return foreign('not JSON')
  }
  if (!Array.isArray(parsed) || parsed[0] !== FRAME_MARK) return foreign('no cinder.pubsub mark')
  const [, version, origin, topic, dispatcher, flags, message] = parsed as unknown[]
  if (version !== PROTOCOL_VERSION) {
    return {
      ok: false,
      kind: 'version',
      origin: typeof origin === 'string' ? origin : '?',
      version,
    }
  }
  if (
    parsed.length !== 7 ||
    typeof origin !== 'string' ||
    typeof topic !== 'string' ||
    (dispatcher !== null && typeof dispatcher !== 'string') ||
    (flags !== 0 && flags !== TAGGED)
  ) {
    return foreign('malformed frame')
  }
  let value = message
  if (flags === TAGGED) {
    try {
      value = untag(message)
    } catch {
      return foreign('malformed tagged value')
    }
  }
  return { ok: true, frame: { origin, topic, dispatcher, message: value } }
}

function foreign(reason: string): Decoded {
  return { ok: false, kind: 'foreign', reason }
}

// JSON.stringify calls toJSON before the replacer, so the replacer looks at
// `this[key]`, the value as it was (a Buffer, not its {type, data} form).
function tagger(state: { tagged: boolean }) {
  // The wrapper just made for an escaped object: its one field must not be escaped again.
  let wrapper: object | undefined
  return function (this: Record<string, unknown>, key: string, value: unknown): unknown {
    if (this === wrapper) return value
    const raw = this[key]
    if (typeof raw !== 'object' || raw === null) return value
    if (raw instanceof Uint8Array) {
      state.tagged = true
      return {
        [BYTES_TAG]: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64'),
      }
    }
    if (raw instanceof ArrayBuffer) {
      state.tagged = true
      return { [ARRAY_BUFFER_TAG]: Buffer.from(raw).toString('base64') }
    }
    if (value === raw && !Array.isArray(raw) && looksLikeTag(raw)) {
      state.tagged = true
      wrapper = { [ESCAPE_TAG]: raw }
      return wrapper
    }
    return value
  }
}

// Whether `value` holds anything the tagger changes. Objects with their own
// `toJSON` (other than Date) and very deep values take the tagger's path, to be safe.
function needsTagger(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false
  if (depth > 32 || value instanceof Uint8Array || value instanceof ArrayBuffer) return true
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (needsTagger(value[i], depth + 1)) return true
    return false
  }
  if (value instanceof Date) return false
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function' || looksLikeTag(value))
    return true
  const record = value as Record<string, unknown>
  for (const key in record) if (needsTagger(record[key], depth + 1)) return true
  return false
}

function looksLikeTag(value: object): boolean {
  let only: string | undefined
  for (const key in value) {
    if (only !== undefined) return false
    only = key
  }
  return only === BYTES_TAG || only === ARRAY_BUFFER_TAG || only === ESCAPE_TAG
}

// Top-down, so that an escaped object's own fields are not read as a tag.
function untag(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = untag(value[i])
    return value
  }
  const record = value as Record<string, unknown>
  if (looksLikeTag(record)) {
    const bytes = record[BYTES_TAG]
    if (typeof bytes === 'string') return Buffer.from(bytes, 'base64')
    const arrayBuffer = record[ARRAY_BUFFER_TAG]
    if (typeof arrayBuffer === 'string') {
      const buf = Buffer.from(arrayBuffer, 'base64')
      return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
    }
    const escaped = record[ESCAPE_TAG]
    if (typeof escaped !== 'object' || escaped === null || Array.isArray(escaped)) {
      throw new TypeError('bad tag')
    }
    return untagFields(escaped as Record<string, unknown>)
  }
  return untagFields(record)
}

function untagFields(record: Record<string, unknown>): Record<string, unknown> {
  for (const key in record) record[key] = untag(record[key])
  return record
}
