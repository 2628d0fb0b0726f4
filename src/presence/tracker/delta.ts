/**
 * Delta generations (after Phoenix.Tracker.DeltaGeneration): a few merged deltas of growing
 * size kept by a shard, so that a peer which missed some heartbeats can be answered with a
 * delta covering just what it lacks instead of the whole state.
 *
 * Generation i holds the deltas seen lately, merged, while they fit in `maxSizes[i]`; when one
 * more would overflow it, generation i starts over from generation i-1 (with that delta). So the
 * first generation is the freshest and smallest, the last the oldest and largest. Deltas that
 * are not contiguous with a generation (a gap: some were lost) are not merged into it.
 *
 * The shard pushes every delta it broadcasts or merges, and starts again from `[]` after
 * merging a snapshot (as Phoenix does: the snapshot may have filled gaps no generation shows).
 *
 * Pure functions over immutable values: generations are arrays of `Delta`.
 */

import {
  type Context,
  dominates,
  dominatesOnOwn,
  filterReplicas,
  lowerbound,
  type ReplicaId,
  upperbound,
} from './clock.ts'
import type { Cloud, Delta, DotMap, Entry, Replication, TrackerState } from './state.ts'

/** Phoenix's default sizes: three generations of at most 100, 1,000 and 10,000 changes. */
export const DEFAULT_MAX_DELTA_SIZES: readonly number[] = Object.freeze([100, 1_000, 10_000])

/** The number of changes a delta carries: its entries plus every dot it covers. */
export function deltaSize(delta: Delta): number {
  let size = 0
  for (const dots of delta.values.values()) size += dots.size
  for (const dots of delta.cloud.values()) size += dots.size
  return size
}

/**
 * Whether two deltas can be merged: each one's range must reach the other's start, so that
 * together they cover a span with no hole.
 */
export function contiguous(a: Delta, b: Delta): boolean {
  return dominatesOnOwn(b.end, a.start) && dominatesOnOwn(a.end, b.start)
}

/**
 * Merges two contiguous deltas into one covering both spans; undefined when they are not
 * contiguous. An entry survives unless the other delta has seen its dot and dropped it.
 */
export function mergeDeltas(a: Delta, b: Delta): Delta | undefined {
  if (!contiguous(a, b)) return undefined
  const values = new Map<ReplicaId, Map<number, Entry>>()
  keepUnremoved(values, a.values, b)
  keepUnremoved(values, b.values, a)
  return {
    kind: 'delta',
    start: lowerbound(a.start, b.start),
    end: upperbound(a.end, b.end),
    cloud: unionClouds(a.cloud, b.cloud),
    values,
  }
}

/** Adds a delta to each generation, within its size limit (see the module comment). */
export function pushGeneration(
  generations: readonly Delta[],
  delta: Delta,
  maxSizes: readonly number[] = DEFAULT_MAX_DELTA_SIZES,
): Delta[] {
  if (generations.length !== maxSizes.length) return maxSizes.map(() => delta)
  const out: Delta[] = []
  let previous = delta
  generations.forEach((generation, i) => {
    const merged = mergeDeltas(generation, delta)
    if (merged === undefined) {
      out.push(generation)
      previous = generation
      return
    }
    // Too big: start over from what the smaller generation held, this delta included.
    out.push(fits(merged, maxSizes[i]) ? merged : previous)
    previous = merged
  })
  return out
}

/**
 * The smallest generation that brings a peer at `remoteContext` up to date: one that starts
 * no later than the peer's clocks and holds something the peer has not seen. Only replicas
 * the peer knows are compared.
 */
export function pickGeneration(
  generations: readonly Delta[],
  remoteContext: Context,
): Delta | undefined {
  return generations.find((generation) => {
    const start = filterReplicas(generation.start, remoteContext)
    const end = filterReplicas(generation.end, remoteContext)
    return (
      !dominatesOnOwn(start, end) &&
      dominatesOnOwn(remoteContext, start) &&
      !dominates(remoteContext, end)
    )
  })
}

/**
 * A delta as `remote` may merge it: only replicas `remote` knows (the keys of
 * `remoteContext`), and none of `remote`'s own entries.
 */
export function extractDelta(delta: Delta, remote: ReplicaId, remoteContext: Context): Delta {
  const values = new Map<ReplicaId, ReadonlyMap<number, Entry>>()
  for (const [replica, dots] of delta.values) {
    if (replica !== remote && remoteContext.has(replica)) values.set(replica, dots)
  }
  const cloud = new Map<ReplicaId, ReadonlySet<number>>()
  for (const [replica, dots] of delta.cloud) {
    if (remoteContext.has(replica)) cloud.set(replica, dots)
  }
  return {
    kind: 'delta',
    start: filterReplicas(delta.start, remoteContext),
    end: filterReplicas(delta.end, remoteContext),
    cloud,
    values,
  }
}

/**
 * The answer to a peer's transfer request: the smallest generation that suffices, or else
 * the whole state. Either way filtered to what the peer can merge.
 */
export function transferFor(
  state: TrackerState,
  generations: readonly Delta[],
  remote: ReplicaId,
  remoteContext: Context,
): Replication {
  const generation = pickGeneration(generations, remoteContext)
  return generation
    ? extractDelta(generation, remote, remoteContext)
    : state.extract(remote, remoteContext)
}

/** Drops a permanently gone replica from every generation. */
export function removeReplicaFromGenerations(
  generations: readonly Delta[],
  replica: ReplicaId,
): Delta[] {
  return generations.map((generation) => {
    const without = <T>(map: ReadonlyMap<ReplicaId, T>) => {
      const copy = new Map(map)
      copy.delete(replica)
      return copy
    }
    return {
      kind: 'delta',
      start: without(generation.start),
      end: without(generation.end),
      cloud: without(generation.cloud),
      values: without(generation.values),
    }
  })
}

function fits(delta: Delta, max: number | undefined): boolean {
  return max === undefined || deltaSize(delta) <= max
}

/** Copies `from`'s entries into `into`, except those `other` has seen and does not hold. */
function keepUnremoved(into: Map<ReplicaId, Map<number, Entry>>, from: DotMap, other: Delta): void {
  for (const [replica, dots] of from) {
    const held = other.values.get(replica)
    const seen = other.cloud.get(replica)
    for (const [clock, entry] of dots) {
      if (!held?.has(clock) && seen?.has(clock)) continue
      const target = into.get(replica) ?? new Map<number, Entry>()
      into.set(replica, target.set(clock, entry))
    }
  }
}

function unionClouds(a: Cloud, b: Cloud): Map<ReplicaId, ReadonlySet<number>> {
  const out = new Map<ReplicaId, ReadonlySet<number>>(a)
  for (const [replica, dots] of b) {
    const mine = out.get(replica)
    out.set(replica, mine ? new Set([...mine, ...dots]) : dots)
  }
  return out
}
