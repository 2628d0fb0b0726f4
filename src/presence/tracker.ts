/**
 * The Tracker: presences replicated across the cluster (after Phoenix.Tracker). A pool of
 * shards, each a process owning part of the topics (by a stable hash of the topic) and
 * replicating them with the same shard of every other node; see tracker/shard.ts.
 *
 * Most applications use `Presence` (presence.ts), which sits on a Tracker and speaks the
 * client's `presence_state` / `presence_diff`. Use a Tracker directly to react to joins and
 * leaves in other ways (`onDiff`).
 *
 * Every tracked meta carries `phx_ref`, unique per tracked instance, and after an update
 * `phx_ref_prev`, the ref it replaced.
 *
 * The shards run under a one_for_one supervisor owned by the Tracker (as Phoenix.Tracker's):
 * a crashed shard restarts as a new replica while the others keep running; see shard.ts for
 * what a crash costs. More than `poolSize × 2` crashes within a second stop the Tracker.
 */

import { CinderError, describe } from '../errors.ts'
import {
  type ChildSpec,
  getLogger,
  type Logger,
  onExit,
  type Pid,
  startSupervisor,
  stopProcess,
} from '../process/index.ts'
import type { PubSub } from '../pubsub/index.ts'
import { ownerId, ownerPid, pidId, type TrackOwner } from './owner.ts'
import { createRefGenerator, trackedMeta, updatedMeta, type WireMeta } from './presence-diff.ts'
import { validatePeriods } from './tracker/replica.ts'
import { SHARD_DEFAULTS, Shard, type ShardConfig } from './tracker/shard.ts'
import type { Diff, Entry, Meta } from './tracker/state.ts'

export type { TrackOwner } from './owner.ts'
export type { Diff as TrackerDiff, Entry as TrackerEntry } from './tracker/state.ts'

/** Options of `startTracker`. Periods are in milliseconds. */
export interface TrackerOptions {
  /** The PubSub to replicate over: every node of the cluster uses the same one (by name). */
  readonly pubsub: PubSub
  /** The tracker's name, the same on every node. Default `'presence'`. */
  readonly name?: string
  /** Shards per node (the same on every node). Default 1. */
  readonly poolSize?: number
  /** How often deltas are sent (heartbeats). Default 1,500. */
  readonly broadcastPeriod?: number
  /** Quiet ticks before an empty heartbeat tells peers we are alive. Default 10 (fewer when `downPeriod` is short: at most half of it). */
  readonly maxSilentPeriods?: number
  /** Silence after which a node's presences are hidden. Default `broadcastPeriod × maxSilentPeriods × 2` (30 s). */
  readonly downPeriod?: number
  /** Silence after which a node's presences are forgotten. Default 1,200,000 (20 min). */
  readonly permdownPeriod?: number
  /** Ticks between clock comparisons that ask lagging peers for transfers. Default 2. */
  readonly clockSamplePeriods?: number
  /** Sizes of the delta generations kept to answer transfers. Default [100, 1000, 10000]. */
  readonly maxDeltaSizes?: readonly number[]
  /** On a clean stop, tell peers to drop this node's presences at once. Default true. */
  readonly permdownOnShutdown?: boolean
  /** Called with every change of what is listed on this node, local or remote. */
  readonly onDiff?: (diff: TrackerDiff) => void
  /** Where log lines go. Default: the runtime's logger. */
  readonly logger?: Logger
}

/** One presence as listed: its key and its meta (with `phx_ref`). */
export interface TrackedPresence {
  readonly key: string
  readonly meta: WireMeta
}

type TrackerDiff = Diff

/** Starts a tracker's shards; resolves once they run. */
export async function startTracker(options: TrackerOptions): Promise<Tracker> {
  const tracker = new Tracker(options)
  await tracker.start()
  return tracker
}

/** A running tracker. See `startTracker`. */
export class Tracker {
  readonly name: string
  readonly pubsub: PubSub
  /** The running incarnation of each shard (a restart puts a new one in its slot). */
  readonly #shards: Shard[]
  readonly #newShard: (index: number) => Shard
  readonly #nextRef = createRefGenerator()
  readonly #logger: Logger | undefined
  #supervisor: Pid | undefined
  #state: 'new' | 'running' | 'stopped' | 'failed' = 'new'

  constructor(options: TrackerOptions) {
    const config = checkOptions(options)
    this.name = options.name ?? 'presence'
    this.pubsub = options.pubsub
    this.#logger = options.logger
    const onDiff = options.onDiff ?? (() => {})
    this.#newShard = (index) =>
      new Shard({
        ...config,
        pubsub: options.pubsub,
        tracker: this.name,
        index,
        onDiff,
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      })
    this.#shards = Array.from({ length: options.poolSize ?? 1 }, (_, i) => this.#newShard(i))
  }

  /** This node's name in the cluster (the PubSub's). */
  get node(): string {
    return this.pubsub.node
  }

  /** The shards, as running now (for diagnostics and tests). */
  get shards(): readonly Shard[] {
    return this.#shards
  }

  /** The supervisor of the shards (after `start`). */
  get supervisor(): Pid | undefined {
    return this.#supervisor
  }

  /** Starts the shard processes under their supervisor. */
  async start(): Promise<void> {
    if (this.#state !== 'new') {
      throw new CinderError(
        'CINDER_ERR_PRESENCE_NOT_RUNNING',
        `expected a new tracker to start, got one that is ${this.#state}`,
      )
    }
    this.#state = 'running'
    const size = this.#shards.length
    const specs = this.#shards.map(
      (_, index): ChildSpec => ({
        id: `shard${index}`,
        start: () => this.#startShard(index),
      }),
    )
    try {
      // Phoenix's intensity: a shard may crash twice per second on average before the
      // Tracker gives up (its supervisor stops, and so does every call).
      const supervisor = await startSupervisor(specs, {
        strategy: 'one_for_one',
        maxRestarts: size * 2,
        maxSeconds: 1,
      })
      this.#supervisor = supervisor
      onExit(supervisor, (reason) => this.#supervisorExited(reason))
    } catch (err) {
      this.#state = 'stopped'
      throw err
    }
  }

  /** Stops every shard, in reverse order (peers are told to drop this node's presences, see `permdownOnShutdown`). */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return
    const wasRunning = this.#state === 'running'
    this.#state = 'stopped'
    const supervisor = this.#supervisor
    if (wasRunning && supervisor !== undefined) {
      await stopProcess(supervisor, 'shutdown').catch(() => {}) // already gone: nothing to stop
    }
  }

  /** A shard's start function: the first incarnation, or a new one after a crash. */
  async #startShard(index: number): Promise<Pid> {
    let shard = this.#shards[index]
    if (shard === undefined || shard.pid !== undefined) {
      shard = this.#newShard(index)
      this.#shards[index] = shard
    }
    return shard.start()
  }

  #supervisorExited(reason: unknown): void {
    if (this.#state !== 'running') return
    if (reason === 'shutdown' || reason === 'normal') {
      // Stopped from outside (its parent in an application's tree), not a failure.
      this.#state = 'stopped'
      return
    }
    this.#state = 'failed'
    ;(this.#logger ?? getLogger()).error(
      `presence ${this.name} on ${this.node} stopped: its shards crashed more than ${this.#shards.length * 2} times within a second (${describe(reason)}); every tracker call now fails`,
    )
  }

  /**
   * Tracks `owner` (a process, or a channel's socket) on `topic` under `key` with `meta`.
   * Returns the new `phx_ref`. The presence is untracked when the owner stops.
   * Throws CINDER_ERR_PRESENCE_ALREADY_TRACKED when the owner already tracks that key there.
   */
  track(owner: TrackOwner, topic: string, key: string, meta: Meta = {}): string {
    const pid = ownerPid(owner)
    checkTopicKey(topic, key)
    checkMeta(meta)
    const ref = this.#nextRef()
    this.shardFor(topic).track(pid, pidId(pid), topic, key, trackedMeta(meta, ref))
    return ref
  }

  /**
   * Untracks `owner`'s presence under `key` on `topic`; without a key, all of its presences
   * on `topic`; without a topic, all of its presences. Returns how many were removed.
   */
  untrack(owner: TrackOwner, topic?: string, key?: string): number {
    const id = ownerId(owner)
    if (topic === undefined) {
      this.#ensureRunning()
      let removed = 0
      // A shard restarting after a crash holds nothing of this owner any more: skipped.
      for (const shard of this.#shards) if (shard.running) removed += shard.untrackAll(id).length
      return removed
    }
    if (key === undefined) {
      checkTopicKey(topic, '')
      const shard = this.shardFor(topic)
      let removed = 0
      for (const entry of shard.state.getByPid(id)) {
        if (entry.topic === topic && shard.untrack(id, topic, entry.key)) removed++
      }
      return removed
    }
    checkTopicKey(topic, key)
    return this.shardFor(topic).untrack(id, topic, key) === undefined ? 0 : 1
  }

  /**
   * Replaces the meta of `owner`'s presence under `key` on `topic`: with `meta`, or with what
   * `meta(previous)` returns (`previous` without the refs). Returns the new `phx_ref`; the
   * meta's `phx_ref_prev` is the old one. Throws CINDER_ERR_PRESENCE_NOT_TRACKED.
   */
  update(
    owner: TrackOwner,
    topic: string,
    key: string,
    meta: Meta | ((previous: Meta) => Meta),
  ): string {
    const id = ownerId(owner)
    checkTopicKey(topic, key)
    if (typeof meta !== 'function') checkMeta(meta)
    const ref = this.#nextRef()
    this.shardFor(topic).update(id, topic, key, (previous) => {
      const { phx_ref: previousRef, phx_ref_prev: _, ...rest } = previous.meta
      const next = typeof meta === 'function' ? meta(rest) : meta
      checkMeta(next)
      return updatedMeta(next, ref, String(previousRef))
    })
    return ref
  }

  /**
   * Tells the Tracker that `node` is gone (a membership layer saw it die: see
   * docs/cluster.md), so its presences leave now instead of after the down period. They come
   * back, merged with what changed meanwhile, if a heartbeat of the same incarnation arrives
   * later (the node was only slow). A no-op for an unknown node, this node, or a stopped
   * Tracker.
   */
  nodeDown(node: string): void {
    if (typeof node !== 'string') {
      throw new CinderError(
        'CINDER_ERR_PRESENCE_BAD_ARG',
        `expected a node name (a string), got ${describe(node)}`,
      )
    }
    if (this.#state !== 'running' || node === this.node) return
    for (const shard of this.#shards) if (shard.running) shard.nodeDown(node)
  }

  /** The presences of `topic` on every node that is up, in no particular order. */
  list(topic: string): TrackedPresence[] {
    const shard = this.shardFor(topic)
    shard.ensureRunning('list')
    return shard.state.getByTopic(topic).map(toPresence)
  }

  /** The presences of one key of `topic`. */
  get(topic: string, key: string): TrackedPresence[] {
    const shard = this.shardFor(topic)
    shard.ensureRunning('get')
    return shard.state.getByKey(topic, key).map(toPresence)
  }

  /** The shard that holds `topic`. */
  shardFor(topic: string): Shard {
    const shards = this.#shards
    const shard = shards.length === 1 ? shards[0] : shards[shardIndex(topic, shards.length)]
    if (shard === undefined || this.#state !== 'running') throw this.#notRunning()
    return shard
  }

  #ensureRunning(): void {
    if (this.#state !== 'running') throw this.#notRunning()
  }

  #notRunning(): CinderError {
    const why = this.#state === 'failed' ? 'failed (its shards crashed too often)' : this.#state
    return new CinderError(
      'CINDER_ERR_PRESENCE_NOT_RUNNING',
      `expected a running tracker, got one that is ${why}`,
    )
  }
}

/** A topic's shard: FNV-1a of its UTF-16 code units, modulo the pool size. Stable across nodes. */
export function shardIndex(topic: string, poolSize: number): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < topic.length; i++) {
    hash ^= topic.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % poolSize
}

function toPresence(entry: Entry): TrackedPresence {
  return { key: entry.key, meta: entry.meta as WireMeta }
}

function checkOptions(options: TrackerOptions): ShardConfig {
  if (typeof options !== 'object' || options === null || typeof options.pubsub !== 'object') {
    throw new CinderError(
      'CINDER_ERR_PRESENCE_BAD_ARG',
      `expected tracker options with a pubsub, got ${describe(options)}`,
    )
  }
  const broadcastPeriod = positive(
    'broadcastPeriod',
    options.broadcastPeriod,
    SHARD_DEFAULTS.broadcastPeriod,
  )
  // A quiet node heartbeats every maxSilentPeriods ticks: that must stay well inside the down
  // period, or quiet nodes flap down and up. With a short downPeriod given, fewer silent
  // periods are allowed by default (at most half the down period).
  const fitting = Math.max(1, Math.floor(options.downPeriod ?? Infinity) / broadcastPeriod / 2)
  const maxSilentPeriods = positive(
    'maxSilentPeriods',
    options.maxSilentPeriods,
    Math.min(SHARD_DEFAULTS.maxSilentPeriods, Math.floor(fitting)),
  )
  const downPeriod = positive(
    'downPeriod',
    options.downPeriod,
    broadcastPeriod * maxSilentPeriods * 2,
  )
  if (maxSilentPeriods * broadcastPeriod >= downPeriod) {
    throw new CinderError(
      'CINDER_ERR_PRESENCE_BAD_ARG',
      `expected maxSilentPeriods × broadcastPeriod (${maxSilentPeriods * broadcastPeriod} ms) under downPeriod, got downPeriod ${describe(downPeriod)}: quiet nodes would be marked down between their heartbeats`,
    )
  }
  const permdownPeriod = positive(
    'permdownPeriod',
    options.permdownPeriod,
    SHARD_DEFAULTS.permdownPeriod,
  )
  const clockSamplePeriods = positive(
    'clockSamplePeriods',
    options.clockSamplePeriods,
    SHARD_DEFAULTS.clockSamplePeriods,
  )
  positive('poolSize', options.poolSize, 1)
  if (options.poolSize !== undefined && !Number.isInteger(options.poolSize)) {
    throw new CinderError(
      'CINDER_ERR_PRESENCE_BAD_ARG',
      `expected an integer poolSize, got ${describe(options.poolSize)}`,
    )
  }
  const name = options.name
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new CinderError(
      'CINDER_ERR_PRESENCE_BAD_ARG',
      `expected a non-empty tracker name, got ${describe(name)}`,
    )
  }
  const maxDeltaSizes = options.maxDeltaSizes ?? SHARD_DEFAULTS.maxDeltaSizes
  if (!Array.isArray(maxDeltaSizes) || !maxDeltaSizes.every((n) => Number.isInteger(n) && n > 0)) {
    throw new CinderError(
      'CINDER_ERR_PRESENCE_BAD_ARG',
      `expected maxDeltaSizes as positive integers, got ${describe(maxDeltaSizes)}`,
    )
  }
  validatePeriods(broadcastPeriod, { downPeriod, permdownPeriod })
  return {
    broadcastPeriod,
    maxSilentPeriods,
    downPeriod,
    permdownPeriod,
    clockSamplePeriods,
    maxDeltaSizes,
    permdownOnShutdown: options.permdownOnShutdown ?? true,
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value
  throw new CinderError(
    'CINDER_ERR_PRESENCE_BAD_ARG',
    `expected ${name} to be a positive number, got ${describe(value)}`,
  )
}

function checkTopicKey(topic: unknown, key: unknown): void {
  if (typeof topic !== 'string') {
    throw new CinderError(
      'CINDER_ERR_PRESENCE_BAD_ARG',
      `expected a topic (a string), got ${describe(topic)}`,
    )
  }
  if (typeof key !== 'string') {
    throw new CinderError(
      'CINDER_ERR_PRESENCE_BAD_ARG',
      `expected a presence key (a string), got ${describe(key)}`,
    )
  }
}

function checkMeta(meta: unknown): asserts meta is Meta {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new CinderError(
      'CINDER_ERR_PRESENCE_BAD_ARG',
      `expected a meta object, got ${describe(meta)}`,
    )
  }
}
