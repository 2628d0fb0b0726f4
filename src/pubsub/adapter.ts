/**
 * The contract between a PubSub and the adapter that links it to the other
 * nodes of a cluster.
 *
 * An adapter carries opaque frames and nothing else. The PubSub encodes a
 * broadcast once (see `encoding.ts`) and hands the frame to the adapter; on
 * the other side the adapter hands the bytes it received to `ctx.receive`,
 * and the PubSub decodes them, drops its own echo and anything corrupt or
 * foreign, checks the protocol version and dispatches to the local
 * subscribers. Local delivery never goes through the adapter, so an adapter
 * needs no knowledge of topics, subscribers or dispatchers.
 */

import type { Logger } from '../logger.ts'
import type { HistoryEngine } from './history.ts'

/** What the PubSub gives its adapter when it starts it. */
export interface AdapterContext {
  /** The PubSub's name; adapters scope their channels or subjects by it. */
  readonly pubsub: string
  /** This node's name, unique in the cluster. */
  readonly node: string
  readonly logger: Logger
  /** Hands a frame that arrived from the wire to the PubSub. Never throws. */
  receive(frame: string | Uint8Array): void
  /**
   * Reports that the link to the other nodes is lost. Idempotent: the PubSub
   * logs one line per outage however often it is called.
   */
  linkDown(reason: string): void
  /** Reports that the link is back; the PubSub logs one line and runs its `onReconnect` hooks. */
  linkUp(): void
  /** Counts an outgoing frame that the link could not take (reported when the link is back). */
  dropped(): void
  /**
   * Reports that the adapter knows the node named `node` is gone, and why (`worker_exit`:
   * the cluster primary saw its worker die). Adapters that cannot know never call it; the
   * PubSub hands it to its `onNodeDown` hooks (a membership layer listens).
   */
  nodeDown(node: string, reason: string): void
}

/**
 * An adapter: one per PubSub instance (create a new one for each PubSub).
 * `broadcast` and `directBroadcast` must not throw and must not block: a
 * frame that cannot be sent is counted with `ctx.dropped()`.
 */
export interface Adapter {
  /** A short name for log lines, such as `redis` or `nats`. */
  readonly kind: string
  /** Whether frames can reach other nodes (false for the single-node `local` adapter). */
  readonly multiNode: boolean
  /** Connects; resolves once frames can flow both ways. */
  start(ctx: AdapterContext): Promise<void>
  /** Sends a frame to every other node of the cluster. */
  broadcast(frame: string): void
  /** Sends a frame to the one node named `node` (never called with this node's own name). */
  directBroadcast(node: string, frame: string): void
  /** Disconnects and releases every resource; the PubSub delivers nothing afterwards. */
  stop(): Promise<void>
  /**
   * The history engine of durable topics on the same server, if the adapter
   * has one (Redis Streams, NATS JetStream): the PubSub's default `history`.
   * It starts when the first topic is declared durable.
   */
  history?(): HistoryEngine
}
