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
  // PubSub name → node name → member: like a Redis channel, the bus is scoped by PubSub name.
  const pubsubs = new Map<string, Map<string, Member>>()
  const membersOf = (pubsub: string): Map<string, Member> => {
    let members = pubsubs.get(pubsub)
    if (members === undefined) {
      members = new Map()
      pubsubs.set(pubsub, members)
    }
    return members
  }
  const byNode = (node: string): Member[] =>
    [...pubsubs.values()].flatMap((members) => members.get(node) ?? [])
  const isMember = (member: Member): boolean =>
    pubsubs.get(member.ctx.pubsub)?.get(member.ctx.node) === member

  // One queue for the bus keeps frames in send order; one flush per turn.
  let queue: Pending[] = []
  let flushing = false
  const flush = (): void => {
    const batch = queue
    queue = []
    flushing = false
    for (const { to, pubsub, data } of batch) {
      if (to !== undefined) {
        if (!to.cut && isMember(to)) to.ctx.receive(data)
        continue
      }
      const targets =
        pubsub === undefined ? [...pubsubs.values()] : [pubsubs.get(pubsub) ?? new Map()]
      for (const members of targets) {
        for (const member of members.values()) if (!member.cut) member.ctx.receive(data)
      }
    }
  }
  const enqueue = (pending: Pending): void => {
    queue.push(pending)
    if (!flushing) {
      flushing = true
      setImmediate(flush)
    }
  }

  return {
    adapter(): Adapter {
      let self: Member | undefined
      const send = (to: Member | undefined, frame: string): void => {
        if (self === undefined || self.cut) self?.ctx.dropped()
        else enqueue({ to, pubsub: self.ctx.pubsub, data: frame })
      }
      return {
        kind: 'memory',
        multiNode: true,
        async start(ctx) {
          self = { ctx, cut: false }
          membersOf(ctx.pubsub).set(ctx.node, self)
        },
        // Every member gets the frame, the sender too: the PubSub drops its own echo.
        broadcast: (frame) => send(undefined, frame),
        directBroadcast(node, frame) {
          const to = self === undefined ? undefined : pubsubs.get(self.ctx.pubsub)?.get(node)
          if (to !== undefined) send(to, frame)
        },
        async stop() {
          if (self !== undefined && isMember(self)) {
            const members = membersOf(self.ctx.pubsub)
            members.delete(self.ctx.node)
            if (members.size === 0) pubsubs.delete(self.ctx.pubsub)
          }
          self = undefined
        },
      }
    },
    cut(node) {
      for (const member of byNode(node)) {
        if (member.cut) continue
        member.cut = true
        member.ctx.linkDown('cut off the memory bus')
      }
    },
    heal(node) {
      for (const member of byNode(node)) {
        if (!member.cut) continue
        member.cut = false
        member.ctx.linkUp()
      }
    },
    inject(data, pubsub) {
      enqueue({ to: undefined, pubsub, data })
    },
  }
}
