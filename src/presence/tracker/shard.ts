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
 * - Every broadcast period the tick sends the pending delta in a heartbeat (or, after
 *   `maxSilentPeriods` quiet ticks, an empty heartbeat), marks peers silent for the down
 *   period down and removes those silent for the permanent-down period, and every
 *   `clockSamplePeriods` ticks asks a transfer of each peer whose clock (sampled from its
 *   heartbeats) is not dominated by ours.
 * - A delta that leaves a gap (its sender's clock runs ahead of what we have seen of it) asks
 *   that sender for a transfer at once. The answer is the smallest kept delta generation that
 *   covers what we lack, or the whole state; merging a whole state resets our generations.
 * - After the PubSub reconnects, the shard heartbeats at once and asks every peer for a
 *   transfer, as whatever was sent meanwhile is lost (delivery is at most once). A peer that
 *   gets a transfer request from a node that has seen more than it has asks back, so the
 *   last node to reconnect after a broker restart brings every pair in step.
 * - A clean stop announces a graceful permanent-down, so peers drop this node's presences at
 *   once instead of after the down period.
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
  getClock,
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
import {
  appendClock,
  clocksetReplicas,
  dominates,
  type ReplicaClock,
  type ReplicaId,
} from './clock.ts'
import {
  DEFAULT_MAX_DELTA_SIZES,
  pushGeneration,
  removeReplicaFromGenerations,
  transferFor,
} from './delta.ts'
import {
  decodeMessage,
  encodeMessage,
  type ShardMessage,
  TRACKER_PROTOCOL_VERSION,
} from './envelope.ts'
import {
  detectDowns,
  fetchByRef,
  markDown,
  newReplicaRef,
  putHeartbeat,
  type Replica,
  type ReplicaRef,
  removePeer,
  replicaId,
} from './replica.ts'
import {
  type Delta,
  type Diff,
  type Entry,
  type Meta,
  type Replication,
  TrackerState,
} from './state.ts'

/** Timings and sizes of a shard (see `TrackerOptions` for their meaning and defaults). */
export interface ShardConfig {
  readonly broadcastPeriod: number
  readonly maxSilentPeriods: number
  readonly downPeriod: number
  readonly permdownPeriod: number
  readonly clockSamplePeriods: number
  readonly maxDeltaSizes: readonly number[]
  readonly permdownOnShutdown: boolean
}

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

const CORRUPT_LOG_INTERVAL_MS = 1000

/** A shard: its state, its peers, and the replication logic. Driven by its process. */
export class Shard {
  readonly topic: string
  readonly ref: ReplicaRef
  readonly state: TrackerState
  readonly #options: ShardOptions
  #pid: Pid | undefined
  #timer: TimerRef | undefined
  #offReconnect: (() => void) | undefined
  #replicas = new Map<string, Replica>()
  #generations: Delta[] = []
  #silentPeriods: number
  #samplesLeft: number
  #clockset: ReplicaClock[] = []
  /** Owner id → its pid (signalled if this shard crashes) and what cancels its exit watch. */
  readonly #watches = new Map<string, { readonly pid: Pid; readonly unwatch: () => void }>()
  /** Peer name → when we last asked it for a transfer (gap-triggered requests wait a period). */
  readonly #asked = new Map<string, number>()
  #transferRefs = 0
  readonly #refused = new Set<string>()
  readonly #corrupt = { lastLog: Number.NEGATIVE_INFINITY, unlogged: 0 }
  #stopped = false
  #crashed = false

  constructor(options: ShardOptions) {
    this.#options = options
    this.topic = shardTopic(options.tracker, options.index)
    this.ref = newReplicaRef(options.pubsub.node, options.vsn)
    this.state = new TrackerState(replicaId(this.ref))
    // The first tick sends an (empty) heartbeat at once, so peers learn of us quickly.
    this.#silentPeriods = options.maxSilentPeriods
    this.#samplesLeft = options.clockSamplePeriods
  }

  /** The shard process (after `start`). */
  get pid(): Pid | undefined {
    return this.#pid
  }

  /** Peers as this shard sees them, by node name. */
  get replicas(): ReadonlyMap<string, Replica> {
    return this.#replicas
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
        `expected a new shard to start, got ${this.#label()} that already ran`,
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
    return entry
  }

  /** Untracks one presence; returns it, or undefined when nothing was tracked. */
  untrack(ownerId: string, topic: string, key: string): Entry | undefined {
    this.ensureRunning('untrack')
    const entry = this.state.leave(ownerId, topic, key)
    if (entry === undefined) return undefined
    this.#unwatchIfIdle(ownerId)
    this.#report({ joins: [], leaves: [entry] })
    return entry
  }

  /** Untracks every presence of an owner (on this shard); returns them. */
  untrackAll(ownerId: string): Entry[] {
    this.ensureRunning('untrack')
    const entries = this.state.leaveAll(ownerId)
    this.#unwatchIfIdle(ownerId)
    if (entries.length > 0) this.#report({ joins: [], leaves: entries })
    return entries
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
    else if (message instanceof NodeDown) this.#nodeDown(message.node)
    else this.#receive(message)
  }

  /** @internal From the process's terminate (a stop, or a crash other than a kill). */
  terminate(reason: unknown): void {
    this.#stopped = true
    const { pubsub, permdownOnShutdown } = this.#options
    if (isNormalExit(reason) && permdownOnShutdown && pubsub.connected) {
      this.#broadcast({ type: 'graceful_permdown', from: this.ref })
    }
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
      `${this.#label()} crashed (${cause}): ${lost.length} listed presences are gone here and ${owners.length} owners get an exit signal; its supervisor restarts it`,
    )
    this.#report({ joins: [], leaves: lost })
    const signal = new CinderError(
      'CINDER_ERR_PRESENCE_SHARD_CRASHED',
      `${this.#label()} crashed (${cause}) and lost the presences it held: track again`,
      { cause: reason },
    )
    for (const owner of owners) exit(owner.pid, signal)
  }

  #tick(): void {
    this.#broadcastHeartbeat()
    this.#sampleClocks()
    this.#detectDowns()
    if (this.#pid !== undefined) {
      this.#timer = sendAfter(this.#pid, TICK, this.#options.broadcastPeriod)
    }
  }

  #broadcastHeartbeat(): void {
    const delta = this.state.takeDelta()
    if (delta !== undefined) {
      // Generations answer peers' transfer requests: a single-node PubSub never has a peer.
      if (this.#options.pubsub.adapterKind !== 'local') {
        this.#generations = pushGeneration(this.#generations, delta, this.#maxDeltaSizes())
      }
      this.#silentPeriods = 0
      this.#heartbeat(delta)
      return
    }
    this.#silentPeriods++
    if (this.#silentPeriods >= this.#options.maxSilentPeriods) {
      this.#silentPeriods = 0
      this.#heartbeat(undefined)
    }
  }

  #heartbeat(delta: Delta | undefined): void {
    this.#broadcast({
      type: 'heartbeat',
      from: this.ref,
      clock: this.state.clocks().context,
      delta,
    })
  }

  /** Every few ticks, asks a transfer of each peer that has seen what we have not. */
  #sampleClocks(): void {
    if (--this.#samplesLeft > 0) return
    this.#samplesLeft = this.#options.clockSamplePeriods
    const clockset = appendClock(this.#clockset, this.state.clocks())
    this.#clockset = []
    for (const id of clocksetReplicas(clockset)) {
      if (id !== this.state.replica) this.#requestTransfer(id)
    }
  }

  #detectDowns(): void {
    const { downPeriod, permdownPeriod } = this.#options
    const found = detectDowns(this.#replicas, getClock().now(), { downPeriod, permdownPeriod })
    this.#replicas = found.replicas
    for (const change of found.changes) {
      const id = replicaId(change.replica)
      if (change.kind === 'down') {
        this.#log(
          'warn',
          `${this.#label()}: ${change.replica.name} is down (silent for the down period)`,
        )
        this.#report(this.state.replicaDown(id))
      } else {
        this.#log(
          'warn',
          `${this.#label()}: ${change.replica.name} is permanently down; its presences are removed`,
        )
        this.#forget(id, change.wasUp)
      }
    }
  }

  #nodeDown(node: string): void {
    const marked = markDown(this.#replicas, node)
    if (marked === undefined) return
    this.#replicas = marked.replicas
    this.#log('warn', `${this.#label()}: ${node} is down (its node is gone)`)
    this.#report(this.state.replicaDown(replicaId(marked.replica)))
  }

  #resync(): void {
    if (this.#stopped) return
    this.#heartbeat(undefined)
    this.#silentPeriods = 0
    for (const replica of this.#replicas.values()) this.#requestTransfer(replicaId(replica), true)
  }

  #ownerExited(id: string): void {
    this.#watches.delete(id)
    const entries = this.state.leaveAll(id)
    if (entries.length > 0) this.#report({ joins: [], leaves: entries })
  }

  // --- Messages from peers ----------------------------------------------------------------

  #receive(data: unknown): void {
    const received = decodeMessage(data)
    if (received.kind === 'corrupt') {
      this.#dropCorrupt(received.reason)
      return
    }
    if (received.kind === 'version') {
      this.#refuse(received.node, received.version)
      return
    }
    const message = received.message
    if (message.from.name === this.ref.name) this.#namesake(message.from)
    else if (message.type === 'heartbeat') this.#onHeartbeat(message)
    else if (message.type === 'transfer_req') this.#onTransferRequest(message)
    else if (message.type === 'transfer_ack') this.#onTransferAck(message)
    else this.#onGracefulPermdown(message.from)
  }

  #onHeartbeat(message: Extract<ShardMessage, { type: 'heartbeat' }>): void {
    const id = replicaId(message.from)
    this.#clockset = appendClock(this.#clockset, { replica: id, context: message.clock })
    this.#putHeartbeat(message.from)
    const delta = message.delta
    if (delta === undefined) return
    this.#report(this.state.merge(delta))
    this.#generations = pushGeneration(this.#generations, delta, this.#maxDeltaSizes())
    // A gap: the sender's own changes run ahead of what we have seen of them.
    const seen = this.state.context.get(id) ?? 0
    if (seen < (delta.end.get(id) ?? 0)) this.#requestTransfer(id)
  }

  #putHeartbeat(from: ReplicaRef): void {
    const { replicas, outcome } = putHeartbeat(this.#replicas, from, getClock().now())
    this.#replicas = replicas
    const id = replicaId(outcome.replica)
    switch (outcome.kind) {
      case 'alive':
        return
      case 'discovered':
        this.#log('info', `${this.#label()}: ${from.name} is up`)
        this.#report(this.state.replicaUp(id))
        this.#heartbeatSoon()
        return
      case 'recovered':
        this.#log('info', `${this.#label()}: ${from.name} is back up`)
        this.#report(this.state.replicaUp(id))
        this.#requestTransfer(id, true)
        return
      case 'restarted': {
        const previous = outcome.previous
        this.#log(
          'info',
          `${this.#label()}: ${from.name} restarted; its previous incarnation is removed`,
        )
        this.#forget(replicaId(previous), previous.status === 'up')
        this.#report(this.state.replicaUp(id))
        this.#heartbeatSoon()
      }
    }
  }

  /**
   * A newcomer (a node that just started, or a restarted shard) may have missed our last
   * heartbeat: send one on the next tick rather than after up to `maxSilentPeriods` quiet
   * ones, so it learns of us (and asks for our state) within a broadcast period.
   */
  #heartbeatSoon(): void {
    this.#silentPeriods = this.#options.maxSilentPeriods
  }

  #onTransferRequest(message: Extract<ShardMessage, { type: 'transfer_req' }>): void {
    const remote = replicaId(message.from)
    const state = transferFor(this.state, this.#generations, remote, message.clock)
    this.#direct(message.from.name, {
      type: 'transfer_ack',
      from: this.ref,
      ref: message.ref,
      state,
    })
    // The request shows what its sender has seen: when that runs ahead of us, ask back. After
    // a broker restart the first nodes to reconnect ask peers that are still away; the last
    // one's requests then bring every pair in step within a round trip.
    if (!dominates(this.state.context, message.clock)) this.#requestTransfer(remote, true)
  }

  #onTransferAck(message: Extract<ShardMessage, { type: 'transfer_ack' }>): void {
    if (fetchByRef(this.#replicas, message.from) === undefined) return // not a peer we know
    this.#merge(message.state)
  }

  #merge(replication: Replication): void {
    this.#report(this.state.merge(replication))
    // A snapshot may fill gaps no generation shows: start the generations over. A delta from
    // a transfer is NOT pushed into them: it was extracted for us, without our own entries
    // but with their dots, so merged into a generation it would read as their removal and
    // the generation would answer later transfers with our live presences missing.
    if (replication.kind === 'snapshot') this.#generations = []
  }

  #onGracefulPermdown(from: ReplicaRef): void {
    const replica = fetchByRef(this.#replicas, from)
    if (replica === undefined) return
    this.#log('info', `${this.#label()}: ${from.name} shut down; its presences are removed`)
    this.#replicas = removePeer(this.#replicas, from)
    this.#forget(replicaId(replica), replica.status === 'up')
  }

  /** A replica gone for good: hide its entries (leaves), then forget them. */
  #forget(id: ReplicaId, wasUp: boolean): void {
    if (wasUp) this.#report(this.state.replicaDown(id))
    this.#report(this.state.removeReplica(id))
    this.#generations = removeReplicaFromGenerations(this.#generations, id)
    this.#clockset = this.#clockset.filter((clock) => clock.replica !== id)
  }

  #requestTransfer(id: ReplicaId, force = false): void {
    const replica = [...this.#replicas.values()].find((r) => replicaId(r) === id)
    if (replica === undefined || replica.status !== 'up') return
    if (!force) {
      // Gap-triggered and sampled requests wait a period; a forced one (a resync, an ask-back)
      // neither waits nor counts, since it may go to a peer that is still away: counting it
      // would hold back the clock sample that catches what it missed.
      const now = getClock().now()
      const last = this.#asked.get(replica.name)
      if (last !== undefined && now - last < this.#options.broadcastPeriod) return
      this.#asked.set(replica.name, now)
    }
    this.#direct(replica.name, {
      type: 'transfer_req',
      from: this.ref,
      ref: `${this.ref.vsn}.${++this.#transferRefs}`,
      clock: this.state.clocks().context,
    })
  }

  // --- Plumbing ---------------------------------------------------------------------------

  #broadcast(message: ShardMessage): void {
    const { pubsub } = this.#options
    if (pubsub.adapterKind === 'local' || this.#pid === undefined) return // no peers, ever
    pubsub.broadcastFrom(this.#pid, this.topic, encodeMessage(message))
  }

  #direct(node: string, message: ShardMessage): void {
    this.#options.pubsub.directBroadcast(node, this.topic, encodeMessage(message))
  }

  #report(diff: Diff): void {
    if (diff.joins.length > 0 || diff.leaves.length > 0) this.#options.onDiff(diff)
  }

  #unwatchIfIdle(ownerId: string): void {
    if (this.state.hasPid(ownerId)) return
    this.#watches.get(ownerId)?.unwatch()
    this.#watches.delete(ownerId)
  }

  #maxDeltaSizes(): readonly number[] {
    return this.#options.maxDeltaSizes
  }

  /** Our own echo is ignored; another node using our name is a misconfiguration. */
  #namesake(from: ReplicaRef): void {
    if (from.vsn === this.ref.vsn) return
    const key = `namesake\u0000${from.vsn}`
    if (this.#refused.has(key)) return
    this.#refused.add(key)
    this.#log(
      'error',
      `${this.#label()}: ignored another node named ${from.name} (vsn ${from.vsn}); every node needs a name of its own`,
    )
  }

  #refuse(node: string | undefined, version: unknown): void {
    const who = node ?? 'an unnamed node'
    const key = `${who}\u0000${String(version)}`
    if (this.#refused.has(key)) return
    this.#refused.add(key)
    this.#log(
      'error',
      `${this.#label()}: refused ${who}: it speaks tracker protocol version ${describe(version)}, this node speaks ${TRACKER_PROTOCOL_VERSION}; run one version across the cluster`,
    )
  }

  #dropCorrupt(reason: string): void {
    const now = getClock().now()
    if (now - this.#corrupt.lastLog < CORRUPT_LOG_INTERVAL_MS) {
      this.#corrupt.unlogged++
      return
    }
    const more = this.#corrupt.unlogged
    this.#corrupt.lastLog = now
    this.#corrupt.unlogged = 0
    const also = more > 0 ? ` (and ${more} more since the last report)` : ''
    this.#log(
      'warn',
      `${this.#label()}: dropped a malformed message on ${this.topic}: ${reason}${also}`,
    )
  }

  #log(level: 'info' | 'warn' | 'error', line: string): void {
    const logger = this.#options.logger ?? getLogger()
    logger[level](line)
  }

  #label(): string {
    return `presence ${this.#options.tracker} shard ${this.#options.index} on ${this.ref.name}`
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
        `expected a running tracker to ${operation}, got ${this.#label()} that ${why}`,
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
