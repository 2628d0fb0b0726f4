/**
 * What a shard knows of its peers (after Phoenix.Tracker.Replica): one record per node name,
 * with the version (`vsn`) of the incarnation last heard from, its status and the time of its
 * last heartbeat. Pure transitions: the caller passes the time and applies the outcome to its
 * `TrackerState` (`replicaUp`, `replicaDown`, `removeReplica`).
 *
 * A node that restarts keeps its name and gets a new vsn, so its old incarnation's entries
 * can be dropped at once instead of waiting for the down period.
 */

import { CinderError, describe } from '../../errors.ts'
import type { ReplicaId } from './clock.ts'

/** A replica as named in messages: node name and incarnation version. */
export interface ReplicaRef {
  readonly name: string
  readonly vsn: number
}

export type PeerStatus = 'up' | 'down' | 'permdown'

/** A peer as seen from this shard. */
export interface Replica extends ReplicaRef {
  readonly status: PeerStatus
  /** Milliseconds, on the clock the caller passes to these functions. */
  readonly lastHeartbeatAt: number
}

/** Peers by node name. */
export type Replicas = ReadonlyMap<string, Replica>

/** The id a `TrackerState` knows a replica by: unambiguous, as the vsn is an integer. */
export function replicaId(ref: ReplicaRef): ReplicaId {
  return `${ref.name}#${ref.vsn}`
}

let vsnCounter = 0

/**
 * A version for a new incarnation: the time in microseconds plus a counter, so incarnations of
 * one name started at different times, or in the same millisecond, never share one.
 */
export function uniqueVsn(nowMs: number = Date.now()): number {
  vsnCounter = (vsnCounter + 1) % 1000
  return Math.floor(nowMs) * 1000 + vsnCounter
}

/** The ref of this node's own replica: its name and a fresh vsn. */
export function newReplicaRef(name: string, vsn: number = uniqueVsn()): ReplicaRef {
  if (typeof name !== 'string' || name === '') {
    throw new CinderError(
      'CINDER_ERR_PRESENCE_BAD_ARG',
      `expected a non-empty node name, got ${describe(name)}`,
    )
  }
  if (!Number.isSafeInteger(vsn)) {
    throw new CinderError(
      'CINDER_ERR_PRESENCE_BAD_ARG',
      `expected an integer vsn, got ${describe(vsn)}`,
    )
  }
  return { name, vsn }
}

/**
 * What a heartbeat changed, and what the shard must do about it:
 * - `discovered`: a new peer; `replicaUp(replica)`.
 * - `alive`: nothing.
 * - `recovered`: a down peer is back before its permanent-down; `replicaUp(replica)`.
 * - `restarted`: the peer came back as a new incarnation; `previous` is gone for good
 *   (`replicaDown` if it was up, then `removeReplica`), then `replicaUp(replica)`.
 */
export type HeartbeatOutcome =
  | { readonly kind: 'discovered' | 'alive' | 'recovered'; readonly replica: Replica }
  | { readonly kind: 'restarted'; readonly replica: Replica; readonly previous: Replica }

/** Records a heartbeat from `ref` received at `now`. */
export function putHeartbeat(
  replicas: Replicas,
  ref: ReplicaRef,
  now: number,
): { replicas: Map<string, Replica>; outcome: HeartbeatOutcome } {
  const previous = replicas.get(ref.name)
  const replica: Replica = { name: ref.name, vsn: ref.vsn, status: 'up', lastHeartbeatAt: now }
  const next = new Map(replicas).set(ref.name, replica)
  const outcome: HeartbeatOutcome =
    previous === undefined
      ? { kind: 'discovered', replica }
      : previous.vsn !== ref.vsn
        ? { kind: 'restarted', replica, previous }
        : { kind: previous.status === 'down' ? 'recovered' : 'alive', replica }
  return { replicas: next, outcome }
}

/**
 * A peer's status change found by `detectDowns`. `down`: `replicaDown(replica)`. `permdown`:
 * `replicaDown` first if `wasUp`, then `removeReplica`; the peer is no longer in the map.
 */
export type DownOutcome =
  | { readonly kind: 'down'; readonly replica: Replica }
  | { readonly kind: 'permdown'; readonly replica: Replica; readonly wasUp: boolean }

/** Periods in milliseconds. `permdownPeriod` must exceed `downPeriod`. */
export interface DownPeriods {
  readonly downPeriod: number
  readonly permdownPeriod: number
}

/**
 * Checks every peer's silence at `now`: silent longer than `downPeriod` makes it down, longer
 * than `permdownPeriod` removes it. Returns the new map and the changes, in map order.
 */
export function detectDowns(
  replicas: Replicas,
  now: number,
  { downPeriod, permdownPeriod }: DownPeriods,
): { replicas: Map<string, Replica>; changes: DownOutcome[] } {
  const next = new Map(replicas)
  const changes: DownOutcome[] = []
  for (const replica of replicas.values()) {
    const silence = now - replica.lastHeartbeatAt
    if (silence > permdownPeriod) {
      next.delete(replica.name)
      const gone: Replica = { ...replica, status: 'permdown' }
      changes.push({ kind: 'permdown', replica: gone, wasUp: replica.status === 'up' })
    } else if (silence > downPeriod && replica.status === 'up') {
      const down: Replica = { ...replica, status: 'down' }
      next.set(replica.name, down)
      changes.push({ kind: 'down', replica: down })
    }
  }
  return { replicas: next, changes }
}

/**
 * Marks the peer named `name` down at once, as if it had been silent for the down period (its
 * node is known to be gone: see `Tracker.nodeDown`). Undefined when no such peer is up. A later
 * heartbeat of the same incarnation makes it `recovered`, as after a silence.
 */
export function markDown(
  replicas: Replicas,
  name: string,
): { replicas: Map<string, Replica>; replica: Replica } | undefined {
  const replica = replicas.get(name)
  if (replica === undefined || replica.status !== 'up') return undefined
  const down: Replica = { ...replica, status: 'down' }
  return { replicas: new Map(replicas).set(name, down), replica: down }
}

/** The peer with exactly this name and vsn, if it is the incarnation known. */
export function fetchByRef(replicas: Replicas, ref: ReplicaRef): Replica | undefined {
  const replica = replicas.get(ref.name)
  return replica?.vsn === ref.vsn ? replica : undefined
}

/** Removes a peer (graceful permdown); returns the new map. */
export function removePeer(replicas: Replicas, ref: ReplicaRef): Map<string, Replica> {
  const next = new Map(replicas)
  if (fetchByRef(replicas, ref)) next.delete(ref.name)
  return next
}

/**
 * Checks the periods the way Phoenix does: the down period must be at least twice the
 * broadcast period (a peer may be silent for up to `maxSilentPeriods` ticks), and the
 * permanent-down period longer than the down period.
 */
export function validatePeriods(broadcastPeriod: number, periods: DownPeriods): void {
  if (!(periods.downPeriod >= 2 * broadcastPeriod)) {
    throw new CinderError(
      'CINDER_ERR_PRESENCE_BAD_ARG',
      `expected downPeriod to be at least twice broadcastPeriod (${2 * broadcastPeriod} ms), got ${describe(periods.downPeriod)}`,
    )
  }
  if (!(periods.permdownPeriod > periods.downPeriod)) {
    throw new CinderError(
      'CINDER_ERR_PRESENCE_BAD_ARG',
      `expected permdownPeriod to be longer than downPeriod (${periods.downPeriod} ms), got ${describe(periods.permdownPeriod)}`,
    )
  }
}
