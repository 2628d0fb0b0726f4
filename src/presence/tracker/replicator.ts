/**
 * The replication of one shard with the same shard of every other node (after
 * Phoenix.Tracker.Shard): heartbeats, down detection and state transfers. The shard process
 * drives it, one message at a time; it owns what the shard knows of its peers.
 *
 * How it works:
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
 */

import { getClock, isNormalExit, type Pid } from '../../process/index.ts'
import type { PubSub } from '../../pubsub/index.ts'
import {
  appendClock,
  clocksetReplicas,
  dominates,
  type ReplicaClock,
  type ReplicaId,
} from './clock.ts'
import { pushGeneration, removeReplicaFromGenerations, transferFor } from './delta.ts'
import { decodeMessage, encodeMessage, type ShardMessage } from './envelope.ts'
import { PeerWarnings } from './peer-warnings.ts'
import {
  detectDowns,
  fetchByRef,
  markDown,
  putHeartbeat,
  type Replica,
  type ReplicaRef,
  removePeer,
  replicaId,
} from './replica.ts'
import type { Delta, Diff, Replication, TrackerState } from './state.ts'

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

export type ShardLogLevel = 'info' | 'warn' | 'error'

/** What a replicator uses of its shard: who it is, its state, where diffs and log lines go. */
export interface ShardSide {
  readonly config: ShardConfig
  readonly pubsub: PubSub
  readonly topic: string
  readonly ref: ReplicaRef
  readonly state: TrackerState
  /** The shard process (undefined before its init). */
  pid(): Pid | undefined
  /** Reports a change of what is listed (empty ones are dropped). */
  report(diff: Diff): void
  log(level: ShardLogLevel, line: string): void
  /** Names the shard in log lines. */
  readonly label: string
}

type Message<T extends ShardMessage['type']> = Extract<ShardMessage, { type: T }>

/** The shard's peers and the replication protocol with them. */
export class Replicator {
  readonly #side: ShardSide
  readonly #warnings: PeerWarnings
  #replicas = new Map<string, Replica>()
  #generations: Delta[] = []
  #silentPeriods: number
  #samplesLeft: number
  #clockset: ReplicaClock[] = []
  /** Peer name → when we last asked it for a transfer (gap-triggered requests wait a period). */
  readonly #asked = new Map<string, number>()
  #transferRefs = 0

  constructor(side: ShardSide) {
    this.#side = side
    this.#warnings = new PeerWarnings(side)
    // The first tick sends an (empty) heartbeat at once, so peers learn of us quickly.
    this.#silentPeriods = side.config.maxSilentPeriods
    this.#samplesLeft = side.config.clockSamplePeriods
  }

  /** Peers as this shard sees them, by node name. */
  get replicas(): ReadonlyMap<string, Replica> {
    return this.#replicas
  }

  /** One broadcast period: heartbeat, clock sample, down detection. */
  tick(): void {
    this.#broadcastHeartbeat()
    this.#sampleClocks()
    this.#detectDowns()
  }

  /** After the PubSub reconnects: heartbeat at once and ask every peer for a transfer. */
  resync(): void {
    this.#heartbeat(undefined)
    this.#silentPeriods = 0
    for (const replica of this.#replicas.values()) this.#requestTransfer(replicaId(replica), true)
  }

  /** Marks the peer on `node` down at once (its node is gone); a no-op unless it is up. */
  nodeDown(node: string): void {
    const marked = markDown(this.#replicas, node)
    if (marked === undefined) return
    this.#replicas = marked.replicas
    this.#side.log('warn', `${this.#side.label}: ${node} is down (its node is gone)`)
    this.#side.report(this.#side.state.replicaDown(replicaId(marked.replica)))
  }

  /** The shard process ends: on a clean stop, tell peers to drop our presences at once. */
  shutdown(reason: unknown): void {
    const { config, pubsub } = this.#side
    if (isNormalExit(reason) && config.permdownOnShutdown && pubsub.connected) {
      this.#broadcast({ type: 'graceful_permdown', from: this.#side.ref })
    }
  }

  /** One message from a peer, as PubSub delivered it. */
  receive(data: unknown): void {
    const received = decodeMessage(data)
    if (received.kind === 'corrupt') {
      this.#warnings.corrupt(received.reason)
      return
    }
    if (received.kind === 'version') {
      this.#warnings.refuse(received.node, received.version)
      return
    }
    const message = received.message
    if (message.from.name === this.#side.ref.name) this.#warnings.namesake(message.from)
    else if (message.type === 'heartbeat') this.#onHeartbeat(message)
    else if (message.type === 'transfer_req') this.#onTransferRequest(message)
    else if (message.type === 'transfer_ack') this.#onTransferAck(message)
    else this.#onGracefulPermdown(message.from)
  }

  // --- Heartbeats and downs ---------------------------------------------------------------

  #broadcastHeartbeat(): void {
    const delta = this.#side.state.takeDelta()
    if (delta !== undefined) {
      // Generations answer peers' transfer requests: a single-node PubSub never has a peer.
      if (this.#side.pubsub.adapterKind !== 'local') {
        this.#generations = pushGeneration(
          this.#generations,
          delta,
          this.#side.config.maxDeltaSizes,
        )
      }
      this.#silentPeriods = 0
      this.#heartbeat(delta)
      return
    }
    this.#silentPeriods++
    if (this.#silentPeriods >= this.#side.config.maxSilentPeriods) {
      this.#silentPeriods = 0
      this.#heartbeat(undefined)
    }
  }

  #heartbeat(delta: Delta | undefined): void {
    this.#broadcast({
      type: 'heartbeat',
      from: this.#side.ref,
      clock: this.#side.state.clocks().context,
      delta,
    })
  }

  /** Every few ticks, asks a transfer of each peer that has seen what we have not. */
  #sampleClocks(): void {
    if (--this.#samplesLeft > 0) return
    const { state, config } = this.#side
    this.#samplesLeft = config.clockSamplePeriods
    const clockset = appendClock(this.#clockset, state.clocks())
    this.#clockset = []
    for (const id of clocksetReplicas(clockset)) {
      if (id !== state.replica) this.#requestTransfer(id)
    }
  }

  #detectDowns(): void {
    const { config, state, label } = this.#side
    const periods = { downPeriod: config.downPeriod, permdownPeriod: config.permdownPeriod }
    const found = detectDowns(this.#replicas, getClock().now(), periods)
    this.#replicas = found.replicas
    for (const change of found.changes) {
      const id = replicaId(change.replica)
      if (change.kind === 'down') {
        this.#side.log(
          'warn',
          `${label}: ${change.replica.name} is down (silent for the down period)`,
        )
        this.#side.report(state.replicaDown(id))
      } else {
        this.#side.log(
          'warn',
          `${label}: ${change.replica.name} is permanently down; its presences are removed`,
        )
        this.#forget(id, change.wasUp)
      }
    }
  }

  #onHeartbeat(message: Message<'heartbeat'>): void {
    const { state } = this.#side
    const id = replicaId(message.from)
    this.#clockset = appendClock(this.#clockset, { replica: id, context: message.clock })
    this.#putHeartbeat(message.from)
    const delta = message.delta
    if (delta === undefined) return
    this.#side.report(state.merge(delta))
    this.#generations = pushGeneration(this.#generations, delta, this.#side.config.maxDeltaSizes)
    // A gap: the sender's own changes run ahead of what we have seen of them.
    const seen = state.context.get(id) ?? 0
    if (seen < (delta.end.get(id) ?? 0)) this.#requestTransfer(id)
  }

  #putHeartbeat(from: ReplicaRef): void {
    const { state, label } = this.#side
    const { replicas, outcome } = putHeartbeat(this.#replicas, from, getClock().now())
    this.#replicas = replicas
    const id = replicaId(outcome.replica)
    switch (outcome.kind) {
      case 'alive':
        return
      case 'discovered':
        this.#side.log('info', `${label}: ${from.name} is up`)
        this.#side.report(state.replicaUp(id))
        this.#heartbeatSoon()
        return
      case 'recovered':
        this.#side.log('info', `${label}: ${from.name} is back up`)
        this.#side.report(state.replicaUp(id))
        this.#requestTransfer(id, true)
        return
      case 'restarted': {
        const previous = outcome.previous
        this.#side.log(
          'info',
          `${label}: ${from.name} restarted; its previous incarnation is removed`,
        )
        this.#forget(replicaId(previous), previous.status === 'up')
        this.#side.report(state.replicaUp(id))
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
    this.#silentPeriods = this.#side.config.maxSilentPeriods
  }

  #onGracefulPermdown(from: ReplicaRef): void {
    const replica = fetchByRef(this.#replicas, from)
    if (replica === undefined) return
    this.#side.log('info', `${this.#side.label}: ${from.name} shut down; its presences are removed`)
    this.#replicas = removePeer(this.#replicas, from)
    this.#forget(replicaId(replica), replica.status === 'up')
  }

  /** A replica gone for good: hide its entries (leaves), then forget them. */
  #forget(id: ReplicaId, wasUp: boolean): void {
    const { state } = this.#side
    if (wasUp) this.#side.report(state.replicaDown(id))
    this.#side.report(state.removeReplica(id))
    this.#generations = removeReplicaFromGenerations(this.#generations, id)
    this.#clockset = this.#clockset.filter((clock) => clock.replica !== id)
  }

  // --- Transfers --------------------------------------------------------------------------

  #onTransferRequest(message: Message<'transfer_req'>): void {
    const { state, ref } = this.#side
    const remote = replicaId(message.from)
    const transfer = transferFor(state, this.#generations, remote, message.clock)
    this.#direct(message.from.name, {
      type: 'transfer_ack',
      from: ref,
      ref: message.ref,
      state: transfer,
    })
    // The request shows what its sender has seen: when that runs ahead of us, ask back. After
    // a broker restart the first nodes to reconnect ask peers that are still away; the last
    // one's requests then bring every pair in step within a round trip.
    if (!dominates(state.context, message.clock)) this.#requestTransfer(remote, true)
  }

  #onTransferAck(message: Message<'transfer_ack'>): void {
    if (fetchByRef(this.#replicas, message.from) === undefined) return // not a peer we know
    this.#merge(message.state)
  }

  #merge(replication: Replication): void {
    this.#side.report(this.#side.state.merge(replication))
    // A snapshot may fill gaps no generation shows: start the generations over. A delta from
    // a transfer is NOT pushed into them: it was extracted for us, without our own entries
    // but with their dots, so merged into a generation it would read as their removal and
    // the generation would answer later transfers with our live presences missing.
    if (replication.kind === 'snapshot') this.#generations = []
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
      if (last !== undefined && now - last < this.#side.config.broadcastPeriod) return
      this.#asked.set(replica.name, now)
    }
    const { ref, state } = this.#side
    this.#direct(replica.name, {
      type: 'transfer_req',
      from: ref,
      ref: `${ref.vsn}.${++this.#transferRefs}`,
      clock: state.clocks().context,
    })
  }

  // --- Plumbing ---------------------------------------------------------------------------

  #broadcast(message: ShardMessage): void {
    const { pubsub, topic } = this.#side
    const pid = this.#side.pid()
    if (pubsub.adapterKind === 'local' || pid === undefined) return // no peers, ever
    pubsub.broadcastFrom(pid, topic, encodeMessage(message))
  }

  #direct(node: string, message: ShardMessage): void {
    this.#side.pubsub.directBroadcast(node, this.#side.topic, encodeMessage(message))
  }
}
