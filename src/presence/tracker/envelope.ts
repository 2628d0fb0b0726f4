/**
 * The messages shard N of each node sends shard N of the others, over the PubSub topic
 * `phx_presence:<tracker>_shard<N>`, and their strict decoding. Pure.
 *
 * Every message is one JSON object with a protocol mark and version, so a node can tell a
 * foreign or corrupt message (dropped) from a peer speaking another version of this protocol
 * (refused, with a log line naming both versions):
 *
 *   {"proto":"cinder.tracker", "v":1, "type":"heartbeat",  "from":[name,vsn], "clock":[[r,c]...], "delta":<wire delta>|null}
 *   {"proto":"cinder.tracker", "v":1, "type":"transfer_req", "from":[name,vsn], "ref":"…", "clock":[[r,c]...]}
 *   {"proto":"cinder.tracker", "v":1, "type":"transfer_ack", "from":[name,vsn], "ref":"…", "state":<wire delta or snapshot>}
 *   {"proto":"cinder.tracker", "v":1, "type":"graceful_permdown", "from":[name,vsn]}
 *
 * `clock` is the sender's causal context (see clock.ts); deltas and snapshots use wire.ts.
 */

import { CinderError, describe } from '../../errors.ts'
import type { Context, ReplicaId } from './clock.ts'
import type { ReplicaRef } from './replica.ts'
import type { Delta, Replication } from './state.ts'
import { decodeReplication, encodeReplication } from './wire.ts'

/** Marks a tracker message among whatever else travels on PubSub. */
export const TRACKER_PROTO = 'cinder.tracker'

/** The version of the replication protocol this code speaks. Bump on any incompatible change. */
export const TRACKER_PROTOCOL_VERSION = 1

/** A message between shards, decoded. */
export type ShardMessage =
  | {
      readonly type: 'heartbeat'
      readonly from: ReplicaRef
      readonly clock: Context
      readonly delta: Delta | undefined
    }
  | {
      readonly type: 'transfer_req'
      readonly from: ReplicaRef
      readonly ref: string
      readonly clock: Context
    }
  | {
      readonly type: 'transfer_ack'
      readonly from: ReplicaRef
      readonly ref: string
      readonly state: Replication
    }
  | { readonly type: 'graceful_permdown'; readonly from: ReplicaRef }

/** What arrived on a shard topic. */
export type Received =
  | { readonly kind: 'message'; readonly message: ShardMessage }
  /** A tracker message of another protocol version: refuse the sender. */
  | { readonly kind: 'version'; readonly version: unknown; readonly node: string | undefined }
  /** Not a tracker message, or a malformed one. */
  | { readonly kind: 'corrupt'; readonly reason: string }

interface WireEnvelope {
  proto: typeof TRACKER_PROTO
  v: number
  type: ShardMessage['type']
  from: [string, number]
  [field: string]: unknown
}

/** A message as JSON-ready data. */
export function encodeMessage(message: ShardMessage): WireEnvelope {
  const head: WireEnvelope = {
    proto: TRACKER_PROTO,
    v: TRACKER_PROTOCOL_VERSION,
    type: message.type,
    from: [message.from.name, message.from.vsn],
  }
  switch (message.type) {
    case 'heartbeat':
      return {
        ...head,
        clock: [...message.clock],
        delta: message.delta ? encodeReplication(message.delta) : null,
      }
    case 'transfer_req':
      return { ...head, ref: message.ref, clock: [...message.clock] }
    case 'transfer_ack':
      return { ...head, ref: message.ref, state: encodeReplication(message.state) }
    case 'graceful_permdown':
      return head
  }
}

/** Reads what arrived on a shard topic; never throws. */
export function decodeMessage(data: unknown): Received {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { kind: 'corrupt', reason: `expected a tracker message object, got ${describe(data)}` }
  }
  const msg = data as Record<string, unknown>
  if (msg.proto !== TRACKER_PROTO) {
    return {
      kind: 'corrupt',
      reason: `expected proto ${TRACKER_PROTO}, got ${describe(msg.proto)}`,
    }
  }
  if (msg.v !== TRACKER_PROTOCOL_VERSION) {
    const from = msg.from
    const node = Array.isArray(from) && typeof from[0] === 'string' ? from[0] : undefined
    return { kind: 'version', version: msg.v, node }
  }
  try {
    return { kind: 'message', message: decodeBody(msg) }
  } catch (err) {
    if (err instanceof CinderError) return { kind: 'corrupt', reason: err.message }
    throw err
  }
}

function decodeBody(msg: Record<string, unknown>): ShardMessage {
  const from = decodeRef(msg.from)
  switch (msg.type) {
    case 'heartbeat':
      return {
        type: 'heartbeat',
        from,
        clock: decodeClock(msg.clock),
        delta: msg.delta === null ? undefined : decodeDelta(msg.delta),
      }
    case 'transfer_req':
      return {
        type: 'transfer_req',
        from,
        ref: decodeString(msg.ref),
        clock: decodeClock(msg.clock),
      }
    case 'transfer_ack':
      return {
        type: 'transfer_ack',
        from,
        ref: decodeString(msg.ref),
        state: decodeReplication(msg.state),
      }
    case 'graceful_permdown':
      return { type: 'graceful_permdown', from }
    default:
      return bad(
        'a message type (heartbeat, transfer_req, transfer_ack, graceful_permdown)',
        msg.type,
      )
  }
}

function decodeRef(data: unknown): ReplicaRef {
  if (
    Array.isArray(data) &&
    data.length === 2 &&
    typeof data[0] === 'string' &&
    data[0] !== '' &&
    Number.isSafeInteger(data[1])
  ) {
    return { name: data[0], vsn: data[1] as number }
  }
  return bad('from as [node name, vsn]', data)
}

function decodeClock(data: unknown): Context {
  if (!Array.isArray(data)) return bad('a clock as [replica, clock] pairs', data)
  const out = new Map<ReplicaId, number>()
  for (const pair of data) {
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      typeof pair[0] !== 'string' ||
      !Number.isSafeInteger(pair[1]) ||
      (pair[1] as number) < 0
    ) {
      return bad('a [replica, clock] pair', pair)
    }
    out.set(pair[0], pair[1] as number)
  }
  return out
}

function decodeDelta(data: unknown): Delta {
  const replication = decodeReplication(data)
  return replication.kind === 'delta' ? replication : bad('a delta in a heartbeat', 'a snapshot')
}

function decodeString(data: unknown): string {
  return typeof data === 'string' ? data : bad('a string ref', data)
}

function bad(expected: string, got: unknown): never {
  throw new CinderError(
    'CINDER_ERR_PRESENCE_BAD_REPLICATION',
    `expected ${expected}, got ${typeof got === 'string' ? got : describe(got)}`,
  )
}
