/**
 * The relay in a cluster primary: it forwards the `cluster` adapter's frames
 * between workers (see `cluster-wire.ts` for the messages).
 *
 * It keeps, per PubSub name, which worker holds which node. A broadcast goes
 * to every other worker that has a node of that PubSub (back to the sender
 * only when it holds other nodes of it), a direct broadcast to the one worker
 * holding the node. What arrives within one turn of the event loop leaves as
 * at most one message per worker, so the workers' batching carries through
 * (and grows under load). A worker that exits is forgotten, and the other
 * workers are told at once (`x`), so membership need not wait for silence;
 * when it comes back it joins again.
 */
import type { Worker } from 'node:cluster'
import nodeCluster from 'node:cluster'
import { describe } from '../../errors.ts'
import type { Logger } from '../../logger.ts'
import {
  clusterOps,
  type IpcPort,
  isClusterMessage,
  newMessage,
  type OpKind,
} from './cluster-wire.ts'

/** The relay's routing table and its entry point for messages. */
export interface ClusterRelay {
  /**
   * Handles one IPC message from `peer`. Returns false when the message is
   * not the cluster adapter's (someone else's traffic), true otherwise.
   */
  receive(peer: IpcPort, message: unknown): boolean
  /** Forgets every node `peer` held (its worker exited) and tells the other workers they are gone. */
  remove(peer: IpcPort): void
  /** The nodes joined to the PubSub named `pubsub`, in join order. */
  nodes(pubsub: string): string[]
}

interface Group {
  /** Node name → the worker holding it. */
  readonly nodes: Map<string, IpcPort>
  /** Worker → how many nodes of this PubSub it holds. */
  readonly peers: Map<IpcPort, number>
}

/** Creates an empty relay; feed it with `receive` and `remove` (or use `installClusterRelay`). */
export function createClusterRelay(options: { logger?: Logger } = {}): ClusterRelay {
  return new Relay(options.logger ?? console)
}

class Relay implements ClusterRelay {
  readonly #logger: Logger
  readonly #groups = new Map<string, Group>()
  #warnedVersion = false
  // One outgoing message per worker for everything that arrived within one turn of the event loop.
  #outboxes = new Map<IpcPort, unknown[]>()

  constructor(logger: Logger) {
    this.#logger = logger
  }

  receive(peer: IpcPort, message: unknown): boolean {
    const ops = clusterOps(message)
    if (ops === undefined) {
      if (!isClusterMessage(message)) return false
      if (!this.#warnedVersion) {
        this.#warnedVersion = true
        this.#logger.warn(
          `cluster relay: ignored a message it cannot read (this primary speaks wire version 1): ${describe(message).slice(0, 120)}`,
        )
      }
      return true
    }
    for (let i = 2; i + 3 < ops.length; i += 4) {
      const [kind, pubsub, node, data] = [ops[i], ops[i + 1], ops[i + 2], ops[i + 3]]
      if (typeof pubsub !== 'string' || typeof node !== 'string' || typeof data !== 'string') {
        continue
      }
      if (kind === 'b') this.#broadcast(peer, pubsub, node, data)
      else if (kind === 'd') this.#direct(pubsub, node, data)
      else if (kind === 'j') this.#join(peer, pubsub, node)
      else if (kind === 'l') this.#leave(peer, pubsub, node)
    }
    return true
  }

  remove(peer: IpcPort): void {
    for (const [pubsub, group] of this.#groups) {
      if (!group.peers.has(peer)) continue
      for (const [node, holder] of group.nodes) {
        if (holder !== peer) continue
        this.#drop(group, pubsub, node)
        // After whatever it sent before dying (same outboxes, in order): no heartbeat of it follows.
        for (const to of group.peers.keys()) this.#post(to, 'x', pubsub, node, 'worker_exit')
      }
    }
  }

  nodes(pubsub: string): string[] {
    return [...(this.#groups.get(pubsub)?.nodes.keys() ?? [])]
  }

  /** To every worker with a node of `pubsub`, the sender only when it holds another one. */
  #broadcast(peer: IpcPort, pubsub: string, node: string, data: string): void {
    const group = this.#groups.get(pubsub)
    if (group === undefined) return
    for (const [to, count] of group.peers) {
      if (to !== peer || count > 1 || group.nodes.get(node) !== peer) {
        this.#post(to, 'b', pubsub, node, data)
      }
    }
  }

  #direct(pubsub: string, node: string, data: string): void {
    const to = this.#groups.get(pubsub)?.nodes.get(node)
    if (to !== undefined) this.#post(to, 'd', pubsub, node, data)
  }

  /** Records `peer` as holding `node` unless another worker does; either way, answers it. */
  #join(peer: IpcPort, pubsub: string, node: string): void {
    const group = this.#groupOf(pubsub)
    const holder = group.nodes.get(node)
    if (holder === undefined) {
      group.nodes.set(node, peer)
      group.peers.set(peer, (group.peers.get(peer) ?? 0) + 1)
    }
    const refusal = holder === undefined || holder === peer ? '' : 'taken:by another worker'
    this.#post(peer, 'a', pubsub, node, refusal)
  }

  #leave(peer: IpcPort, pubsub: string, node: string): void {
    const group = this.#groups.get(pubsub)
    if (group?.nodes.get(node) === peer) this.#drop(group, pubsub, node)
  }

  #groupOf(pubsub: string): Group {
    let group = this.#groups.get(pubsub)
    if (group === undefined) {
      group = { nodes: new Map(), peers: new Map() }
      this.#groups.set(pubsub, group)
    }
    return group
  }

  #drop(group: Group, pubsub: string, node: string): void {
    const peer = group.nodes.get(node)
    if (peer === undefined) return
    group.nodes.delete(node)
    const count = (group.peers.get(peer) ?? 1) - 1
    if (count > 0) group.peers.set(peer, count)
    else group.peers.delete(peer)
    if (group.nodes.size === 0) this.#groups.delete(pubsub)
  }

  #post(to: IpcPort, kind: OpKind, pubsub: string, node: string, data: string): void {
    let outbox = this.#outboxes.get(to)
    if (outbox === undefined) {
      if (this.#outboxes.size === 0) setImmediate(this.#flush)
      outbox = newMessage()
      this.#outboxes.set(to, outbox)
    }
    outbox.push(kind, pubsub, node, data)
  }

  readonly #flush = (): void => {
    const sending = this.#outboxes
    this.#outboxes = new Map()
    for (const [to, outbox] of sending) {
      try {
        // A worker that is gone is forgotten on its exit; what it misses meanwhile is lost.
        to.send(outbox, () => {})
      } catch {}
    }
  }
}

/** What `installClusterRelay` needs of `node:cluster` (the module itself fits). */
export interface ClusterEvents {
  on(event: 'message', listener: (worker: Worker, message: unknown) => void): unknown
  on(event: 'exit', listener: (worker: Worker) => void): unknown
  off(event: 'message', listener: (worker: Worker, message: unknown) => void): unknown
  off(event: 'exit', listener: (worker: Worker) => void): unknown
}

/**
 * Installs a relay in this cluster primary: every worker's cluster adapter
 * messages are routed, and a worker's nodes are forgotten when it exits.
 * `runCluster` does this; call it yourself only when you fork workers with
 * `node:cluster` directly. Returns the relay and a function that uninstalls it.
 */
export function installClusterRelay(options: { cluster?: ClusterEvents; logger?: Logger } = {}): {
  relay: ClusterRelay
  uninstall: () => void
} {
  const cluster = options.cluster ?? nodeCluster
  const relay = createClusterRelay(options.logger === undefined ? {} : { logger: options.logger })
  const onMessage = (worker: Worker, message: unknown): void => {
    relay.receive(worker, message)
  }
  const onExit = (worker: Worker): void => relay.remove(worker)
  cluster.on('message', onMessage)
  cluster.on('exit', onExit)
  return {
    relay,
    uninstall() {
      cluster.off('message', onMessage)
      cluster.off('exit', onExit)
    },
  }
}
