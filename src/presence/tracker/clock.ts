/**
 * Vector clocks for the Tracker (after Phoenix.Tracker.Clock).
 *
 * A *context* maps each replica to the highest clock of its that has been seen with no gap
 * below it: `{a: 3}` means dots a:1, a:2 and a:3 are all known. The set of keys matters as
 * much as the numbers: a replica missing from a context is one its owner does not know.
 *
 * Everything here is pure: contexts are read, never changed; results are new maps.
 */

/** A replica's identity in the CRDT: name and version, as built by `replicaId` in replica.ts. */
export type ReplicaId = string

/** A causal context: replica → highest contiguous clock seen. */
export type Context = ReadonlyMap<ReplicaId, number>

/** One replica's context, as carried in heartbeats and transfer requests. */
export interface ReplicaClock {
  readonly replica: ReplicaId
  readonly context: Context
}

/** `a` has seen everything `b` has: `a[r] >= b[r]` for every replica of `b` (missing = 0). */
export function dominates(a: Context, b: Context): boolean {
  for (const [replica, clock] of b) {
    if ((a.get(replica) ?? 0) < clock) return false
  }
  return true
}

/**
 * `a` is at least `b` on the replicas `a` lists (`b` missing = 0). Used on delta ranges, where
 * each range only lists the replicas it touches; an empty `a` only qualifies for an empty `b`.
 */
export function dominatesOnOwn(a: Context, b: Context): boolean {
  if (a.size === 0) return b.size === 0
  for (const [replica, clock] of a) {
    if (clock < (b.get(replica) ?? 0)) return false
  }
  return true
}

/** The least context that dominates both: every replica of either, at the higher clock. */
export function upperbound(a: Context, b: Context): Map<ReplicaId, number> {
  return combine(a, b, Math.max)
}

/** Every replica of either, at the lower clock (a replica in only one keeps its clock). */
export function lowerbound(a: Context, b: Context): Map<ReplicaId, number> {
  return combine(a, b, Math.min)
}

/** The context restricted to the given replicas (a set, or another context's keys). */
export function filterReplicas(
  context: Context,
  keep: { has(replica: ReplicaId): boolean },
): Map<ReplicaId, number> {
  const out = new Map<ReplicaId, number>()
  for (const [replica, clock] of context) {
    if (keep.has(replica)) out.set(replica, clock)
  }
  return out
}

/** Two contexts list the same replicas at the same clocks. */
export function contextEquals(a: Context, b: Context): boolean {
  return a.size === b.size && dominates(a, b) && dominates(b, a)
}

/**
 * Adds a replica's clock to a clockset, keeping only the replicas worth asking for a state
 * transfer: the smallest set whose combined clocks cover every clock seen. A clock already
 * covered by the others adds nothing; one covering the whole set replaces it.
 */
export function appendClock(
  clockset: readonly ReplicaClock[],
  clock: ReplicaClock,
): ReplicaClock[] {
  if (clock.context.size === 0) return [...clockset]
  const combined = clockset.reduce<Context>((acc, c) => upperbound(acc, c.context), new Map())
  if (dominates(clock.context, combined)) return [clock]
  if (dominates(combined, clock.context)) return [...clockset]
  const kept = clockset.filter((other) => !dominates(clock.context, other.context))
  const coveredByOne = kept.some((other) => dominates(other.context, clock.context))
  return coveredByOne ? kept : [clock, ...kept]
}

/** The replicas of a clockset. */
export function clocksetReplicas(clockset: readonly ReplicaClock[]): ReplicaId[] {
  return clockset.map((c) => c.replica)
}

function combine(a: Context, b: Context, pick: (x: number, y: number) => number) {
  const out = new Map(a)
  for (const [replica, clock] of b) {
    const mine = out.get(replica)
    out.set(replica, mine === undefined ? clock : pick(mine, clock))
  }
  return out
}
