/**
 * The Tracker's replicated state: an add-wins, observed-remove set of presences with a causal
 * context, in delta-state form (after Phoenix.Tracker.State). Pure: no processes, no timers,
 * no network. A shard process owns one `TrackerState`, feeds it local joins and leaves and the
 * deltas and snapshots its peers send, and broadcasts the diffs every call returns.
 *
 * How it works:
 * - Every local join or leave takes the next *dot* of this replica (`replica`, `clock + 1`).
 *   A join stores the entry under its dot; a leave deletes the entry and keeps its dot as
 *   "seen", which is how peers learn of the removal.
 * - What has been seen is the *context* (per replica, the highest clock with no gap below it)
 *   plus the *cloud* (dots seen beyond a gap, e.g. after a lost delta). Contiguous cloud dots
 *   are folded into the context as they arrive.
 * - Merging a peer's delta or snapshot adds each entry whose dot is new here, and removes each
 *   entry the peer has seen (its dot is in the peer's context or cloud) but no longer holds.
 *   That is the whole CRDT: merge is commutative, associative and idempotent.
 * - The changes since the last broadcast are also gathered in a pending delta (its values,
 *   and every dot it covers); `takeDelta` hands it over for the next heartbeat.
 *
 * Rules the owner keeps: pids are local to a replica (the same pid string on two replicas
 * names two processes), only this replica joins or leaves its own entries, and entries of a
 * replica are accepted only once `replicaUp` made it known.
 */

import { CinderError, describe } from '../../errors.ts'
import type { Context, ReplicaClock, ReplicaId } from './clock.ts'

export type { Context, ReplicaId } from './clock.ts'

/** A tracked process, as a string (the process runtime's `pid.toString()`). */
export type Pid = string

/** The metadata of one presence: any JSON object. */
export type Meta = Readonly<Record<string, unknown>>

/** One tracked presence. Its dot (`replica`, `clock`) names this exact instance. */
export interface Entry {
  readonly topic: string
  readonly key: string
  readonly pid: Pid
  readonly meta: Meta
  readonly replica: ReplicaId
  readonly clock: number
}

/** What an operation changed, in the shape the shard reports to Presence. */
export interface Diff {
  readonly joins: readonly Entry[]
  readonly leaves: readonly Entry[]
}

/** Dots seen beyond a context: replica → clocks. */
export type Cloud = ReadonlyMap<ReplicaId, ReadonlySet<number>>

/** Entries by dot: replica → clock → entry. */
export type DotMap = ReadonlyMap<ReplicaId, ReadonlyMap<number, Entry>>

/**
 * The changes of a span of time. `cloud` holds every dot the delta covers: the dots of the
 * entries in `values` and those of removed entries. `start`/`end` bound the clocks it spans
 * per replica; they let delta generations tell whether two deltas are contiguous.
 */
export interface Delta {
  readonly kind: 'delta'
  readonly start: Context
  readonly end: Context
  readonly cloud: Cloud
  readonly values: DotMap
}

/** A whole state, as sent in a transfer: what the sender has seen and what it holds. */
export interface Snapshot {
  readonly kind: 'snapshot'
  readonly context: Context
  readonly cloud: Cloud
  readonly values: DotMap
}

/** Anything a state can merge. */
export type Replication = Delta | Snapshot

/** A replica's status as this state sees it: a down replica's entries are hidden. */
export type ReplicaStatus = 'up' | 'down'

const NO_DIFF: Diff = Object.freeze({ joins: [], leaves: [] })

export class TrackerState {
  /** This replica. */
  readonly replica: ReplicaId
  #context = new Map<ReplicaId, number>()
  #cloud = new Map<ReplicaId, Set<number>>()
  #values = new Map<ReplicaId, Map<number, Entry>>()
  #byTopic = new Map<string, Map<string, Set<Entry>>>()
  #localByPid = new Map<Pid, Map<string, Entry>>()
  #status = new Map<ReplicaId, ReplicaStatus>()
  #pending: PendingDelta

  constructor(replica: ReplicaId) {
    this.replica = replica
    this.#context.set(replica, 0)
    this.#status.set(replica, 'up')
    this.#pending = newPending(replica, 0)
  }

  // --- Local operations ----------------------------------------------------------------

  /** Tracks `pid` under `topic`/`key`. Throws when that pid already tracks that key there. */
  join(pid: Pid, topic: string, key: string, meta: Meta): Entry {
    const existing = this.get(pid, topic, key)
    if (existing) {
      throw new CinderError(
        'CINDER_ERR_PRESENCE_ALREADY_TRACKED',
        `expected pid ${describe(pid)} not to track key ${describe(key)} on topic ${describe(topic)} yet, got it tracked since clock ${existing.clock}`,
      )
    }
    return this.#add(pid, topic, key, meta)
  }

  /** Replaces a tracked presence's meta: a leave of the old entry and a join of a new one. */
  update(pid: Pid, topic: string, key: string, meta: Meta): { previous: Entry; current: Entry } {
    const previous = this.get(pid, topic, key)
    if (!previous) {
      throw new CinderError(
        'CINDER_ERR_PRESENCE_NOT_TRACKED',
        `expected pid ${describe(pid)} to track key ${describe(key)} on topic ${describe(topic)}, got nothing tracked`,
      )
    }
    this.#removeLocal(previous)
    return { previous, current: this.#add(pid, topic, key, meta) }
  }

  /** Untracks one presence of `pid`; returns it, or undefined when it was not tracked. */
  leave(pid: Pid, topic: string, key: string): Entry | undefined {
    const entry = this.get(pid, topic, key)
    if (entry) this.#removeLocal(entry)
    return entry
  }

  /** Untracks every presence of `pid` (its process stopped); returns them. */
  leaveAll(pid: Pid): Entry[] {
    const entries = this.getByPid(pid)
    for (const entry of entries) this.#removeLocal(entry)
    return entries
  }

  // --- Queries -------------------------------------------------------------------------

  /** This replica's entry for `pid`/`topic`/`key`. */
  get(pid: Pid, topic: string, key: string): Entry | undefined {
    return this.#localByPid.get(pid)?.get(localKey(topic, key))
  }

  /** Whether `pid` tracks anything on this replica. */
  hasPid(pid: Pid): boolean {
    return this.#localByPid.has(pid)
  }

  /** This replica's entries for `pid`. */
  getByPid(pid: Pid): Entry[] {
    return [...(this.#localByPid.get(pid)?.values() ?? [])]
  }

  /** The entries of a topic, on every replica that is up. */
  getByTopic(topic: string): Entry[] {
    const out: Entry[] = []
    for (const entries of this.#byTopic.get(topic)?.values() ?? []) this.#pushVisible(out, entries)
    return out
  }

  /** The entries of one key of a topic, on every replica that is up. */
  getByKey(topic: string, key: string): Entry[] {
    const out: Entry[] = []
    this.#pushVisible(out, this.#byTopic.get(topic)?.get(key) ?? [])
    return out
  }

  /** Every entry on a replica that is up. */
  online(): Entry[] {
    const out: Entry[] = []
    for (const [replica, dots] of this.#values) {
      if (this.isVisible(replica)) out.push(...dots.values())
    }
    return out
  }

  /** The number of entries held, hidden ones included. */
  get size(): number {
    let n = 0
    for (const dots of this.#values.values()) n += dots.size
    return n
  }

  /** Whether entries of `replica` are listed (it is known and not down). */
  isVisible(replica: ReplicaId): boolean {
    return this.#status.get(replica) === 'up'
  }

  /** The replicas this state knows, with their status. */
  get replicas(): ReadonlyMap<ReplicaId, ReplicaStatus> {
    return this.#status
  }

  /** What this state has seen, with no gap (read-only view). */
  get context(): Context {
    return this.#context
  }

  /** Dots seen beyond a gap (read-only view). Empty once every gap is filled. */
  get cloud(): Cloud {
    return this.#cloud
  }

  /**
   * The clock to send in heartbeats and transfer requests. Down replicas are left out, as
   * deltas leave them out: else a replica that came up after one went down would keep asking
   * this one for a transfer its clock can never catch up with.
   */
  clocks(): ReplicaClock {
    const context = new Map(this.#context)
    for (const [replica, status] of this.#status) {
      if (status === 'down') context.delete(replica)
    }
    return { replica: this.replica, context }
  }

  // --- Replication ---------------------------------------------------------------------

  /** Whether anything changed since the last `takeDelta`. */
  hasDelta(): boolean {
    for (const dots of this.#pending.cloud.values()) if (dots.size > 0) return true
    return false
  }

  /** Hands over the pending delta (the changes since the last call) and starts a new one. */
  takeDelta(): Delta | undefined {
    if (!this.hasDelta()) return undefined
    const own = this.#context.get(this.replica) ?? 0
    const { start, values, cloud } = this.#pending
    this.#pending = newPending(this.replica, own)
    return { kind: 'delta', start, end: new Map([[this.replica, own]]), cloud, values }
  }

  /**
   * The whole state as `remote` may merge it: only replicas `remote` knows (the keys of
   * `remoteContext`), and none of `remote`'s own entries, which it holds better than anyone.
   */
  extract(remote: ReplicaId, remoteContext: Context): Snapshot {
    const values = new Map<ReplicaId, Map<number, Entry>>()
    for (const [replica, dots] of this.#values) {
      if (replica !== remote && remoteContext.has(replica) && dots.size > 0) {
        values.set(replica, new Map(dots))
      }
    }
    const context = new Map<ReplicaId, number>()
    for (const [replica, clock] of this.#context) {
      if (remoteContext.has(replica)) context.set(replica, clock)
    }
    const cloud = new Map<ReplicaId, Set<number>>()
    for (const [replica, dots] of this.#cloud) {
      if (remoteContext.has(replica) && dots.size > 0) cloud.set(replica, new Set(dots))
    }
    return { kind: 'snapshot', context, cloud, values }
  }

  /**
   * Merges a peer's delta or snapshot. Returns the entries that appeared and disappeared, on
   * replicas that are up (a down replica's changes are applied but stay hidden).
   * Entries of replicas this state does not know are ignored, as are removals of its own.
   */
  merge(remote: Replication): Diff {
    const joins = this.#unseenEntries(remote)
    const leaves = this.#observedRemoves(remote)
    for (const entry of leaves) this.#deleteEntry(entry)
    for (const entry of joins) this.#insertEntry(entry)
    for (const entry of leaves) removeDot(this.#pending, entry)
    this.#absorbContext(remote)
    return {
      joins: joins.filter((e) => this.isVisible(e.replica)),
      leaves: leaves.filter((e) => this.isVisible(e.replica)),
    }
  }

  // --- Replica lifecycle ---------------------------------------------------------------

  /** Marks `replica` up (known, listed). Returns its entries as joins when it was down. */
  replicaUp(replica: ReplicaId): Diff {
    const was = this.#status.get(replica)
    if (!this.#context.has(replica)) this.#context.set(replica, 0)
    this.#status.set(replica, 'up')
    return was === 'down' ? { joins: this.#entriesOf(replica), leaves: [] } : NO_DIFF
  }

  /** Marks `replica` down: its entries are kept but hidden. Returns them as leaves. */
  replicaDown(replica: ReplicaId): Diff {
    this.#refuseOwn(replica, 'marked down')
    const was = this.#status.get(replica)
    if (was === undefined) return NO_DIFF
    this.#status.set(replica, 'down')
    return was === 'up' ? { joins: [], leaves: this.#entriesOf(replica) } : NO_DIFF
  }

  /**
   * Forgets `replica` for good (permanently down): its entries, its clocks, its dots. Its
   * entries that were still listed come back as leaves. Later entries of it are refused until
   * it is made known again with `replicaUp`.
   */
  removeReplica(replica: ReplicaId): Diff {
    this.#refuseOwn(replica, 'removed')
    const leaves = this.isVisible(replica) ? this.#entriesOf(replica) : []
    for (const entry of this.#entriesOf(replica)) this.#deleteEntry(entry)
    this.#values.delete(replica)
    this.#context.delete(replica)
    this.#cloud.delete(replica)
    this.#status.delete(replica)
    this.#pending.values.delete(replica)
    this.#pending.cloud.delete(replica)
    return leaves.length === 0 ? NO_DIFF : { joins: [], leaves }
  }

  // --- Internals -----------------------------------------------------------------------

  #add(pid: Pid, topic: string, key: string, meta: Meta): Entry {
    const clock = this.#bump()
    const entry: Entry = Object.freeze({ topic, key, pid, meta, replica: this.replica, clock })
    this.#insertEntry(entry)
    dotsOf(this.#pending.values, this.replica).set(clock, entry)
    return entry
  }

  #removeLocal(entry: Entry): void {
    this.#deleteEntry(entry)
    removeDot(this.#pending, entry)
    this.#bump()
  }

  /** Takes the next dot of this replica; the pending delta covers it. */
  #bump(): number {
    const clock = (this.#context.get(this.replica) ?? 0) + 1
    this.#context.set(this.replica, clock)
    cloudOf(this.#pending.cloud, this.replica).add(clock)
    return clock
  }

  #seen(replica: ReplicaId, clock: number): boolean {
    return (
      (this.#context.get(replica) ?? 0) >= clock || this.#cloud.get(replica)?.has(clock) === true
    )
  }

  #unseenEntries(remote: Replication): Entry[] {
    const out: Entry[] = []
    for (const [replica, dots] of remote.values) {
      if (!this.#context.has(replica)) continue
      for (const [clock, entry] of dots) {
        if (!this.#seen(replica, clock)) out.push(entry)
      }
    }
    return out
  }

  /** Entries of other replicas that `remote` has seen but no longer holds. */
  #observedRemoves(remote: Replication): Entry[] {
    const out: Entry[] = []
    const gone = (e: Entry) => remote.values.get(e.replica)?.has(e.clock) !== true
    for (const [replica, clocks] of remote.cloud) {
      const mine = this.#values.get(replica)
      if (replica === this.replica || !mine) continue
      for (const clock of clocks) {
        const entry = mine.get(clock)
        if (entry && gone(entry)) out.push(entry)
      }
    }
    if (remote.kind === 'delta') return out
    for (const [replica, upTo] of remote.context) {
      const mine = this.#values.get(replica)
      if (replica === this.replica || !mine) continue
      for (const entry of mine.values()) {
        if (entry.clock <= upTo && gone(entry) && !remote.cloud.get(replica)?.has(entry.clock)) {
          out.push(entry)
        }
      }
    }
    return out
  }

  /** Adds what `remote` has seen (on replicas known here) to this state's causal context. */
  #absorbContext(remote: Replication): void {
    const touched = new Set<ReplicaId>()
    if (remote.kind === 'snapshot') {
      for (const [replica, clock] of remote.context) {
        const mine = this.#context.get(replica)
        if (mine !== undefined && clock > mine) {
          this.#context.set(replica, clock)
          touched.add(replica)
        }
      }
    }
    for (const [replica, clocks] of remote.cloud) {
      if (!this.#context.has(replica) || clocks.size === 0) continue
      const mine = cloudOf(this.#cloud, replica)
      for (const clock of clocks) mine.add(clock)
      touched.add(replica)
    }
    for (const replica of touched) this.#compact(replica)
  }

  /** Folds the contiguous dots of `replica`'s cloud into its context. */
  #compact(replica: ReplicaId): void {
    const dots = this.#cloud.get(replica)
    if (!dots) return
    let clock = this.#context.get(replica) ?? 0
    while (dots.delete(clock + 1)) clock++
    this.#context.set(replica, clock)
    for (const dot of dots) if (dot <= clock) dots.delete(dot)
    if (dots.size === 0) this.#cloud.delete(replica)
  }

  #insertEntry(entry: Entry): void {
    dotsOf(this.#values, entry.replica).set(entry.clock, entry)
    const keys = getOrInsert(this.#byTopic, entry.topic, () => new Map<string, Set<Entry>>())
    getOrInsert(keys, entry.key, () => new Set<Entry>()).add(entry)
    if (entry.replica !== this.replica) return
    const byPid = getOrInsert(this.#localByPid, entry.pid, () => new Map<string, Entry>())
    byPid.set(localKey(entry.topic, entry.key), entry)
  }

  #deleteEntry(entry: Entry): void {
    this.#values.get(entry.replica)?.delete(entry.clock)
    const keys = this.#byTopic.get(entry.topic)
    const entries = keys?.get(entry.key)
    entries?.delete(entry)
    if (entries?.size === 0) keys?.delete(entry.key)
    if (keys?.size === 0) this.#byTopic.delete(entry.topic)
    if (entry.replica !== this.replica) return
    const byPid = this.#localByPid.get(entry.pid)
    byPid?.delete(localKey(entry.topic, entry.key))
    if (byPid?.size === 0) this.#localByPid.delete(entry.pid)
  }

  #entriesOf(replica: ReplicaId): Entry[] {
    return [...(this.#values.get(replica)?.values() ?? [])]
  }

  #pushVisible(out: Entry[], entries: Iterable<Entry>): void {
    for (const entry of entries) if (this.isVisible(entry.replica)) out.push(entry)
  }

  #refuseOwn(replica: ReplicaId, what: string): void {
    if (replica === this.replica) {
      throw new CinderError(
        'CINDER_ERR_PRESENCE_BAD_ARG',
        `expected another replica than this state's own to be ${what}, got ${describe(replica)}`,
      )
    }
  }
}

/** The changes gathered since the last broadcast. */
interface PendingDelta {
  readonly start: Context
  readonly values: Map<ReplicaId, Map<number, Entry>>
  readonly cloud: Map<ReplicaId, Set<number>>
}

function newPending(replica: ReplicaId, clock: number): PendingDelta {
  return { start: new Map([[replica, clock]]), values: new Map(), cloud: new Map() }
}

/** The pending delta now says: this entry's dot is seen, and the entry is gone. */
function removeDot(pending: PendingDelta, entry: Entry): void {
  const dots = pending.values.get(entry.replica)
  dots?.delete(entry.clock)
  if (dots?.size === 0) pending.values.delete(entry.replica)
  cloudOf(pending.cloud, entry.replica).add(entry.clock)
}

function dotsOf(values: Map<ReplicaId, Map<number, Entry>>, replica: ReplicaId) {
  return getOrInsert(values, replica, () => new Map<number, Entry>())
}

function cloudOf(cloud: Map<ReplicaId, Set<number>>, replica: ReplicaId) {
  return getOrInsert(cloud, replica, () => new Set<number>())
}

function getOrInsert<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  const found = map.get(key)
  if (found !== undefined) return found
  const made = make()
  map.set(key, made)
  return made
}

/** One string per (topic, key) pair: the topic's length makes the split unambiguous. */
function localKey(topic: string, key: string): string {
  return `${topic.length}:${topic}${key}`
}
