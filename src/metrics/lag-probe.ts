/**
 * How long a broadcast takes to reach the other nodes and back, through the
 * PubSub adapter (Redis, NATS, the cluster relay): each node broadcasts a
 * ping on a topic of its own every `interval`; every other node answers
 * with a direct broadcast to the sender, which records the round trip per
 * peer. Clocks of different machines are never compared, only the sender's.
 * A peer silent for three intervals is dropped from the figures.
 */
import { performance } from 'node:perf_hooks'
import type { PubSub } from '../pubsub/index.ts'

interface Ping {
  readonly t: 'ping'
  readonly from: string
  readonly at: number
}

interface Pong {
  readonly t: 'pong'
  readonly to: string
  readonly peer: string
  readonly at: number
}

/** The last round trip to one peer. */
export interface PeerLag {
  readonly peer: string
  /** Seconds from the ping to its answer. */
  readonly roundTrip: number
  /** `performance.now()` when it was measured. */
  readonly at: number
}

export class LagProbe {
  readonly #pubsub: PubSub
  readonly #topic: string
  readonly #interval: number
  readonly #peers = new Map<string, PeerLag>()
  readonly #listener = (message: unknown) => this.#received(message)

  constructor(pubsub: PubSub, interval: number) {
    this.#pubsub = pubsub
    this.#topic = `cinder:metrics:lag:${pubsub.name}`
    this.#interval = interval
  }

  start(): void {
    this.#pubsub.subscribe(this.#topic, this.#listener)
  }

  stop(): void {
    if (this.#pubsub.state === 'running') this.#pubsub.unsubscribe(this.#topic, this.#listener)
  }

  /** Sends a ping (call every `interval`); a no-op on a single-node adapter. */
  ping(): void {
    if (this.#pubsub.state !== 'running' || !this.#pubsub.connected) return
    const ping: Ping = { t: 'ping', from: this.#pubsub.node, at: performance.now() }
    this.#pubsub.broadcast(this.#topic, ping)
  }

  /** The peers heard from within three intervals. */
  get peers(): PeerLag[] {
    const now = performance.now()
    for (const [peer, lag] of this.#peers) {
      if (now - lag.at > 3 * this.#interval) this.#peers.delete(peer)
    }
    return [...this.#peers.values()]
  }

  #received(message: unknown): void {
    if (typeof message !== 'object' || message === null) return
    const node = this.#pubsub.node
    const m = message as { t?: unknown; from?: unknown; to?: unknown; peer?: unknown; at?: number }
    if (m.t === 'ping' && typeof m.from === 'string' && m.from !== node) {
      const pong: Pong = { t: 'pong', to: m.from, peer: node, at: m.at ?? 0 }
      this.#pubsub.directBroadcast(m.from, this.#topic, pong)
    } else if (m.t === 'pong' && m.to === node && typeof m.peer === 'string') {
      const now = performance.now()
      this.#peers.set(m.peer, { peer: m.peer, roundTrip: (now - (m.at ?? now)) / 1000, at: now })
    }
  }
}
