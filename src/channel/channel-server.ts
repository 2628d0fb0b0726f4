/**
 * The channel server: the process that runs one join of one topic.
 *
 * How this works:
 * - The socket starts it for a `phx_join` and awaits `join`. Until the
 *   socket has written the join's reply, messages for the channel wait in
 *   its mailbox; then they run one at a time, in order, each callback's
 *   promise settling before the next message starts.
 * - A callback that throws, rejects or returns a wrong shape crashes the
 *   channel: `terminate` runs with the error and the socket sends
 *   `phx_error`. A `stop` result with a graceful reason sends `phx_close`.
 * - The channel subscribes to its topic with itself as metadata, so the
 *   fastlane writes broadcasts straight to its connection and hands it only
 *   the events it intercepts.
 * - `shutdown(reason)` (socket closed, duplicate join) lets the callback in
 *   flight finish, drops what is queued, and stops.
 */
import { describe } from '../errors.ts'
import { isNormalExit, noreply } from '../process/behaviour.ts'
import type { PubSub, SubscriberFn } from '../pubsub/index.ts'
import type { TransportConnection, TransportName } from '../socket/transport.ts'
import type { SocketLogger } from '../socket/transports/websocket.ts'
import type { WireMessage, WireSerializer } from '../socket/wire.ts'
import { type Broadcast, broadcastMessage, isBroadcast } from './broadcast.ts'
import type { Channel } from './channel.ts'
import { type ChannelLink, ChannelSocket, type Payload } from './channel-socket.ts'
import { FASTLANE, type FastlaneTarget, kFastlane } from './fastlane.ts'
import { checkHandleInResult, checkHandleResult, checkJoinResult, type Step } from './results.ts'

/** The socket's side, as a channel server sees it. */
export interface ChannelHost {
  readonly serializer: WireSerializer
  readonly connection: TransportConnection
  readonly pubsub: PubSub
  readonly logger: SocketLogger
  readonly id: string | null
  readonly transport: TransportName
  readonly assigns: object
  /** A joined channel stopped (called once, before its `terminate` runs). */
  channelExited(channel: ChannelServer, reason: unknown): void
}

/** The outcome of a join, for the socket to reply with. */
export type JoinOutcome = { readonly ok: Payload } | { readonly error: Payload }

/** How long a duplicate join waits for the old channel before dropping it. */
const SHUTDOWN_WAIT_MS = 5000

// Mailbox entries besides the application's own messages.
class ClientPush {
  readonly message: WireMessage
  constructor(message: WireMessage) {
    this.message = message
  }
}
class ClientLeave {
  readonly ref: string | null
  constructor(ref: string | null) {
    this.ref = ref
  }
}
class Intercepted {
  readonly broadcast: Broadcast
  constructor(broadcast: Broadcast) {
    this.broadcast = broadcast
  }
}

/** One running channel. */
export class ChannelServer implements ChannelLink, FastlaneTarget {
  readonly [kFastlane] = true as const
  readonly topic: string
  readonly joinRef: string | null
  readonly host: ChannelHost
  readonly channel: Channel<object>
  readonly name: string
  socket: ChannelSocket<object>
  joined = false
  #stopped = false
  #busy = true
  #queue: unknown[] | undefined
  #exitReason: unknown
  #exiting = false
  /** Whether `terminate` has run (or there was nothing to terminate). */
  #terminated = false
  #waiters: Array<() => void> | undefined
  readonly #subscriber: SubscriberFn = (message) => this.deliver(message)

  constructor(
    host: ChannelHost,
    channel: Channel<object>,
    name: string,
    topic: string,
    joinRef: string | null,
  ) {
    this.host = host
    this.channel = channel
    this.name = name
    this.topic = topic
    this.joinRef = joinRef
    this.socket = new ChannelSocket({
      topic,
      joinRef,
      id: host.id,
      transport: host.transport,
      assigns: host.assigns,
      link: this,
    })
  }

  get serializer(): WireSerializer {
    return this.host.serializer
  }

  get connection(): TransportConnection {
    return this.host.connection
  }

  /** Runs `join`. The socket writes the reply, then calls `started()` on success. */
  async join(params: Record<string, unknown>): Promise<JoinOutcome> {
    const where = `${this.name}.join(${describe(this.topic)}, …)`
    let result: ReturnType<typeof checkJoinResult>
    try {
      result = checkJoinResult(where, await this.channel.join(this.topic, params, this.socket))
    } catch (error) {
      this.#stopped = true
      this.#terminated = true
      this.host.logger.error(`${where} crashed: ${errorText(error)}`)
      return { error: { reason: 'join crashed' } }
    }
    if ('error' in result) {
      this.#stopped = true
      this.#terminated = true
      return { error: result.error }
    }
    this.socket = result.ok
    this.joined = true
    this.host.pubsub.subscribe(this.topic, this.#subscriber, { metadata: this })
    return { ok: result.reply ?? {} }
  }

  /** The join's reply is written: process what waited. */
  started(): void {
    this.#busy = false
    this.#drain()
  }

  /** ChannelLink.push: a server push to this client. */
  push(event: string, payload: Payload): void {
    this.connection.push(
      this.serializer.encode({
        joinRef: this.joinRef,
        ref: null,
        topic: this.topic,
        event,
        payload,
      }),
    )
  }

  /** Queues a client push for `handleIn`. */
  clientPush(message: WireMessage): void {
    this.deliver(new ClientPush(message))
  }

  /** Queues the client's leave: reply ok, then stop with `{shutdown: 'left'}`. */
  clientLeave(ref: string | null): void {
    this.deliver(new ClientLeave(ref))
  }

  /** FastlaneTarget: whether `event` goes through `handleOut`. */
  intercepts(event: string): boolean {
    return this.channel.intercept?.includes(event) ?? false
  }

  /** FastlaneTarget: an intercepted broadcast. */
  intercepted(broadcast: Broadcast): void {
    this.deliver(new Intercepted(broadcast))
  }

  /** ChannelLink.broadcast */
  broadcast(event: string, payload: Payload, excludeSelf: boolean): void {
    const message = broadcastMessage(this.topic, event, payload)
    if (excludeSelf) this.host.pubsub.broadcastFrom(this.#subscriber, this.topic, message, FASTLANE)
    else this.host.pubsub.broadcast(this.topic, message, FASTLANE)
  }

  /** ChannelLink.reply */
  reply(joinRef: string | null, ref: string | null, status: string, response: Payload): void {
    this.connection.push(
      this.serializer.encodeReply({ joinRef, ref, topic: this.topic, status, payload: response }),
    )
  }

  /** Delivers any message to the channel's mailbox (application messages go to `handleInfo`). */
  deliver(message: unknown): void {
    if (this.#stopped || this.#exiting) return
    if (this.#busy) {
      this.#queue ??= []
      this.#queue.push(message)
      return
    }
    this.#run(message)
  }

  /**
   * Stops the channel with `reason` once the callback in flight (if any)
   * settles, dropping queued messages. Resolves when `terminate` has run,
   * or after 5 s at most.
   */
  shutdown(reason: unknown): Promise<void> {
    if (!this.#stopped) {
      this.#queue = undefined
      if (!this.#exiting) {
        this.#exiting = true
        this.#exitReason = reason
        if (!this.#busy) this.#exit(reason)
      }
    }
    if (this.#terminated) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)
      timer.unref()
      this.#waiters ??= []
      this.#waiters.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  #drain(): void {
    while (!this.#busy && !this.#stopped) {
      if (this.#exiting) {
        this.#exit(this.#exitReason)
        return
      }
      const next = this.#queue?.shift()
      if (next === undefined) {
        if (this.#queue?.length === 0) this.#queue = undefined
        return
      }
      this.#run(next)
    }
  }

  #run(message: unknown): void {
    if (message instanceof ClientLeave) {
      this.reply(this.joinRef, message.ref, 'ok', {})
      this.#exit({ shutdown: 'left' })
      return
    }
    let where = `${this.name}.handleInfo`
    let check: (where: string, result: unknown) => Step = checkHandleResult
    let ref: string | null = null
    let result: unknown
    try {
      if (message instanceof ClientPush) {
        const { event, payload } = message.message
        ref = message.message.ref
        where = `${this.name}.handleIn(${describe(event)})`
        check = checkHandleInResult
        result = this.#callIn(event, payload, ref)
      } else if (message instanceof Intercepted) {
        where = `${this.name}.handleOut(${describe(message.broadcast.event)})`
        result = this.#callOut(message.broadcast)
      } else {
        result = this.#callInfo(message)
      }
    } catch (error) {
      this.#crash(where, error)
      return
    }
    if (result instanceof Promise) {
      this.#busy = true
      result.then(
        (settled) => {
          this.#busy = false
          this.#apply(where, check, settled, ref)
          this.#drain()
        },
        (error: unknown) => {
          this.#busy = false
          this.#crash(where, error)
        },
      )
      return
    }
    this.#apply(where, check, result, ref)
  }

  #callIn(event: string, payload: Payload, ref: string | null): unknown {
    const handleIn = this.channel.handleIn
    if (handleIn === undefined) {
      throw new Error(
        `${this.name} has no handleIn, so it cannot handle the event ${describe(event)}`,
      )
    }
    this.socket.ref = ref
    try {
      return handleIn.call(this.channel, event, payload, this.socket)
    } finally {
      this.socket.ref = null
    }
  }

  #callOut(broadcast: Broadcast): unknown {
    const handleOut = this.channel.handleOut
    if (handleOut === undefined) {
      this.push(broadcast.event, broadcast.payload)
      return noreply(this.socket)
    }
    return handleOut.call(this.channel, broadcast.event, broadcast.payload, this.socket)
  }

  #callInfo(message: unknown): unknown {
    // A broadcast on our topic that came without the fastlane (e.g. a plain PubSub broadcast).
    if (isBroadcast(message) && message.topic === this.topic) return this.#callOut(message)
    const handleInfo = this.channel.handleInfo
    if (handleInfo === undefined) {
      this.host.logger.warn(
        `${this.name} on ${describe(this.topic)} has no handleInfo; dropped ${describe(message)}`,
      )
      return noreply(this.socket)
    }
    return handleInfo.call(this.channel, message, this.socket)
  }

  #apply(
    where: string,
    check: (where: string, result: unknown) => Step,
    result: unknown,
    ref: string | null,
  ): void {
    if (this.#stopped) return
    let step: Step
    try {
      step = check(where, result)
    } catch (error) {
      this.#crash(where, error)
      return
    }
    this.socket = step.socket
    if (step.kind === 'reply') {
      if (ref !== null) this.reply(this.joinRef, ref, step.status, step.response)
    } else if (step.kind === 'stop') {
      if (step.reply !== undefined && ref !== null) {
        this.reply(this.joinRef, ref, step.reply.status, step.reply.response)
      }
      this.#exit(step.reason)
    }
  }

  #crash(where: string, error: unknown): void {
    if (this.#stopped) return
    this.host.logger.error(`${where} on ${describe(this.topic)} crashed: ${errorText(error)}`)
    this.#exit(error)
  }

  /** Stops: unsubscribe, tell the socket (which tells the client), then `terminate`. */
  #exit(reason: unknown): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#queue = undefined
    this.host.pubsub.unsubscribe(this.topic, this.#subscriber)
    this.host.channelExited(this, reason)
    void this.#terminate(reason).then(() => {
      this.#terminated = true
      const waiters = this.#waiters
      this.#waiters = undefined
      if (waiters !== undefined) for (const wake of waiters) wake()
    })
  }

  async #terminate(reason: unknown): Promise<void> {
    const terminate = this.channel.terminate
    if (terminate === undefined) return
    try {
      await terminate.call(this.channel, reason, this.socket)
    } catch (error) {
      this.host.logger.error(
        `${this.name}.terminate on ${describe(this.topic)} threw: ${errorText(error)}`,
      )
    }
  }

  /** Whether the reason is graceful (`phx_close`) rather than a crash (`phx_error`). */
  static isGraceful(reason: unknown): boolean {
    return isNormalExit(reason)
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : describe(error)
}
