/**
 * The `memory` adapter: several PubSub instances in one Node process joined
 * by an in-memory bus, each a node of its own. Frames are encoded, carried
 * asynchronously and decoded exactly as over Redis or NATS, so tests of
 * multi-node behaviour (Presence replication, link loss) run without a server.
 */
import type { Adapter, AdapterContext } from '../adapter.ts'

/** An in-memory bus joining PubSub instances of one process. */
export interface MemoryBus {
  /** A new adapter on this bus, for one PubSub. */
  adapter(): Adapter
  /**
   * Cuts `node` (in every PubSub) off the bus: frames to and from it are
   * lost, and its PubSub sees the link go down. `heal` joins it again (its
   * PubSub's `onReconnect` hooks run).
   */
  cut(node: string): void
  heal(node: string): void
  /** Delivers raw bytes to every node of `pubsub` (of every PubSub when omitted), as a foreign writer would. */
  inject(data: string | Uint8Array, pubsub?: string): void
}

interface Member {
  readonly ctx: AdapterContext
  cut: boolean
}

interface Pending {
  readonly to: Member | undefined
  readonly pubsub: string | undefined
  readonly data: string | Uint8Array
}

/** Creates an empty in-memory bus. */
export function createMemoryBus(): MemoryBus {
  return new Bus()
}

class Bus implements MemoryBus {
  // PubSub name → node name → member: like a Redis channel, the bus is scoped by PubSub name.
  readonly #pubsubs = new Map<string, Map<string, Member>>()
  // One queue for the bus keeps frames in send order; one flush per turn.
  #queue: Pending[] = []
  #flushing = false

  adapter(): Adapter {
    return new MemoryAdapter(this)
  }

  cut(node: string): void {
    for (const member of this.#byNode(node)) {
      if (member.cut) continue
      member.cut = true
      member.ctx.linkDown('cut off the memory bus')
    }
  }

  heal(node: string): void {
    for (const member of this.#byNode(node)) {
      if (!member.cut) continue
      member.cut = false
      member.ctx.linkUp()
    }
  }

  inject(data: string | Uint8Array, pubsub?: string): void {
    this.enqueue({ to: undefined, pubsub, data })
  }

  /** @internal Adds a member (an adapter that started). */
  join(member: Member): void {
    let members = this.#pubsubs.get(member.ctx.pubsub)
    if (members === undefined) {
      members = new Map()
      this.#pubsubs.set(member.ctx.pubsub, members)
    }
    members.set(member.ctx.node, member)
  }

  /** @internal Removes a member (an adapter that stops), unless another took its place. */
  leave(member: Member): void {
    const members = this.#pubsubs.get(member.ctx.pubsub)
    if (members?.get(member.ctx.node) !== member) return
    members.delete(member.ctx.node)
    if (members.size === 0) this.#pubsubs.delete(member.ctx.pubsub)
  }

  /** @internal The member that is `node` in the PubSub named `pubsub`. */
  find(pubsub: string, node: string): Member | undefined {
    return this.#pubsubs.get(pubsub)?.get(node)
  }

  /** @internal Queues a frame; the queue is flushed on the next turn. */
  enqueue(pending: Pending): void {
    this.#queue.push(pending)
    if (!this.#flushing) {
      this.#flushing = true
      setImmediate(this.#flush)
    }
  }

  readonly #flush = (): void => {
    const batch = this.#queue
    this.#queue = []
    this.#flushing = false
    for (const { to, pubsub, data } of batch) {
      if (to !== undefined) {
        if (!to.cut && this.#isMember(to)) to.ctx.receive(data)
        continue
      }
      const targets =
        pubsub === undefined
          ? [...this.#pubsubs.values()]
          : [this.#pubsubs.get(pubsub) ?? new Map()]
      for (const members of targets) {
        for (const member of members.values()) if (!member.cut) member.ctx.receive(data)
      }
    }
  }

  #byNode(node: string): Member[] {
    return [...this.#pubsubs.values()].flatMap((members) => members.get(node) ?? [])
  }

  #isMember(member: Member): boolean {
    return this.find(member.ctx.pubsub, member.ctx.node) === member
  }
}

/** One PubSub's adapter on a bus. */
class MemoryAdapter implements Adapter {
  readonly kind = 'memory'
  readonly multiNode = true
  readonly #bus: Bus
  #self: Member | undefined

  constructor(bus: Bus) {
    this.#bus = bus
  }

  async start(ctx: AdapterContext): Promise<void> {
    this.#self = { ctx, cut: false }
    this.#bus.join(this.#self)
  }

  // Every member gets the frame, the sender too: the PubSub drops its own echo.
  broadcast(frame: string): void {
    this.#send(undefined, frame)
  }

  directBroadcast(node: string, frame: string): void {
    const self = this.#self
    const to = self === undefined ? undefined : this.#bus.find(self.ctx.pubsub, node)
    if (to !== undefined) this.#send(to, frame)
  }

  async stop(): Promise<void> {
    if (this.#self !== undefined) this.#bus.leave(this.#self)
    this.#self = undefined
  }

  #send(to: Member | undefined, frame: string): void {
    const self = this.#self
    if (self === undefined || self.cut) self?.ctx.dropped()
    else this.#bus.enqueue({ to, pubsub: self.ctx.pubsub, data: frame })
  }
}
