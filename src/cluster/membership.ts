/**
 * Which nodes are up, as this node sees them: a pure state machine fed with what arrives
 * (heartbeats, clean stops, the adapter's worker exits) and the time, returning the events
 * each input caused. The cluster process (cluster.ts) drives it and acts on the events.
 *
 * A node is known by its name and its incarnation (fresh on every start), so a node that
 * restarts under its name is told apart from one that was only silent:
 * - a heartbeat from an unknown node: `up` / `joined`;
 * - silence longer than the limit: `down` / `timeout`; a later heartbeat of the same
 *   incarnation: `up` / `recovered` (it was only slow: a GC pause, a stalled event loop);
 * - a heartbeat with a new incarnation: `down` / `restarted` for the old one, `up` / `joined`;
 * - a clean stop (`bye`) or a worker exit: `down` / `shutdown` or `worker_exit`, for good: a
 *   stray heartbeat of that incarnation is ignored.
 */

/** Why a node went down. */
export type NodeDownReason = 'timeout' | 'shutdown' | 'worker_exit' | 'restarted'
/** Why a node came up: first heard, or heard again after a timeout. */
export type NodeUpReason = 'joined' | 'recovered'

/** A change of a node's status, as `onNodeEvent` listeners get it. */
export type NodeEvent =
  | {
      readonly type: 'up'
      readonly node: string
      readonly incarnation: string
      readonly reason: NodeUpReason
    }
  | {
      readonly type: 'down'
      readonly node: string
      readonly incarnation: string
      readonly reason: NodeDownReason
    }

/** What a heartbeat carries besides liveness: small counters other parts compare (registry). */
export type Digest = Readonly<Record<string, number>>

interface Peer {
  readonly incarnation: string
  lastSeen: number
  digest: Digest
}

interface Gone {
  readonly incarnation: string
  readonly at: number
  /** Stopped or exited: the incarnation never comes back. */
  readonly final: boolean
}

/** How long a node that went down is remembered (to tell `recovered` from `joined`). */
const FORGET_MS = 10 * 60_000

/** The up peers of one node and the recently gone ones. */
export class Membership {
  readonly #peers = new Map<string, Peer>()
  readonly #gone = new Map<string, Gone>()
  readonly #self: string
  readonly #silenceLimit: number

  /** `silenceLimit`: silence (ms) after which a peer is down. */
  constructor(self: string, silenceLimit: number) {
    this.#self = self
    this.#silenceLimit = silenceLimit
  }

  /** A heartbeat of `node` (incarnation `inc`) at `now`. */
  heard(node: string, inc: string, digest: Digest, now: number): NodeEvent[] {
    if (node === this.#self) return []
    const peer = this.#peers.get(node)
    if (peer?.incarnation === inc) {
      peer.lastSeen = now
      peer.digest = digest
      return []
    }
    const gone = this.#gone.get(node)
    if (peer === undefined && gone?.incarnation === inc && gone.final) return [] // a stray
    this.#peers.set(node, { incarnation: inc, lastSeen: now, digest })
    this.#gone.delete(node)
    const up: NodeEvent = {
      type: 'up',
      node,
      incarnation: inc,
      reason: peer === undefined && gone?.incarnation === inc ? 'recovered' : 'joined',
    }
    if (peer === undefined) return [up]
    return [{ type: 'down', node, incarnation: peer.incarnation, reason: 'restarted' }, up]
  }

  /** `node` is gone for good (`bye` of that incarnation, or its worker exited). */
  left(node: string, reason: 'shutdown' | 'worker_exit', now: number, inc?: string): NodeEvent[] {
    const peer = this.#peers.get(node)
    if (peer === undefined || (inc !== undefined && peer.incarnation !== inc)) return []
    this.#peers.delete(node)
    this.#gone.set(node, { incarnation: peer.incarnation, at: now, final: true })
    return [{ type: 'down', node, incarnation: peer.incarnation, reason }]
  }

  /** Peers silent past the limit at `now` go down; old memories of gone nodes are dropped. */
  expire(now: number): NodeEvent[] {
    const events: NodeEvent[] = []
    for (const [node, peer] of this.#peers) {
      if (now - peer.lastSeen <= this.#silenceLimit) continue
      this.#peers.delete(node)
      this.#gone.set(node, { incarnation: peer.incarnation, at: now, final: false })
      events.push({ type: 'down', node, incarnation: peer.incarnation, reason: 'timeout' })
    }
    for (const [node, gone] of this.#gone) if (now - gone.at > FORGET_MS) this.#gone.delete(node)
    return events
  }

  /** Gives every peer a fresh silence allowance (this node's own link was down meanwhile). */
  refresh(now: number): void {
    for (const peer of this.#peers.values()) peer.lastSeen = now
  }

  /** The up peers' names, sorted (this node excluded). */
  peers(): string[] {
    return [...this.#peers.keys()].sort()
  }

  /** The incarnation of an up peer. */
  incarnationOf(node: string): string | undefined {
    return this.#peers.get(node)?.incarnation
  }

  /** The last digest an up peer sent. */
  digestOf(node: string): Digest | undefined {
    return this.#peers.get(node)?.digest
  }
}
