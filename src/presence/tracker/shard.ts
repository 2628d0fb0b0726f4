/**
 * One shard of a Tracker: the process that owns a `TrackerState` and replicates it with shard
 * N of every other node over PubSub (after Phoenix.Tracker.Shard).
 *
 * How it works:
 * - Local changes (track, untrack, update, the exit of an owner) are applied to the state at
 *   once, synchronously, by the Tracker calling into the `Shard`: in a single-threaded runtime
 *   that is the same as a call the process answers immediately, without a promise per track.
 *   Everything else reaches the shard process as messages, one at a time: its timer tick,
 *   what peers send on the shard topic, owner exits, the PubSub's reconnect.
 * - The replication with peers (heartbeats every broadcast period, down detection, state
 *   transfers, the resync after a reconnect, the graceful permanent-down of a clean stop) is
 *   the `Replicator`'s (replicator.ts), which the process drives.
 * - A crash takes the state with it, as in Phoenix (where a shard is linked to every process
 *   it tracks). The shard reports everything it listed as leaves, and every owner of a
 *   presence it held gets an exit signal with a CINDER_ERR_PRESENCE_SHARD_CRASHED reason: it
 *   stops (a channel's client rejoins and tracks again), or, trapping exits, tracks again
 *   itself. Its supervisor starts a new incarnation (a new replica, with a fresh vsn); peers
 *   drop the old one's presences as soon as they hear the new one's heartbeat.
 *
 * Every change the state reports (joins and leaves, local or merged, or from a peer's status)
 * goes to `onDiff`, which Presence turns into `presence_diff` broadcasts on this node.
 */

import { CinderError, describe } from '../../errors.ts'
import {
  type Behaviour,
  type ExitReason,
  exit,
  getLogger,
  isNormalExit,
  type Logger,
  noreply,
  onExit,
  type Pid,
  send,
  sendAfter,
  spawn,
  type TimerRef,
} from '../../process/index.ts'
import type { PubSub } from '../../pubsub/index.ts'
import { presenceTrack, presenceUntrack } from '../../telemetry/index.ts'
import { DEFAULT_MAX_DELTA_SIZES } from './delta.ts'
import { newReplicaRef, type Replica, type ReplicaRef, replicaId } from './replica.ts'
import { Replicator, type ShardConfig, type ShardLogLevel } from './replicator.ts'
import { type Diff, type Entry, type Meta, TrackerState } from './state.ts'

export type { ShardConfig } from './replicator.ts'

/** What a shard needs to run. */
export interface ShardOptions extends ShardConfig {
  readonly pubsub: PubSub
  /** The tracker's name: the shard topic is `phx_presence:<tracker>_shard<index>`. */
  readonly tracker: string
  readonly index: number
  /** Receives every change of what is listed, local or remote. */
  readonly onDiff: (diff: Diff) => void
  /** Where the shard's log lines go. Default: the runtime's logger at the time of each line. */
  readonly logger?: Logger
  /** This incarnation's version (default: a fresh one). */
  readonly vsn?: number
}

/** The PubSub topic shard `index` of tracker `tracker` replicates on. */
export function shardTopic(tracker: string, index: number): string {
  return `phx_presence:${tracker}_shard${index}`
}

// The shard process's own messages.
const TICK = Symbol('cinder.presence.tick')
const RESYNC = Symbol('cinder.presence.resync')
class OwnerExited {
  readonly id: string
  constructor(id: string) {
    this.id = id
  }
}
class NodeDown {
  readonly node: string
  constructor(node: string) {
    this.node = node
  }
}

/** A shard: its state, its owners, and its replicator. Driven by its process. */
export class Shard {
  readonly topic: string
  readonly ref: ReplicaRef
  readonly state: TrackerState
  readonly #options: ShardOptions
  readonly #label: string
  readonly #replicator: Replicator
  #pid: Pid | undefined
  #timer: TimerRef | undefined
  #offReconnect: (() => void) | undefined
  /** Owner id → its pid (signalled if this shard crashes) and what cancels its exit watch. */
  readonly #watches = new Map<string, { readonly pid: Pid; readonly unwatch: () => void }>()
  #stopped = false
  #crashed = false

  constructor(options: ShardOptions) {
    this.#options = options
    this.topic = shardTopic(options.tracker, options.index)
    this.ref = newReplicaRef(options.pubsub.node, options.vsn)
    this.state = new TrackerState(replicaId(this.ref))
    this.#label = `presence ${options.tracker} shard ${options.index} on ${this.ref.name}`
    this.#replicator = new Replicator({
      config: options,
      pubsub: options.pubsub,
      topic: this.topic,
      ref: this.ref,
      state: this.state,
      pid: () => this.#pid,
      report: (diff) => this.#report(diff),
      log: (level, line) => this.#log(level, line),
      label: this.#label,
    })
  }

  /** The shard process (after `start`). */
  get pid(): Pid | undefined {
    return this.#pid
  }

  /** Peers as this shard sees them, by node name. */
  get replicas(): ReadonlyMap<string, Replica> {
    return this.#replicator.replicas
  }

  /** Whether the process runs (started, not stopped or crashed). */
  get running(): boolean {
    return this.#pid !== undefined && !this.#stopped
  }

  /**
   * Spawns the shard process, linked to the caller (its supervisor), subscribes it to the
   * shard topic and starts its timer. A shard runs once: a restart is a new `Shard`.
   */
  async start(): Promise<Pid> {
    if (this.#pid !== undefined || this.#stopped) {
      throw new CinderError(
        'CINDER_ERR_PRESENCE_NOT_RUNNING',
        `expected a new shard to start, got ${this.#label} that already ran`,
      )
    }
    return spawn(shardBehaviour, this, { link: true })
  }

  // --- Local operations (called synchronously by the Tracker) -----------------------------

  /**
   * Tracks the process `owner` (known to the state as `ownerId`) under `topic`/`key`; throws
   * CINDER_ERR_PRESENCE_ALREADY_TRACKED. The presence leaves when the owner stops.
   */
  track(owner: Pid, ownerId: string, topic: string, key: string, meta: Meta): Entry {
    this.ensureRunning('track')
    const entry = this.state.join(ownerId, topic, key, meta)
    if (!this.#watches.has(ownerId)) {
      const self = this.#pid
      const unwatch = onExit(owner, () => {
        if (self !== undefined) send(self, new OwnerExited(ownerId))
      })
      this.#watches.set(ownerId, { pid: owner, unwatch })
    }
    this.#report({ joins: [entry], leaves: [] })
    if (presenceTrack.hasSubscribers) {
      presenceTrack.publish({ tracker: this.#options.tracker, topic, key, pid: ownerId, meta })
    }
    return entry
  }

  /** Untracks one presence; returns it, or undefined when nothing was tracked. */
  untrack(ownerId: string, topic: string, key: string): Entry | undefined {
    this.ensureRunning('untrack')
    const entry = this.state.leave(ownerId, topic, key)
    if (entry === undefined) return undefined
    this.#unwatchIfIdle(ownerId)
    this.#report({ joins: [], leaves: [entry] })
    if (presenceUntrack.hasSubscribers) this.#untracked(ownerId, topic, key, 1)
    return entry
  }

  /** Untracks every presence of an owner (on this shard); returns them. */
  untrackAll(ownerId: string): Entry[] {
    this.ensureRunning('untrack')
    const entries = this.state.leaveAll(ownerId)
    this.#unwatchIfIdle(ownerId)
    if (entries.length > 0) {
      this.#report({ joins: [], leaves: entries })
      if (presenceUntrack.hasSubscribers) {
        this.#untracked(ownerId, undefined, undefined, entries.length)
      }
    }
    return entries
  }

  #untracked(pid: string, topic: string | undefined, key: string | undefined, n: number): void {
    presenceUntrack.publish({ tracker: this.#options.tracker, topic, key, pid, removed: n })
  }

  /** Replaces a presence's meta; throws CINDER_ERR_PRESENCE_NOT_TRACKED. */
  update(
    ownerId: string,
    topic: string,
    key: string,
    next: (previous: Entry) => Meta,
  ): { previous: Entry; current: Entry } {
    this.ensureRunning('update')
    const previous = this.state.get(ownerId, topic, key)
    if (previous === undefined) {
      throw new CinderError(
        'CINDER_ERR_PRESENCE_NOT_TRACKED',
        `expected ${ownerId} to track key ${describe(key)} on topic ${describe(topic)}, got nothing tracked`,
      )
    }
    const meta = next(previous)
    const result = this.state.update(ownerId, topic, key, meta)
    this.#report({ joins: [result.current], leaves: [result.previous] })
    return result
  }

  /**
   * Marks the peer on `node` down now instead of after the down period (its node is known to be
   * gone): its presences are hidden and reported as leaves. Handled in mailbox order; a no-op
   * for a node that is not an up peer. A later heartbeat of it brings them back.
   */
  nodeDown(node: string): void {
    if (this.#pid !== undefined && !this.#stopped) send(this.#pid, new NodeDown(node))
  }

  // --- The process ------------------------------------------------------------------------

  /** @internal From the process's init. */
  init(pid: Pid): void {
    this.#pid = pid
    const { pubsub, broadcastPeriod } = this.#options
    pubsub.subscribe(this.topic, pid)
    this.#offReconnect = pubsub.onReconnect(() => send(pid, RESYNC))
    // Runs however the process ends, `kill` included (which skips terminate).
    onExit(pid, (reason) => this.#exited(reason))
    // As Phoenix: the first tick comes after a random 0–25 % of a period, so nodes started
    // together do not heartbeat in step.
    this.#timer = sendAfter(pid, TICK, Math.floor(Math.random() * (broadcastPeriod / 4)))
  }

  /** @internal One message of the process. */
  handle(message: unknown): void {
    if (message === TICK) this.#tick()
    else if (message === RESYNC) this.#resync()
    else if (message instanceof OwnerExited) this.#ownerExited(message.id)
    else if (message instanceof NodeDown) this.#replicator.nodeDown(message.node)
    else this.#replicator.receive(message)
  }

  /** @internal From the process's terminate (a stop, or a crash other than a kill). */
  terminate(reason: unknown): void {
    this.#stopped = true
    this.#replicator.shutdown(reason)
  }

  /** The process is gone. After a crash, what it held is gone too: see the module comment. */
  #exited(reason: ExitReason): void {
    this.#stopped = true
    this.#timer?.cancel()
    this.#offReconnect?.()
    const owners = [...this.#watches.values()]
    this.#watches.clear()
    for (const owner of owners) owner.unwatch()
    if (isNormalExit(reason)) return
    this.#crashed = true
    const cause = reason instanceof Error ? reason.message : describe(reason)
    const lost = this.state.online()
    this.#log(
      'warn',
      `${this.#label} crashed (${cause}): ${lost.length} listed presences are gone here and ${owners.length} owners get an exit signal; its supervisor restarts it`,
    )
    this.#report({ joins: [], leaves: lost })
    const signal = new CinderError(
      'CINDER_ERR_PRESENCE_SHARD_CRASHED',
      `${this.#label} crashed (${cause}) and lost the presences it held: track again`,
      { cause: reason },
    )
    for (const owner of owners) exit(owner.pid, signal)
  }

  #tick(): void {
    this.#replicator.tick()
    if (this.#pid !== undefined) {
      this.#timer = sendAfter(this.#pid, TICK, this.#options.broadcastPeriod)
    }
  }

  #resync(): void {
    if (this.#stopped) return
    this.#replicator.resync()
  }

  #ownerExited(id: string): void {
    this.#watches.delete(id)
    const entries = this.state.leaveAll(id)
    if (entries.length > 0) this.#report({ joins: [], leaves: entries })
    if (entries.length > 0 && presenceUntrack.hasSubscribers) {
      this.#untracked(id, undefined, undefined, entries.length)
    }
  }

  // --- Plumbing ---------------------------------------------------------------------------

  #report(diff: Diff): void {
    if (diff.joins.length > 0 || diff.leaves.length > 0) this.#options.onDiff(diff)
  }

  #unwatchIfIdle(ownerId: string): void {
    if (this.state.hasPid(ownerId)) return
    this.#watches.get(ownerId)?.unwatch()
    this.#watches.delete(ownerId)
  }

  #log(level: ShardLogLevel, line: string): void {
    const logger = this.#options.logger ?? getLogger()
    logger[level](line)
  }

  /** Throws CINDER_ERR_PRESENCE_NOT_RUNNING, saying why, unless the process runs. */
  ensureRunning(operation: string): void {
    if (this.#stopped || this.#pid === undefined) {
      const why = this.#crashed
        ? 'crashed: its supervisor is restarting it, try again shortly'
        : this.#stopped
          ? 'stopped'
          : 'not started yet (a restart after a crash is under way)'
      throw new CinderError(
        'CINDER_ERR_PRESENCE_NOT_RUNNING',
        `expected a running tracker to ${operation}, got ${this.#label} that ${why}`,
      )
    }
  }
}
const shardBehaviour: Behaviour<Shard, Shard> = {
  name: 'presence shard',
  init(shard, { self }) {
    shard.init(self)
    return shard
  },
  handleInfo(message, shard) {
    shard.handle(message)
    return noreply(shard)
  },
  terminate(reason, shard) {
    shard.terminate(reason)
  },
}

/** Phoenix's defaults. */
export const SHARD_DEFAULTS = {
  broadcastPeriod: 1500,
  maxSilentPeriods: 10,
  permdownPeriod: 1_200_000,
  clockSamplePeriods: 2,
  maxDeltaSizes: DEFAULT_MAX_DELTA_SIZES,
} as const
