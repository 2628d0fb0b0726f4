/**
 * An adapter that wraps another one and counts what crosses it, for the presence-scale
 * scenario: frames and bytes sent (by Tracker message type) and received. Only the Tracker
 * talks between nodes in that scenario (diffs to clients are local broadcasts), so every
 * frame it sees is a presence message. It classifies a frame from its first bytes only
 * (the envelope's `type` and whether `delta` is null come before the payload), so counting
 * costs a short scan, not a parse.
 */
import type { Adapter, AdapterContext } from '../../src/pubsub/adapter.ts'

/** Kinds of Tracker messages between shards. */
export type TrackerMessageKind =
  | 'heartbeat_delta'
  | 'heartbeat_empty'
  | 'transfer_req'
  | 'transfer_ack'
  | 'graceful_permdown'
  | 'other'

export interface Traffic {
  /** Frames sent, by kind (a broadcast counts once, however many nodes receive it). */
  readonly sent: Record<TrackerMessageKind, { frames: number; bytes: number }>
  /** Frames and bytes this node's subscription received (its own broadcasts' echo included). */
  readonly received: { frames: number; bytes: number }
}

export function emptyTraffic(): Traffic {
  const zero = () => ({ frames: 0, bytes: 0 })
  return {
    sent: {
      heartbeat_delta: zero(),
      heartbeat_empty: zero(),
      transfer_req: zero(),
      transfer_ack: zero(),
      graceful_permdown: zero(),
      other: zero(),
    },
    received: zero(),
  }
}

const HEAD = 400

function kindOf(frame: string): TrackerMessageKind {
  const head = frame.slice(0, HEAD)
  const match = /"type":"(\w+)"/.exec(head)
  switch (match?.[1]) {
    case 'heartbeat':
      return head.includes('"delta":null') ? 'heartbeat_empty' : 'heartbeat_delta'
    case 'transfer_req':
    case 'transfer_ack':
    case 'graceful_permdown':
      return match[1]
    default:
      return 'other'
  }
}

const size = (frame: string | Uint8Array) =>
  typeof frame === 'string' ? Buffer.byteLength(frame) : frame.byteLength

/** Wraps `inner`; `traffic()` reads the counts, `reset()` zeroes them. */
export class CountingAdapter implements Adapter {
  readonly kind: string
  readonly multiNode: boolean
  readonly #inner: Adapter
  #traffic = emptyTraffic()

  constructor(inner: Adapter) {
    this.#inner = inner
    this.kind = inner.kind
    this.multiNode = inner.multiNode
  }

  traffic(): Traffic {
    return this.#traffic
  }

  reset(): void {
    this.#traffic = emptyTraffic()
  }

  start(ctx: AdapterContext): Promise<void> {
    const counted: AdapterContext = {
      ...ctx,
      pubsub: ctx.pubsub,
      node: ctx.node,
      logger: ctx.logger,
      receive: (frame) => {
        this.#traffic.received.frames++
        this.#traffic.received.bytes += size(frame)
        ctx.receive(frame)
      },
      linkDown: (reason) => ctx.linkDown(reason),
      linkUp: () => ctx.linkUp(),
      dropped: () => ctx.dropped(),
      nodeDown: (node, reason) => ctx.nodeDown(node, reason),
    }
    return this.#inner.start(counted)
  }

  broadcast(frame: string): void {
    this.#count(frame)
    this.#inner.broadcast(frame)
  }

  directBroadcast(node: string, frame: string): void {
    this.#count(frame)
    this.#inner.directBroadcast(node, frame)
  }

  stop(): Promise<void> {
    return this.#inner.stop()
  }

  #count(frame: string): void {
    const counts = this.#traffic.sent[kindOf(frame)]
    counts.frames++
    counts.bytes += size(frame)
  }
}
