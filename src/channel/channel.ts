/**
 * The Channel contract: what an application writes to serve a topic.
 *
 * ## Topics and routes
 *
 * A client joins *topics*, strings such as `room:lobby`. A socket routes each
 * topic to a channel by pattern, first match wins:
 *
 * ```ts
 * const UserSocket = defineSocket({
 *   channels: [channel('room:*', RoomChannel), channel('notifications', NotificationChannel)],
 * })
 * ```
 *
 * `room:*` matches every topic that starts with `room:`; a pattern without a
 * trailing `*` matches exactly. A topic no route matches is answered with
 * `{reason: "unmatched topic"}` and the socket stays open.
 *
 * ## One process per join
 *
 * Every successful join runs in its own process, tied to the socket's
 * process: the callbacks of one join run one at a time, in order, even when
 * they are async. A channel that throws (or whose promise rejects) crashes
 * alone: its client gets `phx_error` and rejoins by itself after a second;
 * the socket and its other channels carry on. When the socket closes, each
 * of its channels stops with the reason `{shutdown: 'closed'}` (when the
 * endpoint drains, `{shutdown: 'draining'}`, before the socket closes) and
 * its `terminate` runs.
 *
 * ## Callbacks and what they return
 *
 * Each callback returns a result object (or a promise of one), built with
 * the helpers below. A result of another shape crashes the channel with a
 * message naming the shapes it accepts.
 *
 * | callback | returns |
 * | --- | --- |
 * | `join` | `ok(socket, reply?)` or `error(reply)` |
 * | `handleIn` | `reply(status, socket)`, `reply([status, response], socket)`, `noreply(socket)` or `stop(reason, socket, reply?)` |
 * | `handleOut`, `handleInfo` | `noreply(socket)` or `stop(reason, socket)` |
 *
 * `reply`, `noreply` and `stop` are the process API's outcomes (a channel is
 * a process whose state is its socket), as a Phoenix channel returns
 * GenServer tuples. The socket in a result becomes the channel's socket from
 * then on (usually the same object, updated with `assign`).
 *
 * ## Replies, pushes and broadcasts
 *
 * - a reply answers one client push (the client's `push(...).receive(status)`);
 *   `socketRef(socket)` with `replyToPush(ref, reply)` replies later;
 * - `push(socket, event, payload)` sends to this client only;
 * - `broadcast(socket, event, payload)` sends to every client joined to the
 *   topic, on every node; `broadcastFrom` skips this client.
 *
 * A payload is a plain JSON object, or bytes (`Uint8Array`/`Buffer`) which
 * travel as a binary frame.
 *
 * ## Intercepting broadcasts
 *
 * A broadcast is encoded once per serializer and written to each subscribed
 * socket directly, without passing through the channel processes. Events
 * listed in `intercept` go through each channel's `handleOut` instead, which
 * may push, change or drop them per client. Intercept only what you must: it
 * costs a process hop per subscriber.
 *
 * ## Exit reasons
 *
 * `stop(reason, socket)` ends the channel. `'normal'`, `'shutdown'` and
 * `{shutdown: anything}` are graceful: the client gets `phx_close` and does
 * not rejoin. Any other reason, like a crash, sends `phx_error` and the
 * client rejoins. A client's leave stops the channel with `{shutdown: 'left'}`.
 *
 * @example
 * ```ts
 * import { type Channel, broadcast, error, noreply, ok, reply } from 'cinder'
 *
 * export const RoomChannel: Channel<{ user: string }> = {
 *   join(topic, params, socket) {
 *     if (topic === 'room:private') return error({ reason: 'unauthorized' })
 *     return ok(socket, { joined: topic })
 *   },
 *   handleIn(event, payload, socket) {
 *     if (event === 'ping') return reply(['ok', payload], socket)
 *     broadcast(socket, 'new_msg', { user: socket.assigns.user, body: payload })
 *     return noreply(socket)
 *   },
 * }
 * ```
 */
import type { ExitReason, MaybePromise, NoReply, Reply, Stop } from '../process/behaviour.ts'
import type { DurableOptions } from '../pubsub/index.ts'
import type { ChannelSocket, Payload } from './channel-socket.ts'

export type { ExitReason } from '../process/behaviour.ts'

/** The parameters a client passed to `join` (any JSON object). */
export type JoinParams = Record<string, unknown>

/** `join` accepted: the socket to keep, and an optional reply for the client. */
export interface JoinOk<A extends object> {
  readonly ok: ChannelSocket<A>
  readonly reply?: Payload
}

/** `join` refused: the reply the client's `receive('error', ...)` gets. */
export interface JoinError {
  readonly error: Payload
}

/** What `join` returns: `ok(socket, reply?)` or `error(reply)`. */
export type JoinResult<A extends object> = JoinOk<A> | JoinError

/**
 * What `handleIn` returns: `reply(status | [status, response], socket)`,
 * `noreply(socket)` or `stop(reason, socket, reply?)`.
 */
export type HandleInResult<A extends object> =
  | Reply<ChannelSocket<A>>
  | NoReply<ChannelSocket<A>>
  | Stop<ChannelSocket<A>>

/** What `handleOut` and `handleInfo` return: `noreply(socket)` or `stop(reason, socket)`. */
export type HandleResult<A extends object> = NoReply<ChannelSocket<A>> | Stop<ChannelSocket<A>>

/**
 * A channel: the callbacks that serve the topics routed to it.
 *
 * `A` is the shape of `socket.assigns`. Only `join` is required.
 */
export interface Channel<A extends object = Record<string, unknown>> {
  /**
   * A name for log lines and error messages (defaults to the route's pattern).
   */
  readonly name?: string

  /**
   * Broadcast events to route through `handleOut` instead of the fastlane.
   *
   * **Details**
   * Each listed event reaches every subscribed channel process, which decides
   * what its own client gets. Requires `handleOut`.
   *
   * **Example**
   * ```ts
   * intercept: ['user_joined'],
   * handleOut(event, payload, socket) {
   *   if (!socket.assigns.muted) push(socket, event, payload)
   *   return noreply(socket)
   * }
   * ```
   */
  readonly intercept?: readonly string[]

  /**
   * Makes the topics routed to this channel durable: each broadcast gets a
   * position and is kept (`maxMessages`, `maxAgeMs`), so a client that comes
   * back with the last position it saw gets what it missed.
   *
   * **Details**
   * The join reply gains `position` (where the client stands) and
   * `recovered` (whether it got everything after the position it passed as
   * the join param `resume`). See `docs/durability.md`.
   *
   * **Example**
   * ```ts
   * durable: { maxMessages: 500, maxAgeMs: 5 * 60_000 },
   * ```
   */
  readonly durable?: DurableOptions

  /**
   * Authorizes a client to join `topic`.
   *
   * **Details**
   * Runs in the new channel process before the client hears back. Return
   * `ok(socket, reply?)` to accept: the client's `join().receive('ok')` gets
   * `reply` (or `{}`), and the channel then receives the topic's broadcasts.
   * Return `error(reply)` to refuse: the client's `receive('error')` gets
   * `reply` and it retries with backoff (1 s, 2 s, 5 s, then every 10 s).
   * A join that throws answers `{reason: 'join crashed'}`.
   * `push` is not allowed until the join has completed: send a message to
   * yourself (`send(self(), 'after_join')`) and push from `handleInfo`.
   *
   * **Example**
   * ```ts
   * join(topic, params, socket) {
   *   if (typeof params.name !== 'string') return error({ reason: 'name required' })
   *   return ok(assign(socket, { name: params.name }))
   * }
   * ```
   */
  join(topic: string, params: JoinParams, socket: ChannelSocket<A>): MaybePromise<JoinResult<A>>

  /**
   * Handles an event the client pushed on this topic.
   *
   * **Details**
   * `payload` is the pushed JSON object, or a `Buffer` for a binary push.
   * Return `reply(status, socket)` or `reply([status, response], socket)` to
   * answer the push, `noreply(socket)` to answer later with `replyToPush` (or
   * never: the client's push then times out), or `stop(reason, socket,
   * reply?)` to end the channel. Without `handleIn`, any push crashes the
   * channel.
   *
   * **Example**
   * ```ts
   * handleIn(event, payload, socket) {
   *   if (event === 'new_msg') {
   *     broadcast(socket, 'new_msg', payload)
   *     return reply('ok', socket)
   *   }
   *   return reply(['error', { reason: `unknown event ${event}` }], socket)
   * }
   * ```
   */
  handleIn?(
    event: string,
    payload: Payload,
    socket: ChannelSocket<A>,
  ): MaybePromise<HandleInResult<A>>

  /**
   * Handles an intercepted broadcast (see `intercept`) before it reaches this client.
   *
   * **Details**
   * Nothing reaches the client unless this callback pushes it. Return
   * `noreply(socket)` or `stop(reason, socket)`.
   */
  handleOut?(
    event: string,
    payload: Payload,
    socket: ChannelSocket<A>,
  ): MaybePromise<HandleResult<A>>

  /**
   * Handles any other message sent to the channel's process: your own
   * `send(self(), ...)`, timers, broadcasts of topics subscribed to by hand,
   * monitors' `down` notices.
   *
   * **Details**
   * Return `noreply(socket)` or `stop(reason, socket)`. Without
   * `handleInfo`, such messages are logged and dropped.
   */
  handleInfo?(message: unknown, socket: ChannelSocket<A>): MaybePromise<HandleResult<A>>

  /**
   * Runs once when the channel stops: on leave (`{shutdown: 'left'}`), on a
   * duplicate join (`{shutdown: 'duplicate_join'}`), when its socket closes
   * (`{shutdown: 'closed'}`) or drains (`{shutdown: 'draining'}`), after `stop`, and after a crash in a callback
   * (the thrown error).
   *
   * **Details**
   * Its return value is ignored; an error in it is logged. It cannot push to
   * the client: the client has already been told.
   */
  terminate?(reason: ExitReason, socket: ChannelSocket<A>): MaybePromise<void>
}
