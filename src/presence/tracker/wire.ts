/**
 * Deltas and snapshots as plain JSON data, for the shard to send over PubSub, and the strict
 * decoding of what peers send. Pairs rather than objects keyed by user strings, so a replica,
 * topic or key named `__proto__` is just a string; entries grouped by replica so the replica
 * id is written once.
 *
 *   {"kind":"delta", "start":[[r,c]...], "end":[[r,c]...], "cloud":[[r,[c...]]...],
 *    "values":[[r,[[clock,topic,key,pid,meta]...]]...]}
 *   {"kind":"snapshot", "context":[[r,c]...], "cloud":..., "values":...}
 *
 * A malformed message throws CINDER_ERR_PRESENCE_BAD_REPLICATION: the shard drops it with one
 * log line, as it would a foreign message.
 */

import { CinderError, describe } from '../../errors.ts'
import type { Context, ReplicaId } from './clock.ts'
import type { Cloud, DotMap, Entry, Meta, Replication } from './state.ts'

type WirePairs = [ReplicaId, number][]
type WireCloud = [ReplicaId, number[]][]
type WireEntry = [clock: number, topic: string, key: string, pid: string, meta: Meta]
type WireValues = [ReplicaId, WireEntry[]][]

export type WireReplication =
  | { kind: 'delta'; start: WirePairs; end: WirePairs; cloud: WireCloud; values: WireValues }
  | { kind: 'snapshot'; context: WirePairs; cloud: WireCloud; values: WireValues }

/** A delta or snapshot as JSON-ready data. */
export function encodeReplication(replication: Replication): WireReplication {
  const cloud = [...replication.cloud].map(([r, dots]): [ReplicaId, number[]] => [r, [...dots]])
  const values = [...replication.values].map(([r, dots]): [ReplicaId, WireEntry[]] => [
    r,
    [...dots.values()].map((e): WireEntry => [e.clock, e.topic, e.key, e.pid, e.meta]),
  ])
  return replication.kind === 'delta'
    ? { kind: 'delta', start: [...replication.start], end: [...replication.end], cloud, values }
    : { kind: 'snapshot', context: [...replication.context], cloud, values }
}

/** Reads what a peer sent; throws CINDER_ERR_PRESENCE_BAD_REPLICATION when malformed. */
export function decodeReplication(data: unknown): Replication {
  const msg = record(data, 'a delta or snapshot object')
  const cloud = decodeCloud(msg.cloud)
  const values = decodeValues(msg.values)
  if (msg.kind === 'delta') {
    const start = decodeContext(msg.start, 'start')
    const end = decodeContext(msg.end, 'end')
    return { kind: 'delta', start, end, cloud, values }
  }
  if (msg.kind === 'snapshot') {
    return { kind: 'snapshot', context: decodeContext(msg.context, 'context'), cloud, values }
  }
  return bad('kind "delta" or "snapshot"', msg.kind)
}

function decodeContext(data: unknown, what: string): Context {
  const out = new Map<ReplicaId, number>()
  for (const pair of list(data, `${what} as [replica, clock] pairs`)) {
    const [replica, clock] = tuple(pair, 2, `a [replica, clock] pair in ${what}`)
    out.set(str(replica, 'a replica id'), count(clock, true))
  }
  return out
}

function decodeCloud(data: unknown): Cloud {
  const out = new Map<ReplicaId, ReadonlySet<number>>()
  for (const pair of list(data, 'cloud as [replica, clocks] pairs')) {
    const [replica, clocks] = tuple(pair, 2, 'a [replica, clocks] pair in cloud')
    const dots = list(clocks, 'a list of clocks').map((c) => count(c, false))
    out.set(str(replica, 'a replica id'), new Set(dots))
  }
  return out
}

function decodeValues(data: unknown): DotMap {
  const out = new Map<ReplicaId, Map<number, Entry>>()
  for (const pair of list(data, 'values as [replica, entries] pairs')) {
    const [rawReplica, entries] = tuple(pair, 2, 'a [replica, entries] pair in values')
    const replica = str(rawReplica, 'a replica id')
    const dots = new Map<number, Entry>()
    for (const raw of list(entries, 'a list of entries')) {
      const entry = decodeEntry(replica, raw)
      dots.set(entry.clock, entry)
    }
    out.set(replica, dots)
  }
  return out
}

function decodeEntry(replica: ReplicaId, data: unknown): Entry {
  const [clock, topic, key, pid, meta] = tuple(data, 5, 'an entry [clock, topic, key, pid, meta]')
  return Object.freeze({
    topic: str(topic, 'a topic'),
    key: str(key, 'a key'),
    pid: str(pid, 'a pid'),
    meta: record(meta, 'a meta object'),
    replica,
    clock: count(clock, false),
  })
}

function list(data: unknown, what: string): unknown[] {
  return Array.isArray(data) ? data : bad(what, data)
}

function tuple(data: unknown, length: number, what: string): unknown[] {
  return Array.isArray(data) && data.length === length ? data : bad(what, data)
}

function record(data: unknown, what: string): Record<string, unknown> {
  return typeof data === 'object' && data !== null && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : bad(what, data)
}

function str(data: unknown, what: string): string {
  return typeof data === 'string' ? data : bad(what, data)
}

/** A clock: a positive safe integer (zero allowed in contexts). */
function count(data: unknown, zeroOk: boolean): number {
  const ok = Number.isSafeInteger(data) && (data as number) >= (zeroOk ? 0 : 1)
  return ok
    ? (data as number)
    : bad(zeroOk ? 'a clock (integer ≥ 0)' : 'a dot clock (integer ≥ 1)', data)
}

function bad(expected: string, got: unknown): never {
  throw new CinderError(
    'CINDER_ERR_PRESENCE_BAD_REPLICATION',
    `expected ${expected}, got ${describe(got)}`,
  )
}
