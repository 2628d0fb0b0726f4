/**
 * The `cluster` adapter: the workers of one machine (`node:cluster`, see
 * `runCluster`) joined through their primary, with no server to run.
 *
 * Each worker is a node. A frame goes worker → primary → the other workers
 * over the IPC channel `node:cluster` already opens; the relay in the primary
 * (`cluster-relay.ts`) knows which worker holds which node, so a direct
 * broadcast reaches one worker only. Every adapter of one process shares that
 * process's channel through one hub, which batches what is sent within one
 * turn of the event loop (say, every broadcast caused by the socket frames
 * read in that turn) into one IPC message: IPC's cost is per message more
 * than per byte (JSON serialization, 333-byte frames, one hop: 26k frames/s
 * one per message, 92k/s sixteen per message; V8 'advanced' serialization
 * was slower at 17k and 21k/s, so the channel stays on JSON).
 *
 * When a worker dies the primary tells the others at once, and their PubSubs
 * report it through `onNodeDown(node, 'worker_exit')`.
 *
 * Delivery is at-most-once like every adapter's: a frame sent while the
 * channel is closed is counted as dropped, and a worker that restarts missed
 * what was broadcast while it was away.
 */
import { CinderError, describe } from '../../errors.ts'
import type { Adapter, AdapterContext } from '../adapter.ts'
import { clusterOps, type IpcChannel, newMessage, type OpKind } from './cluster-wire.ts'

export {
  type ClusterEvents,
  type ClusterRelay,
  createClusterRelay,
  installClusterRelay,
} from './cluster-relay.ts'
export type { IpcChannel, IpcPort } from './cluster-wire.ts'

/** Options of the `cluster` adapter. */
export interface ClusterAdapterOptions {
  /** The IPC channel to the primary. Default: this process's own (`process` in a worker). */
  channel?: IpcChannel
  /** How long `start` waits for the primary's relay to confirm the node, in ms. Default 5000. */
  joinTimeout?: number
}

interface Member {
  readonly ctx: AdapterContext
  joined: boolean
  settle?: (refusal: string | undefined) => void
}

/** The one user of a process's IPC channel: routes incoming frames to the adapters of this process. */
class Hub {
  readonly #channel: IpcChannel
  readonly #onEmpty: () => void
  /** PubSub name → node name → member. */
  readonly #members = new Map<string, Map<string, Member>>()
  #outbox: unknown[] | undefined
  /** The sender of each frame in the outbox, charged with the drop if the write fails. */
  #senders: AdapterContext[] = []
  #size = 0

  constructor(channel: IpcChannel, onEmpty: () => void) {
    this.#channel = channel
    this.#onEmpty = onEmpty
    channel.on('message', this.#onMessage)
    channel.on('disconnect', this.#onDisconnect)
  }

  /** Registers `ctx` with the relay; resolves once it confirmed, rejects if refused or silent. */
  join(ctx: AdapterContext, timeout: number): Promise<void> {
    let members = this.#members.get(ctx.pubsub)
    if (members === undefined) {
      members = new Map()
      this.#members.set(ctx.pubsub, members)
    }
    if (members.has(ctx.node)) return Promise.reject(nodeTaken(ctx, 'in this process'))
    const member: Member = { ctx, joined: false }
    members.set(ctx.node, member)
    this.#size++
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        member.settle?.(
          `no answer from the cluster relay within ${timeout} ms (is the primary running runCluster or installClusterRelay?)`,
        )
      }, timeout)
      member.settle = (refusal) => {
        clearTimeout(timer)
        delete member.settle
        if (refusal === undefined) {
          member.joined = true
          resolve()
          return
        }
        this.#forget(ctx)
        reject(
          refusal.startsWith('taken:')
            ? nodeTaken(ctx, refusal.slice(6))
            : new CinderError(
                'CINDER_ERR_PUBSUB_CONNECT',
                `expected the cluster primary to join node ${describe(ctx.node)} of PubSub ${describe(ctx.pubsub)}, got: ${refusal}`,
              ),
        )
      }
      if (!this.#channel.connected) member.settle('the IPC channel to the primary is closed')
      else this.#enqueue('j', ctx.pubsub, ctx.node, '', undefined)
    })
  }

  leave(ctx: AdapterContext): void {
    if (this.#members.get(ctx.pubsub)?.get(ctx.node)?.ctx !== ctx) return
    this.#enqueue('l', ctx.pubsub, ctx.node, '', undefined)
    this.#forget(ctx)
  }

  send(kind: 'b' | 'd', ctx: AdapterContext, node: string, frame: string): void {
    if (!this.#channel.connected) ctx.dropped()
    else this.#enqueue(kind, ctx.pubsub, node, frame, ctx)
  }

  #forget(ctx: AdapterContext): void {
    const members = this.#members.get(ctx.pubsub)
    if (members?.get(ctx.node)?.ctx !== ctx) return
    members.delete(ctx.node)
    if (members.size === 0) this.#members.delete(ctx.pubsub)
    if (--this.#size === 0) {
      // Without listeners the channel no longer keeps the process alive.
      this.#channel.off('message', this.#onMessage)
      this.#channel.off('disconnect', this.#onDisconnect)
      this.#onEmpty()
    }
  }

  #enqueue(
    kind: OpKind,
    pubsub: string,
    node: string,
    data: string,
    sender: AdapterContext | undefined,
  ): void {
    if (this.#outbox === undefined) {
      this.#outbox = newMessage()
      setImmediate(this.#flush)
    }
    this.#outbox.push(kind, pubsub, node, data)
    if (sender !== undefined) this.#senders.push(sender)
  }

  readonly #flush = (): void => {
    const message = this.#outbox
    const senders = this.#senders
    this.#outbox = undefined
    this.#senders = []
    if (message === undefined) return
    const lost = (): void => {
      for (const sender of senders) sender.dropped()
    }
    if (!this.#channel.connected) {
      lost()
      return
    }
    try {
      this.#channel.send(message, (error) => {
        if (error !== null && error !== undefined) lost()
      })
    } catch {
      lost() // the channel closed between the check and the write
    }
  }

  readonly #onMessage = (message: unknown): void => {
    const ops = clusterOps(message)
    if (ops === undefined) return // someone else's IPC traffic
    for (let i = 2; i + 3 < ops.length; i += 4) {
      const [kind, pubsub, node, data] = [ops[i], ops[i + 1], ops[i + 2], ops[i + 3]]
      if (typeof pubsub !== 'string' || typeof node !== 'string' || typeof data !== 'string') {
        continue
      }
      const members = this.#members.get(pubsub)
      if (members === undefined) continue
      if (kind === 'b') {
        // Several nodes of one PubSub may share a process (tests do); the sender skips its own.
        for (const [name, member] of members) {
          if (name !== node && member.joined) member.ctx.receive(data)
        }
      } else if (kind === 'd') {
        const member = members.get(node)
        if (member?.joined) member.ctx.receive(data)
      } else if (kind === 'a') {
        members.get(node)?.settle?.(data === '' ? undefined : data)
      } else if (kind === 'x') {
        for (const [name, member] of members) {
          if (name !== node && member.joined) member.ctx.nodeDown(node, data)
        }
      }
    }
  }

  readonly #onDisconnect = (): void => {
    for (const members of this.#members.values()) {
      for (const member of members.values()) {
        if (member.settle !== undefined) member.settle('the IPC channel to the primary closed')
        else member.ctx.linkDown('the IPC channel to the cluster primary closed')
      }
    }
  }
}

const hubs = new WeakMap<IpcChannel, Hub>()

function hubFor(channel: IpcChannel): Hub {
  let hub = hubs.get(channel)
  if (hub === undefined) {
    hub = new Hub(channel, () => hubs.delete(channel))
    hubs.set(channel, hub)
  }
  return hub
}

/** This process's IPC channel to its parent, if it has one. */
function processChannel(): IpcChannel | undefined {
  return process.send === undefined ? undefined : (process as unknown as IpcChannel)
}

function nodeTaken(ctx: AdapterContext, where: string): CinderError {
  return new CinderError(
    'CINDER_ERR_PUBSUB_NODE_TAKEN',
    `expected a node name no other node of PubSub ${describe(ctx.pubsub)} uses, got ${describe(ctx.node)}, already joined ${where}`,
  )
}

/**
 * Creates a `cluster` adapter for one PubSub of a worker started by
 * `runCluster` (or any process whose parent installed the cluster relay).
 *
 * **Example**
 * ```ts
 * const pubsub = await startPubSub({ name: 'app', adapter: clusterAdapter() })
 * ```
 */
export function clusterAdapter(options: ClusterAdapterOptions = {}): Adapter {
  const { joinTimeout = 5000 } = options
  if (!(Number.isFinite(joinTimeout) && joinTimeout > 0)) {
    throw new CinderError(
      'CINDER_ERR_PUBSUB_BAD_ARG',
      `expected joinTimeout to be a positive number of ms, got ${describe(joinTimeout)}`,
    )
  }
  let hub: Hub | undefined
  let self: AdapterContext | undefined

  return {
    kind: 'cluster',
    multiNode: true,

    async start(ctx) {
      const channel = options.channel ?? processChannel()
      if (channel === undefined) {
        throw new CinderError(
          'CINDER_ERR_PUBSUB_CONNECT',
          'expected an IPC channel to a cluster primary (a worker started by runCluster), got a process without one; outside a cluster use the local, redis or nats adapter',
        )
      }
      const joining = hubFor(channel)
      await joining.join(ctx, joinTimeout)
      hub = joining
      self = ctx
    },

    broadcast(frame) {
      if (hub !== undefined && self !== undefined) hub.send('b', self, self.node, frame)
    },

    directBroadcast(node, frame) {
      if (hub !== undefined && self !== undefined) hub.send('d', self, node, frame)
    },

    async stop() {
      if (hub !== undefined && self !== undefined) hub.leave(self)
      hub = undefined
      self = undefined
    },
  }
}
