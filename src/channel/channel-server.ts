/**
 * The channel server: the process that runs one join of one topic.
 *
 * How this works:
 * - The socket creates a `ChannelServer` for a `phx_join` and awaits
 *   `start(params, ref)`: it spawns the channel's process (the server object
 *   is the process state) and calls it to run `join`. The join's reply is
 *   written from inside the process, so whatever the process handles next
 *   (a message sent to `self()` from `join`, say) comes after it on the wire.
 * - Then everything for the channel is a message to its process, handled one
 *   at a time in order, async callbacks included: client pushes and leaves,
 *   intercepted broadcasts, and the application's own messages.
 * - A callback that throws, rejects or returns a wrong shape crashes the
 *   process: `terminate` runs with the error and the socket sends
 *   `phx_error`. A `stop` result with a graceful reason sends `phx_close`.
 * - The process subscribes to its topic with the server as metadata, so the
 *   fastlane writes broadcasts straight to its connection and sends it only
 *   the events it intercepts. PubSub drops the subscription when it stops.
 * - `shutdown(reason)` (socket closed, duplicate join) stops the process as
 *   `stopProcess` does: the callback in flight finishes, then `terminate`.
 */
import { CinderError, describe } from '../errors.ts'
import type { Logger } from '../logger.ts'
import {
  type Behaviour,
  type CallOutcome,
  type CastOutcome,
  call,
  type ExitListener,
  isNormalExit,
  noreply,
  onExit,
  type Pid,
  reply as replyOutcome,
  send,
  spawn,
  stop as stopOutcome,
  stopProcess,
} from '../process/index.ts'
import {
  formatPosition,
  type Position,
  type PubSub,
  parsePosition,
  type Recovery,
} from '../pubsub/index.ts'
import { channelCrash, channelHandleIn, channelJoin, channelLeave } from '../telemetry/index.ts'
import type { TransportConnection, TransportName } from '../wire/connection.ts'
import type { Message as WireMessage } from '../wire/message.ts'
import type { Serializer as WireSerializer } from '../wire/serializer.ts'
import { type Broadcast, broadcastMessage, isBroadcast } from './broadcast.ts'
import type { Channel } from './channel.ts'
import { type ChannelLink, ChannelSocket, type Payload } from './channel-socket.ts'
import { FASTLANE, type FastlaneTarget, kFastlane, positionedFrame } from './fastlane.ts'
import { checkHandleInResult, checkHandleResult, checkJoinResult, type Step } from './results.ts'

/** The socket's side, as a channel server sees it. */
export interface ChannelHost {
  readonly serializer: WireSerializer
  readonly connection: TransportConnection
  readonly pubsub: PubSub
  readonly logger: Logger
  readonly id: string | null
  readonly transport: TransportName
  readonly assigns: object
  /** A joined channel stopped (called once, before its `terminate` runs). */
  channelExited(channel: ChannelServer, reason: unknown): void
}

/** The outcome of a join, once its reply is on the wire. */
export type JoinOutcome = 'ok' | 'error'

/** How long a duplicate join waits for the old channel before killing it. */
const SHUTDOWN_WAIT_MS = 5000

// Messages to the channel process besides the application's own.
class JoinRequest {
  readonly params: Record<string, unknown>
  readonly ref: string | null
  constructor(params: Record<string, unknown>, ref: string | null) {
    this.params = params
    this.ref = ref
  }
}
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
  readonly position: Position | undefined
  constructor(broadcast: Broadcast, position: Position | undefined) {
    this.broadcast = broadcast
    this.position = position
  }
}

/**
 * The most live broadcasts a channel buffers while it reads its topic's
 * history on join; past it the join answers `{reason: 'recovery overflow'}`
 * and the client retries.
 */
export const MAX_RECOVERY_BUFFER = 10_000

/** When a failed history read was last logged (shared: an outage fails every join alike). */
let historyFailureLogged = Number.NEGATIVE_INFINITY

/** Live broadcasts that arrived while the join read the history. */
interface RecoveryBuffer {
  readonly items: Array<[Broadcast, Position]>
  overflowed: boolean
}

/** What a channel on a durable topic keeps: one object, made only on such a topic. */
class Durable {
  /** The last position this client got. */
  last: Position | undefined = undefined
  /** Live broadcasts while the join reads the history. */
  recovering: RecoveryBuffer | undefined = undefined
  /** The intercepted broadcast `handleOut` is handling: its pushes carry the position. */
  out: { event: string; position: Position } | undefined = undefined
}

// A channel server's flags.
const JOINED = 1
const EXIT_NOTIFIED = 2

/** A join refused by the channel: the process stops quietly. */
const JOIN_REFUSED = { shutdown: 'join_refused' } as const

type Outcome = CastOutcome<ChannelServer>

/**
 * One running channel. The server is its own process behaviour (its methods
 * are shared through the prototype, so a join allocates no behaviour
 * object), and its `name` names the channel and topic in the runtime's
 * crash report, the one place a crash is logged.
 */
export class ChannelServer
  implements ChannelLink, FastlaneTarget, ExitListener, Behaviour<ChannelServer, ChannelServer>
{
  readonly topic: string
  readonly joinRef: string | null
  readonly host: ChannelHost
  readonly channel: Channel<object>
  /** The channel's name (`Channel.name`, else its route pattern). */
  readonly channelName: string
  socket: ChannelSocket<object>
  pid: Pid | undefined
  /** JOINED, EXIT_NOTIFIED: every joined socket has a channel server, so one integer. */
  #flags = 0
  #durable: Durable | undefined = undefined

  constructor(
    host: ChannelHost,
    channel: Channel<object>,
    name: string,
    topic: string,
    joinRef: string | null,
  ) {
    this.host = host
    this.channel = channel
    this.channelName = name
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

  /** FastlaneTarget's mark, on the prototype. */
  get [kFastlane](): true {
    return true
  }

  /** The join completed: pushes are allowed, a stop is told to the client. */
  get joined(): boolean {
    return (this.#flags & JOINED) !== 0
  }

  /** The process name the runtime's log lines show: `RoomChannel "room:lobby"`. */
  get name(): string {
    return `${this.channelName} ${describe(this.topic)}`
  }

  // The process behaviour (Behaviour<ChannelServer, ChannelServer>).
  init(server: ChannelServer): ChannelServer {
    return server
  }

  handleCall(request: unknown, _from: unknown, server: ChannelServer) {
    return server.handleJoin(request as JoinRequest)
  }

  handleInfo(message: unknown, server: ChannelServer): Outcome | Promise<Outcome> {
    return server.handle(message)
  }

  terminate(reason: unknown, server: ChannelServer): Promise<void> | undefined {
    return server.stopped(reason)
  }

  get serializer(): WireSerializer {
    return this.host.serializer
  }

  get connection(): TransportConnection {
    return this.host.connection
  }

  /** ChannelLink.pubsub */
  get pubsub(): PubSub {
    return this.host.pubsub
  }

  /**
   * Spawns the process and runs `join` in it. The reply (ok or error) is
   * written by the process; a crash of `join` rejects (the socket answers
   * `join crashed`).
   */
  async start(params: Record<string, unknown>, ref: string | null): Promise<JoinOutcome> {
    const pid = await spawn(this, this)
    this.pid = pid
    this.#watchExit(pid)
    return new Promise<JoinOutcome>((resolve, reject) => {
      // The call alone does not settle when join crashes asynchronously: watch the exit too.
      const unwatch = onExit(pid, reject)
      call<JoinOutcome>(pid, new JoinRequest(params, ref), Number.POSITIVE_INFINITY).then(
        (outcome) => {
          unwatch()
          resolve(outcome)
        },
        reject,
      )
    })
  }

  /** In the process: runs `join`, writes its reply, subscribes on success. */
  async handleJoin(request: JoinRequest): Promise<CallOutcome<ChannelServer>> {
    if (!(request instanceof JoinRequest)) {
      throw new CinderError(
        'CINDER_ERR_PROCESS_BAD_ARG',
        `a channel process takes no calls; got ${describe(request)}`,
      )
    }
    const where = `${this.channelName}.join(${describe(this.topic)}, …)`
    const result = checkJoinResult(where, await this.#callJoin(request.params))
    if ('error' in result) {
      this.reply(this.joinRef, request.ref, 'error', result.error)
      return stopOutcome(JOIN_REFUSED, this, 'error')
    }
    this.socket = result.ok
    if (this.host.pubsub.durableLimits(this.topic) !== undefined) {
      return this.#joinDurable(request, result.reply)
    }
    this.#flags |= JOINED
    this.host.pubsub.subscribe(this.topic, this.pid as Pid, { metadata: this })
    this.reply(this.joinRef, request.ref, 'ok', result.reply ?? {})
    return replyOutcome('ok', this)
  }

  /**
   * Joins a durable topic with no hole and no duplicate: subscribe first
   * (live broadcasts are buffered), read the history after the client's
   * position (`params.resume`), reply with where the client stands, send
   * the missed broadcasts, then the buffered ones not already sent.
   */
  async #joinDurable(
    request: JoinRequest,
    reply: Payload | undefined,
  ): Promise<CallOutcome<ChannelServer>> {
    const buffer: RecoveryBuffer = { items: [], overflowed: false }
    const durable = this.#durableState()
    durable.recovering = buffer
    this.host.pubsub.subscribe(this.topic, this.pid as Pid, { metadata: this })
    let recovery: Recovery | undefined
    try {
      recovery = await this.host.pubsub.recover(this.topic, parsePosition(request.params.resume))
    } catch (err) {
      // Every client of the topic retries while the engine is away: one line a second at most.
      const now = performance.now()
      if (now - historyFailureLogged >= 1000) {
        historyFailureLogged = now
        this.host.logger.error(`${this.name} could not read the topic's history: ${describe(err)}`)
      }
    }
    durable.recovering = undefined
    if (recovery === undefined || buffer.overflowed) {
      this.host.pubsub.unsubscribe(this.topic, this.pid as Pid)
      const reason = recovery === undefined ? 'history unavailable' : 'recovery overflow'
      this.reply(this.joinRef, request.ref, 'error', { reason })
      return stopOutcome(JOIN_REFUSED, this, 'error')
    }
    this.#flags |= JOINED
    durable.last = recovery.position
    this.reply(this.joinRef, request.ref, 'ok', withRecovery(reply, recovery))
    for (const { record, position } of recovery.entries) this.#sendDurable(record.message, position)
    for (const [broadcast, position] of buffer.items) this.#sendDurable(broadcast, position)
    return replyOutcome('ok', this)
  }

  /** Sends one durable message to this client, unless it already has it. */
  #sendDurable(message: unknown, position: Position): void {
    if (!isBroadcast(message)) {
      this.deliver(message)
      return
    }
    if (!this.admit(message, position)) return
    if (this.intercepts(message.event)) this.intercepted(message, position)
    else this.connection.push(positionedFrame(this.serializer, message, position))
  }

  #durableState(): Durable {
    this.#durable ??= new Durable()
    return this.#durable
  }

  /** FastlaneTarget: buffers while joining, drops what this client already has. */
  admit(broadcast: Broadcast, position: Position): boolean {
    const durable = this.#durableState()
    const buffer = durable.recovering
    if (buffer !== undefined) {
      if (buffer.items.length < MAX_RECOVERY_BUFFER) buffer.items.push([broadcast, position])
      else buffer.overflowed = true
      return false
    }
    const last = durable.last
    if (last !== undefined && last.epoch === position.epoch && position.offset <= last.offset) {
      return false
    }
    durable.last = position
    return true
  }

  /** The channel's `join`, as the `cinder:channel:join` span when anyone listens. */
  #callJoin(params: Record<string, unknown>): unknown {
    const join = () => this.channel.join(this.topic, params, this.socket)
    if (!channelJoin.hasSubscribers) return join()
    const context = {
      topic: this.topic,
      channel: this.channelName,
      transport: this.host.transport,
      socketId: this.host.id,
      params,
    }
    return channelJoin.trace(context, join, (ctx, out) => {
      ctx.result = isJoinError(out) ? 'error' : 'ok'
    })
  }

  /** ChannelLink.push: a server push to this client. */
  push(event: string, payload: Payload): void {
    const out = this.#durable?.out
    this.connection.push(
      this.serializer.encode({
        joinRef: this.joinRef,
        ref: out !== undefined && out.event === event ? formatPosition(out.position) : null,
        topic: this.topic,
        event,
        payload,
      }),
    )
  }

  /** Sends a client push to the process (`handleIn`). */
  clientPush(message: WireMessage): void {
    this.deliver(new ClientPush(message))
  }

  /** Sends the client's leave to the process: reply ok, then stop with `{shutdown: 'left'}`. */
  clientLeave(ref: string | null): void {
    this.deliver(new ClientLeave(ref))
  }

  /** FastlaneTarget: whether `event` goes through `handleOut`. */
  intercepts(event: string): boolean {
    return this.channel.intercept?.includes(event) ?? false
  }

  /** FastlaneTarget: an intercepted broadcast. */
  intercepted(broadcast: Broadcast, position?: Position): void {
    this.deliver(new Intercepted(broadcast, position))
  }

  /** ChannelLink.broadcast */
  broadcast(event: string, payload: Payload, excludeSelf: boolean): void {
    const message = broadcastMessage(this.topic, event, payload)
    if (excludeSelf && this.pid !== undefined) {
      this.host.pubsub.broadcastFrom(this.pid, this.topic, message, FASTLANE)
    } else {
      this.host.pubsub.broadcast(this.topic, message, FASTLANE)
    }
  }

  /** ChannelLink.reply */
  reply(joinRef: string | null, ref: string | null, status: string, response: Payload): void {
    this.connection.push(
      this.serializer.encodeReply({ joinRef, ref, topic: this.topic, status, payload: response }),
    )
  }

  /** Sends any message to the process. */
  deliver(message: unknown): void {
    if (this.pid !== undefined) send(this.pid, message)
  }

  /**
   * Stops the process with `reason` (the callback in flight finishes first,
   * then `terminate`). Resolves once it stopped; kills it after 5 s.
   */
  async shutdown(reason: unknown): Promise<void> {
    if (this.pid === undefined) return
    try {
      await stopProcess(this.pid, reason, SHUTDOWN_WAIT_MS)
    } catch {
      // Already gone, or killed after the wait: either way it has stopped.
    }
  }

  /** In the process: one message. */
  handle(message: unknown): Outcome | Promise<Outcome> {
    if (message instanceof ClientLeave) {
      this.reply(this.joinRef, message.ref, 'ok', {})
      return stopOutcome({ shutdown: 'left' }, this)
    }
    if (message instanceof ClientPush) {
      const { event, payload, ref } = message.message
      const where = `${this.channelName}.handleIn(${describe(event)})`
      return this.#then(this.#callIn(event, payload, ref), (result) =>
        this.#apply(checkHandleInResult(where, result), ref),
      )
    }
    if (message instanceof Intercepted) {
      const { broadcast, position } = message
      const where = `${this.channelName}.handleOut(${describe(broadcast.event)})`
      let durable: Durable | undefined
      if (position !== undefined) {
        durable = this.#durableState()
        durable.out = { event: broadcast.event, position }
      }
      return this.#then(this.#callOut(broadcast), (result) => {
        if (durable !== undefined) durable.out = undefined
        return this.#apply(checkHandleResult(where, result), null)
      })
    }
    const where = `${this.channelName}.handleInfo`
    return this.#then(this.#callInfo(message), (result) =>
      this.#apply(checkHandleResult(where, result), null),
    )
  }

  /**
   * In the process, once: tell the socket, then the channel's own
   * `terminate`. A crash is not logged here: the runtime logs it once, with
   * this server's `name` (channel and topic) and the stack.
   */
  stopped(reason: unknown): Promise<void> | undefined {
    this.#notifyExit(reason)
    if (!this.joined) return undefined
    const terminate = this.channel.terminate
    if (terminate === undefined) return undefined
    return Promise.resolve(terminate.call(this.channel, reason, this.socket))
  }

  /** The channel itself is its process's exit hook: no closure per channel (see `processExited`). */
  #watchExit(pid: Pid): void {
    onExit(pid, this)
  }

  /** ExitListener: the channel's process stopped. */
  processExited(reason: unknown): void {
    this.#notifyExit(reason)
  }

  #notifyExit(reason: unknown): void {
    if ((this.#flags & EXIT_NOTIFIED) !== 0) return
    this.#flags |= EXIT_NOTIFIED
    this.host.channelExited(this, reason)
    if (channelLeave.hasSubscribers || channelCrash.hasSubscribers) this.#publishExit(reason)
  }

  #publishExit(reason: unknown): void {
    const graceful = isNormalExit(reason)
    const event = {
      topic: this.topic,
      channel: this.channelName,
      transport: this.host.transport,
      reason,
    }
    if (!graceful && channelCrash.hasSubscribers) channelCrash.publish(event)
    if (this.joined && channelLeave.hasSubscribers) channelLeave.publish({ ...event, graceful })
  }

  #then(result: unknown, apply: (settled: unknown) => Outcome): Outcome | Promise<Outcome> {
    return result instanceof Promise ? result.then(apply) : apply(result)
  }

  #callIn(event: string, payload: Payload, ref: string | null): unknown {
    const handleIn = this.channel.handleIn
    if (handleIn === undefined) {
      throw new Error(
        `${this.channelName} has no handleIn, so it cannot handle the event ${describe(event)}`,
      )
    }
    this.socket.ref = ref
    try {
      if (!channelHandleIn.hasSubscribers) {
        return handleIn.call(this.channel, event, payload, this.socket)
      }
      const context = {
        topic: this.topic,
        channel: this.channelName,
        transport: this.host.transport,
        event,
        payload,
        ref,
      }
      return channelHandleIn.trace(context, () =>
        handleIn.call(this.channel, event, payload, this.socket),
      )
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
      this.host.logger.warn(`${this.name} has no handleInfo; dropped ${describe(message)}`)
      return noreply(this.socket)
    }
    return handleInfo.call(this.channel, message, this.socket)
  }

  #apply(step: Step, ref: string | null): Outcome {
    this.socket = step.socket
    if (step.kind === 'reply') {
      if (ref !== null) this.reply(this.joinRef, ref, step.status, step.response)
      return noreply(this)
    }
    if (step.kind === 'stop') {
      if (step.reply !== undefined && ref !== null) {
        this.reply(this.joinRef, ref, step.reply.status, step.reply.response)
      }
      return stopOutcome(step.reason, this)
    }
    return noreply(this)
  }

  /** Whether the reason is graceful (`phx_close`) rather than a crash (`phx_error`). */
  static isGraceful(reason: unknown): boolean {
    return isNormalExit(reason)
  }
}

/** The join's reply, with where the client stands in a durable topic and whether it recovered. */
function withRecovery(reply: Payload | undefined, recovery: Recovery): Payload {
  if (reply instanceof Uint8Array) return reply
  return { ...reply, position: formatPosition(recovery.position), recovered: recovery.recovered }
}

/** A join's answer is `{ error }` (checked for the span only; `checkJoinResult` validates). */
function isJoinError(out: unknown): boolean {
  return typeof out === 'object' && out !== null && 'error' in out
}
