/**
 * The channel multiplexer: one per connection, over any transport.
 *
 * How this works (Phoenix's `Phoenix.Socket.__in__/__info__`):
 * - Inbound frames are decoded and handled one at a time. A join awaits the
 *   channel's `join`; frames arriving meanwhile wait, so a push right after
 *   its join is handled after the join, as the client expects.
 * - `phoenix`/`heartbeat` is answered at once with a null join_ref.
 * - `phx_join`: unmatched topic → error `unmatched topic` with a null
 *   join_ref (the socket stays open); too many channels → error `too many
 *   channels joined`; a topic already joined → the old channel stops with
 *   `{shutdown: 'duplicate_join'}`, the new join's reply goes first and the
 *   old join's `phx_close` after it.
 * - A frame for a joined topic whose join_ref is not the current one is
 *   stale and ignored. `phx_leave` on a topic not joined is answered ok.
 *   Any other event on a topic not joined gets `unmatched topic`.
 * - A channel that stops sends `phx_close` (graceful) or `phx_error`
 *   `{reason: 'channel_crash'}`, both with ref = join_ref.
 * - A socket with an id listens on that topic: a `disconnect` broadcast
 *   closes it with 1001. When the connection ends, every channel stops with
 *   `{shutdown: 'closed'}`; when the drainer closes it, its channels stop
 *   first, with `{shutdown: 'draining'}`, and the 1012 comes after them.
 * - A frame that does not decode closes the connection with 1007: a client
 *   that speaks something else cannot be answered sensibly.
 * - Limits (socket.limits, docs/limits.md): a token bucket per connection
 *   counts inbound frames before they reach the mailbox; a frame over the
 *   rate is answered `rate limited` unhandled, and a client that goes on
 *   past a further burst is closed with 1008. Topics and event names over
 *   their length limit are answered `topic too long` / `event too long`.
 *   What a client does wrong is logged, truncated, at most
 *   `logLinesPerMinute` times per connection.
 * - A socket whose `connect` set an expiry (`expireAt`) is closed with 1008
 *   `credentials expired` then.
 *
 * Every connection is a process (docs/architecture.md): the `SocketConnection` is
 * its state and its own behaviour (methods on the prototype, so a
 * connection allocates no behaviour and no closures). Inbound frames are
 * messages to it, so they are handled one at a time in arrival order by the
 * runtime's mailbox, async joins included; the `disconnect` broadcast on the
 * socket id and the drainer's `drain` are messages too. A crash of the
 * connection's code crashes this process only: the runtime logs it, the
 * transport closes with 1011, its channels stop. The mount's connection
 * supervisor links every connection (connection-supervisor.ts).
 */

import { isBroadcast } from '../channel/broadcast.ts'
import type { Channel } from '../channel/channel.ts'
import { type ChannelHost, ChannelServer, type JoinOutcome } from '../channel/channel-server.ts'
import type { Payload } from '../channel/channel-socket.ts'
import { registerFastlane } from '../channel/fastlane.ts'
import { describe } from '../errors.ts'
import type { Logger } from '../logger.ts'
import {
  type Behaviour,
  type CastOutcome,
  exit,
  getClock,
  type InitContext,
  isNormalExit,
  noreply,
  type Pid,
  send,
  sendAfter,
  spawn,
  stop,
} from '../process/index.ts'
import type { PubSub } from '../pubsub/index.ts'
import { socketConnect, socketOverload } from '../telemetry/index.ts'
import { Events, HEARTBEAT_TOPIC } from '../wire/events.ts'
import type { Message as WireMessage } from '../wire/message.ts'
import type { Serializer as WireSerializer } from '../wire/serializer.ts'
import { ClientLog } from './client-log.ts'
import { JoinedChannels } from './joined-channels.ts'
import { serializerFor } from './negotiate.ts'
import { checkConnectResult, checkId, NO_ASSIGNS, Socket, type SocketDefinition } from './socket.ts'
import { type TokenBucket, takeToken, wasFull } from './token-bucket.ts'
import {
  CloseCode,
  type ConnectOutcome,
  type ConnectRequest,
  type Frame,
  type TransportCloseReason,
  type TransportConnection,
  type TransportHandler,
  type TransportName,
} from './transport.ts'

/** What every connection of one mount shares. */
export interface SocketRuntime {
  readonly pubsub: PubSub
  readonly logger: Logger
  /** Told of every new connection process (the mount's connection supervisor links it). */
  readonly adopt?: (connection: SocketConnection) => void
}

/** Why a connection process stops, by cause. */
export const ConnectionExit = {
  /** The transport closed (peer, idle timeout, frame limit): nothing left to close. */
  closed: { shutdown: 'closed' },
  /** A `disconnect` broadcast to the socket id: close with 1001. */
  disconnected: { shutdown: 'disconnected' },
  /** The drainer (graceful shutdown): close with 1012. */
  draining: { shutdown: 'draining' },
  /** The expiry `connect` set (`expireAt`) passed: close with 1008. */
  expired: { shutdown: 'expired' },
} as const

/** The connection's message to itself when its credentials expire. */
const EXPIRED: unique symbol = Symbol('cinder.socket.expired')
/** Queued after the last frame taken from a client that flooded on past its refusals. */
const RATE_EXCEEDED: unique symbol = Symbol('cinder.socket.rate_exceeded')

/** A frame over the rate: answered `rate limited`, never handled. */
class OverRate {
  readonly frame: Frame
  constructor(frame: Frame) {
    this.frame = frame
  }
}

const DUPLICATE_JOIN = { shutdown: 'duplicate_join' } as const

/** The drainer's message to a connection: close with 1012 and stop. */
export const DRAIN: unique symbol = Symbol('cinder.socket.drain')

/** Builds the transport handler that runs a declared socket's connections. */
export function socketHandler(
  definition: SocketDefinition<object>,
  runtime: SocketRuntime,
): TransportHandler<SocketConnection> {
  registerFastlane(runtime.pubsub)
  for (const route of definition.spec.channels) {
    const durable = (route.channel as Channel<object>).durable
    if (durable !== undefined) runtime.pubsub.durable(route.pattern, durable)
  }
  return {
    connect: (request) =>
      socketConnect.hasSubscribers
        ? tracedConnect(definition, runtime, request)
        : connect(definition, runtime, request),
    init: (state, connection) => state.open(connection),
    handleIn: (frame, state) => state.received(frame),
    terminate: (reason, state) => state.transportClosed(reason),
  }
}

async function connect(
  definition: SocketDefinition<object>,
  runtime: SocketRuntime,
  { params, vsn, connectInfo }: ConnectRequest,
): Promise<ConnectOutcome<SocketConnection>> {
  const serializer = serializerFor(vsn, connectInfo.transport)
  if (serializer === undefined) {
    runtime.logger.warn(
      `refused a ${connectInfo.transport} connection: the client asked for serializer vsn ${describe(vsn)}; this server speaks 1.0.x and 2.0.x`,
    )
    return { error: 'unsupported vsn' }
  }
  const fresh = new Socket<object>(connectInfo.transport, vsn, NO_ASSIGNS)
  const { connect: userConnect, id: userId } = definition.spec
  const result = checkConnectResult(
    userConnect === undefined
      ? fresh
      : await userConnect.call(definition.spec, params, fresh, connectInfo),
  )
  if (result === false) return { error: 'refused' }
  if (!(result instanceof Socket)) return result
  if (result.expiresAt !== undefined && result.expiresAt <= Date.now()) {
    return { error: 'credentials expired' }
  }
  const id = checkId(userId === undefined ? null : userId.call(definition.spec, result))
  return { ok: new SocketConnection(definition, runtime, serializer, result, id) }
}

/** `connect` as the `cinder:socket:connect` span. */
function tracedConnect(
  definition: SocketDefinition<object>,
  runtime: SocketRuntime,
  request: ConnectRequest,
): Promise<ConnectOutcome<SocketConnection>> {
  const context = { transport: request.connectInfo.transport, vsn: request.vsn }
  return socketConnect.trace(
    context,
    () => connect(definition, runtime, request),
    (ctx, outcome) => {
      ctx.result = 'ok' in outcome ? 'ok' : String(outcome.error)
    },
  )
}

type Outcome = CastOutcome<SocketConnection>

// A connection's flags, set once each (`#mark`), never cleared.
/** The transport is gone or going: frames still queued are dropped. */
const CLOSED = 1
/** The drainer asked it to close: its channels are stopping, silently. */
const DRAINING = 2
/** Cleanup ran (after terminate, or after a kill as seen by the supervisor). */
const DONE = 4
/** Refused past the burst: no frame is taken any more, the close is queued. */
const FLOODED = 8

/**
 * One connection: its process state and behaviour, and the `ChannelHost`
 * its channels write through.
 */
export class SocketConnection
  implements ChannelHost, TokenBucket, Behaviour<SocketConnection, SocketConnection>
{
  readonly definition: SocketDefinition<object>
  readonly runtime: SocketRuntime
  readonly serializer: WireSerializer
  readonly transport: TransportName
  /** What `connect` assigned; every channel starts with them. */
  readonly assigns: object
  readonly id: string | null
  connection: TransportConnection = NOT_OPEN
  /** The connection's process, once open. */
  pid: Pid | undefined
  /** Topic → its channel. */
  readonly channels = new JoinedChannels()
  /** @internal The message-rate bucket (token-bucket.ts), in this object's own fields. */
  tokens: number
  /** @internal */
  tokensAt: number
  /** Frames refused for the rate since the client last backed off. */
  #refused = 0
  /** CLOSED, DRAINING, DONE, FLOODED: one integer, as every socket has a connection. */
  #flags = 0
  readonly #expiresAt: number | undefined
  /** Created on the first line a client causes. */
  #clientLog: ClientLog | undefined

  /** Whether any of `flags` is set. */
  #is(flags: number): boolean {
    return (this.#flags & flags) !== 0
  }
  #mark(flag: number): void {
    this.#flags |= flag
  }

  constructor(
    definition: SocketDefinition<object>,
    runtime: SocketRuntime,
    serializer: WireSerializer,
    socket: Socket<object>,
    id: string | null,
  ) {
    this.definition = definition
    this.runtime = runtime
    this.serializer = serializer
    this.transport = socket.transport
    this.assigns = socket.assigns
    this.#expiresAt = socket.expiresAt
    this.id = id
    this.tokens = definition.limits.messageBurst
    this.tokensAt = getClock().now()
  }

  /** The runtime's label for this process: `socket` plus the socket id, if any. */
  get name(): string {
    return this.id === null ? 'socket' : `socket ${describe(this.id)}`
  }

  get pubsub(): PubSub {
    return this.runtime.pubsub
  }

  get logger(): Logger {
    return this.runtime.logger
  }

  /** The transport is open: start the connection's process. */
  open(connection: TransportConnection): void {
    this.connection = connection
    // init is synchronous, so the process exists (and `pid` is set) when spawn returns.
    spawn(this, this).catch((error: unknown) => {
      this.logger.error(`a ${this.transport} connection failed to start: ${describe(error)}`)
      connection.close(CloseCode.internalError, 'internal error')
    })
  }

  /**
   * One inbound frame: a message to the process (handled in arrival order),
   * counted against the rate first, so a flood costs the mailbox nothing.
   */
  received(frame: Frame): void {
    if (this.#is(CLOSED | FLOODED) || this.pid === undefined) return
    const { messageBurst, messagesPerSecond } = this.definition.limits
    if (takeToken(this, messageBurst, messagesPerSecond, getClock().now())) {
      // Refusals are forgiven once the client has backed off long enough to refill its bucket.
      if (this.#refused > 0 && wasFull(this, messageBurst)) this.#refused = 0
      send(this.pid, frame)
    } else if (++this.#refused <= messageBurst) {
      send(this.pid, new OverRate(frame))
    } else {
      // What is queued is answered first; nothing more is taken.
      this.#mark(FLOODED)
      send(this.pid, RATE_EXCEEDED)
    }
  }

  /** A line about what the client did, within its per-connection budget. */
  #clientWarn(line: () => string): void {
    this.#clientLog ??= new ClientLog(this.logger, this.definition.limits.logLinesPerMinute)
    this.#clientLog.warn(getClock().now(), line)
  }

  /** The transport is gone: the process stops with `{shutdown: 'closed'}`. */
  transportClosed(_reason: TransportCloseReason): void {
    if (this.#is(CLOSED)) return
    this.#mark(CLOSED)
    if (this.pid !== undefined) exit(this.pid, ConnectionExit.closed)
  }

  // The process behaviour (Behaviour<SocketConnection, SocketConnection>).

  init(state: SocketConnection, { self }: InitContext): SocketConnection {
    state.pid = self
    if (state.id !== null) state.pubsub.subscribe(state.id, self)
    const expiresAt = state.#expiresAt
    if (expiresAt !== undefined) sendAfter(self, EXPIRED, Math.max(0, expiresAt - Date.now()))
    state.runtime.adopt?.(state)
    return state
  }

  handleInfo(message: unknown, state: SocketConnection): Outcome | Promise<Outcome> {
    if (typeof message === 'string' || message instanceof Uint8Array) return state.#frame(message)
    if (message === DRAIN) return state.#drain()
    if (message instanceof OverRate) return state.#overRate(message.frame)
    if (message === RATE_EXCEEDED) return state.#rateExceeded()
    if (message === EXPIRED) {
      state.#overloaded('credentials_expired')
      return stop(ConnectionExit.expired, state)
    }
    if (isBroadcast(message) && message.event === Events.disconnect) {
      return stop(ConnectionExit.disconnected, state)
    }
    return noreply(state)
  }

  terminate(reason: unknown, state: SocketConnection): void {
    state.exited(reason)
  }

  /**
   * The process stopped (from `terminate`, or from the supervisor when it
   * was killed): close the transport with the code its reason calls for and
   * stop every channel with `{shutdown: 'closed'}`. Runs once.
   */
  exited(reason: unknown): void {
    if (this.#is(DONE)) return
    this.#mark(DONE)
    if (!this.#is(CLOSED)) {
      this.#mark(CLOSED)
      const [code, text] = closeFor(reason)
      this.connection.close(code, text)
    }
    for (const channel of this.channels.takeAll()) void channel.shutdown(ConnectionExit.closed)
  }

  /**
   * The node drains: the channels stop first, with `{shutdown: 'draining'}` (a LiveView saves
   * its snapshot then), and only then does the client hear 1012 and go rejoin elsewhere, so
   * what they saved is there when it arrives. The client is told nothing of the channels.
   */
  async #drain(): Promise<Outcome> {
    this.#mark(DRAINING)
    const channels = this.channels.takeAll()
    await Promise.all(channels.map((channel) => channel.shutdown(ConnectionExit.draining)))
    return stop(ConnectionExit.draining, this)
  }

  /** ChannelHost: a joined channel stopped. */
  channelExited(channel: ChannelServer, reason: unknown): void {
    // A join that failed is answered by #join, not here.
    if (this.channels.get(channel.topic) !== channel || !channel.joined) return
    this.channels.delete(channel.topic)
    if (this.#is(CLOSED | DRAINING)) return
    this.#push(
      channel.joinRef,
      channel.joinRef,
      channel.topic,
      exitEvent(reason),
      exitPayload(reason),
    )
  }

  #frame(frame: Frame): Outcome | Promise<Outcome> {
    if (this.#is(CLOSED)) return noreply(this)
    const message = this.#decode(frame)
    if (message === undefined) return stop(ConnectionExit.closed, this)
    const pending = this.#dispatch(message)
    return pending === undefined ? noreply(this) : pending.then(() => noreply(this))
  }

  /** The client went on past its refusals: close with 1008. */
  #rateExceeded(): Outcome {
    if (this.#is(CLOSED)) return noreply(this)
    const { messagesPerSecond, messageBurst } = this.definition.limits
    this.#clientWarn(
      () =>
        `closed a ${this.transport} connection with 1008: it went on sending past its rate limit ` +
        `(${messagesPerSecond} messages/s, burst ${messageBurst})`,
    )
    this.#mark(CLOSED)
    this.connection.close(CloseCode.policyViolation, 'rate limit exceeded')
    this.#overloaded('rate_limit')
    return stop(ConnectionExit.closed, this)
  }

  /** Publishes `cinder:socket:overload` for a close with 1008. */
  #overloaded(reason: string): void {
    if (!socketOverload.hasSubscribers) return
    socketOverload.publish({ transport: this.transport, reason, code: CloseCode.policyViolation })
  }

  /** A frame over the rate: answered, not handled; logged within the budget. */
  #overRate(frame: Frame): Outcome {
    if (this.#is(CLOSED)) return noreply(this)
    const message = this.#decode(frame)
    if (message === undefined) return stop(ConnectionExit.closed, this)
    this.#clientWarn(
      () =>
        `refused a message over the rate limit (${this.definition.limits.messagesPerSecond}/s) on a ${this.transport} connection`,
    )
    this.#reply(message.joinRef, message.ref, message.topic, 'error', { reason: 'rate limited' })
    return noreply(this)
  }

  /** Decodes a frame; a malformed one closes the connection with 1007 (undefined). */
  #decode(frame: Frame): WireMessage | undefined {
    try {
      return this.serializer.decode(frame)
    } catch (error) {
      this.#clientWarn(
        () =>
          `closed a ${this.transport} connection after a malformed frame: ${errorMessage(error)}`,
      )
      this.#mark(CLOSED)
      this.connection.close(CloseCode.invalidPayload, 'malformed message')
      return undefined
    }
  }

  /** Handles one message; returns a promise when it must be awaited before the next. */
  #dispatch(message: WireMessage): Promise<void> | undefined {
    const { topic, event, ref, joinRef } = message
    const { maxTopicLength, maxEventLength } = this.definition.limits
    if (topic.length > maxTopicLength || event.length > maxEventLength) {
      const what = topic.length > maxTopicLength ? 'topic' : 'event'
      this.#clientWarn(
        () =>
          `refused a message whose ${what} is over ${what === 'topic' ? maxTopicLength : maxEventLength} characters: ${describe(what === 'topic' ? topic : event)}`,
      )
      this.#reply(joinRef, ref, topic, 'error', { reason: `${what} too long` })
      return undefined
    }
    if (topic === HEARTBEAT_TOPIC && event === Events.heartbeat) {
      this.#reply(null, ref, topic, 'ok', {})
      return undefined
    }
    const current = this.channels.get(topic)
    if (event === Events.join) return this.#join(message, current)
    if (current === undefined) {
      if (event === Events.leave) this.#reply(joinRef, ref, topic, 'ok', {})
      else this.#unmatched(message)
      return undefined
    }
    if (joinRef !== null && joinRef !== current.joinRef) return undefined // stale
    if (event === Events.leave) current.clientLeave(ref)
    else current.clientPush(message)
    return undefined
  }

  async #join(message: WireMessage, current: ChannelServer | undefined): Promise<void> {
    const { topic, ref } = message
    const joinRef = message.joinRef ?? ref
    const route = this.definition.router.match(topic)
    if (route === undefined) {
      this.#clientWarn(() => `ignoring a join of the unmatched topic ${describe(topic)}`)
      return this.#unmatched(message)
    }
    if (current !== undefined) {
      this.channels.delete(topic)
      await current.shutdown(DUPLICATE_JOIN)
    } else if (this.channels.size >= this.definition.limits.maxChannels) {
      this.#clientWarn(
        () =>
          `refused a join of ${describe(topic)}: this connection already joined ${this.channels.size} channels (limits.maxChannels)`,
      )
      return this.#reply(joinRef, ref, topic, 'error', { reason: 'too many channels joined' })
    }
    const channel = route.channel as Channel<object>
    const server = new ChannelServer(this, channel, channel.name ?? route.pattern, topic, joinRef)
    const params = isObject(message.payload) ? message.payload : {}
    // Registered while joining, so a crash right after the join is reported.
    this.channels.set(server)
    let outcome: JoinOutcome
    try {
      outcome = await server.start(params, ref)
    } catch {
      // The runtime logged the crash (with the channel, topic and stack): answer it only.
      outcome = 'error'
      if (!this.#is(CLOSED)) this.#reply(joinRef, ref, topic, 'error', { reason: 'join crashed' })
    }
    if (outcome !== 'ok' && this.channels.get(topic) === server) this.channels.delete(topic)
    if (current !== undefined) this.#push(current.joinRef, current.joinRef, topic, Events.close, {})
  }

  #unmatched({ topic, ref }: WireMessage): void {
    this.#reply(null, ref, topic, 'error', { reason: 'unmatched topic' })
  }

  #reply(
    joinRef: string | null,
    ref: string | null,
    topic: string,
    status: string,
    payload: Payload,
  ): void {
    this.connection.push(this.serializer.encodeReply({ joinRef, ref, topic, status, payload }))
  }

  #push(
    joinRef: string | null,
    ref: string | null,
    topic: string,
    event: string,
    payload: Payload,
  ): void {
    this.connection.push(this.serializer.encode({ joinRef, ref, topic, event, payload }))
  }
}

/** The close code and reason for a connection process that stopped with `reason`. */
function closeFor(reason: unknown): [number, string] {
  if (reason === ConnectionExit.disconnected) return [CloseCode.goingAway, 'disconnected']
  if (reason === ConnectionExit.expired) return [CloseCode.policyViolation, 'credentials expired']
  if (reason === ConnectionExit.draining || reason === 'shutdown') {
    return [CloseCode.serviceRestart, 'server restarting']
  }
  if (isNormalExit(reason)) return [CloseCode.goingAway, 'closed']
  return [CloseCode.internalError, 'internal error']
}

/** Before `open`, frames have nowhere to go. */
const NOT_OPEN: TransportConnection = {
  push() {},
  close() {},
}

function exitEvent(reason: unknown): string {
  return ChannelServer.isGraceful(reason) ? Events.close : Events.error
}

function exitPayload(reason: unknown): Payload {
  return ChannelServer.isGraceful(reason) ? {} : { reason: 'channel_crash' }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  )
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : describe(error)
}
