/**
 * The socket a channel's callbacks receive, and the functions that act on it:
 * `assign`, `push`, `broadcast`, `broadcastFrom`, `socketRef`, `replyToPush`.
 *
 * A `ChannelSocket` belongs to one join of one topic on one connection. Its
 * link to the running channel is kept under a symbol that is not exported,
 * so applications see only the documented fields.
 */
import { CinderError, describe } from '../errors.ts'
import type { Pid } from '../process/index.ts'
import type { PubSub } from '../pubsub/index.ts'
import type { Payload } from '../wire/message.ts'

/** A message payload: a JSON object, or bytes sent as a binary frame. */
export type { Payload } from '../wire/message.ts'

/**
 * The running channel behind a ChannelSocket: what the socket's functions
 * need, and what the parts built on channels (presence, live) may use.
 * Internal: reach it with `channelLink(socket)`, never through the symbol.
 */
export interface ChannelLink {
  /** Whether the join has completed (pushes are allowed from then on). */
  readonly joined: boolean
  /** The channel's process, once spawned (it owns the join's presences). */
  readonly pid: Pid | undefined
  /** The PubSub the channel subscribes and broadcasts through. */
  readonly pubsub: PubSub
  /** Sends a message to the channel's process, handled by its `handleInfo`. */
  deliver(message: unknown): void
  /** Sends `[joinRef, null, topic, event, payload]` to this socket's client. */
  push(event: string, payload: Payload): void
  /** Broadcasts to the topic's subscribers; with `excludeSelf` this channel is skipped. */
  broadcast(event: string, payload: Payload, excludeSelf: boolean): void
  /** Sends a reply frame for the push `ref` of the join `joinRef`. */
  reply(joinRef: string | null, ref: string, status: string, response: Payload): void
}

// The key of a ChannelSocket's link: module-private, so applications see only the documented fields.
const kLink: unique symbol = Symbol('cinder.channel.link')

/** @internal The running channel behind a socket, for presence and live. */
export function channelLink(socket: ChannelSocket<object>): ChannelLink {
  return socket[kLink]
}

/** The socket of one channel join. `A` is the shape of `assigns`. */
export class ChannelSocket<A extends object = Record<string, unknown>> {
  /** The joined topic, e.g. `room:lobby`. */
  readonly topic: string
  /** The ref of the join that started this channel (frames to the client carry it). */
  readonly joinRef: string | null
  /** The socket's id (`id()` of its socket handler), or `null` when anonymous. */
  readonly id: string | null
  /** The transport the client arrived on. */
  readonly transport: 'websocket' | 'longpoll'
  /** Values the application keeps on the socket; copied from the connection's at join. */
  assigns: A
  /** @internal The ref of the push being handled, for `socketRef`. */
  ref: string | null = null
  /** @internal */
  readonly [kLink]: ChannelLink

  constructor(init: {
    topic: string
    joinRef: string | null
    id: string | null
    transport: 'websocket' | 'longpoll'
    assigns: A
    link: ChannelLink
  }) {
    this.topic = init.topic
    this.joinRef = init.joinRef
    this.id = init.id
    this.transport = init.transport
    this.assigns = init.assigns
    this[kLink] = init.link
  }
}

/** Anything with assigns: a connection's `Socket` or a `ChannelSocket`. */
export interface HasAssigns<A extends object> {
  assigns: A
}

/**
 * Sets assigns on a socket and returns the socket (so it can be returned in a result).
 *
 * **Details**
 * `assign(socket, 'user', u)` sets one key; `assign(socket, { user: u })`
 * merges several. The assigns object is replaced, not mutated, so a channel
 * never changes the assigns another channel of the same connection sees.
 *
 * **Example**
 * ```ts
 * return ok(assign(socket, { user: params.user }))
 * ```
 */
export function assign<S extends HasAssigns<object>>(socket: S, values: Partial<S['assigns']>): S
export function assign<S extends HasAssigns<object>, K extends keyof S['assigns']>(
  socket: S,
  key: K,
  value: S['assigns'][K],
): S
export function assign(
  socket: HasAssigns<object>,
  key: unknown,
  value?: unknown,
): HasAssigns<object> {
  if (typeof key === 'string') {
    socket.assigns = { ...socket.assigns, [key]: value }
  } else if (typeof key === 'object' && key !== null && !Array.isArray(key)) {
    socket.assigns = { ...socket.assigns, ...key }
  } else {
    throw new CinderError(
      'CINDER_ERR_CHANNEL_BAD_ARG',
      `assign expects (socket, key, value) or (socket, { key: value }); got: ${describe(key)}`,
    )
  }
  return socket
}

/**
 * Sends an event to this socket's client only.
 *
 * **Details**
 * The frame carries the join's ref, so a client that has since rejoined
 * drops it. Only allowed once the join has completed: from `join`, send a
 * message to the channel's own process and push from `handleInfo`.
 *
 * **Example**
 * ```ts
 * push(socket, 'welcome', { motd: 'hello' })
 * ```
 */
export function push(socket: ChannelSocket<object>, event: string, payload: Payload): void {
  const link = linkOf(socket, 'push')
  checkMessage('push', event, payload)
  if (!link.joined) {
    throw new CinderError(
      'CINDER_ERR_NOT_JOINED',
      `push(socket, ${describe(event)}, …) was called before the join of ${describe(socket.topic)} completed; ` +
        'send a message to the channel process from join and push from handleInfo',
    )
  }
  link.push(event, payload)
}

/**
 * Sends an event to every client joined to the socket's topic, on every node,
 * this one included.
 *
 * **Example**
 * ```ts
 * broadcast(socket, 'new_msg', { body })
 * ```
 */
export function broadcast(socket: ChannelSocket<object>, event: string, payload: Payload): void {
  const link = linkOf(socket, 'broadcast')
  checkMessage('broadcast', event, payload)
  link.broadcast(event, payload, false)
}

/** Like `broadcast`, except this socket's client does not get it. */
export function broadcastFrom(
  socket: ChannelSocket<object>,
  event: string,
  payload: Payload,
): void {
  const link = linkOf(socket, 'broadcastFrom')
  checkMessage('broadcastFrom', event, payload)
  link.broadcast(event, payload, true)
}

/** A reference to one client push, to reply to it later with `replyToPush`. */
export interface SocketRef {
  readonly topic: string
  readonly joinRef: string | null
  readonly ref: string
  /** @internal */
  readonly [kLink]: ChannelLink
}

/**
 * Captures the push being handled, so `replyToPush` can answer it later.
 *
 * **Details**
 * Only valid inside `handleIn`. Return `noreply(socket)`, then call
 * `replyToPush(ref, ['ok', response])` when the answer is ready (from a timer,
 * another process, or a promise). The client acts on the first reply only.
 *
 * **Example**
 * ```ts
 * handleIn(event, payload, socket) {
 *   const ref = socketRef(socket)
 *   lookup(payload).then((found) => replyToPush(ref, ['ok', found]))
 *   return noreply(socket)
 * }
 * ```
 */
export function socketRef(socket: ChannelSocket<object>): SocketRef {
  const link = linkOf(socket, 'socketRef')
  if (socket.ref === null) {
    throw new CinderError(
      'CINDER_ERR_NOT_JOINED',
      `socketRef(socket) needs a push being handled; it is only valid inside handleIn (topic ${describe(socket.topic)})`,
    )
  }
  return { topic: socket.topic, joinRef: socket.joinRef, ref: socket.ref, [kLink]: link }
}

/**
 * Replies to a push captured with `socketRef`: `'ok'` or `['ok', response]`,
 * the same forms `reply` takes in `handleIn`.
 */
export function replyToPush(ref: SocketRef, reply: string | readonly [string, Payload]): void {
  if (typeof ref !== 'object' || ref === null || !(kLink in ref)) {
    throw new CinderError(
      'CINDER_ERR_CHANNEL_BAD_ARG',
      `replyToPush expects a ref from socketRef(socket); got: ${describe(ref)}`,
    )
  }
  const [status, response] = typeof reply === 'string' ? [reply, {}] : reply
  checkReply(status, response)
  ref[kLink].reply(ref.joinRef, ref.ref, status, response)
}

function linkOf(socket: ChannelSocket<object>, operation: string): ChannelLink {
  if (!(socket instanceof ChannelSocket)) {
    throw new CinderError(
      'CINDER_ERR_CHANNEL_BAD_ARG',
      `${operation} expects the socket a channel callback received; got: ${describe(socket)}`,
    )
  }
  return socket[kLink]
}

function checkMessage(operation: string, event: unknown, payload: unknown): void {
  if (typeof event !== 'string') {
    throw new CinderError(
      'CINDER_ERR_CHANNEL_BAD_ARG',
      `${operation} expects an event name (a string); got: ${describe(event)}`,
    )
  }
  if (!isPayload(payload)) {
    throw new CinderError(
      'CINDER_ERR_CHANNEL_BAD_ARG',
      `${operation}(socket, ${describe(event)}, payload) expects a plain object or bytes (Uint8Array); got: ${describe(payload)}`,
    )
  }
}

/** @internal Validates the status and response of a reply. */
export function checkReply(status: unknown, response: unknown): void {
  if (typeof status !== 'string') {
    throw new CinderError(
      'CINDER_ERR_CHANNEL_BAD_ARG',
      `a reply status is a string such as 'ok' or 'error'; got: ${describe(status)}`,
    )
  }
  if (!isPayload(response)) {
    throw new CinderError(
      'CINDER_ERR_CHANNEL_BAD_ARG',
      `a reply response is a plain object or bytes (Uint8Array); got: ${describe(response)}`,
    )
  }
}

/** A payload is a non-array object (JSON object) or bytes. */
export function isPayload(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
