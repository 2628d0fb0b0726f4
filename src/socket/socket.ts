/**
 * Sockets: what an application declares to accept connections and route
 * their topics to channels (Phoenix's `use Phoenix.Socket`).
 *
 * ```ts
 * export const UserSocket = defineSocket({
 *   channels: [channel('room:*', RoomChannel)],
 *   connect(params, socket) {
 *     if (typeof params.token !== 'string') return false
 *     return assign(socket, { user: params.token })
 *   },
 *   id: (socket) => `user_socket:${socket.assigns.user}`,
 * })
 * ```
 *
 * The endpoint mounts it (`sockets: [{ path: '/socket', socket: UserSocket }]`)
 * and each connection then runs the channel multiplexer of `connection.ts`.
 */
import { CinderError, describe } from '../errors.ts'
import type { Params } from '../http/query.ts'
import { type ResolvedSocketLimits, resolveSocketLimits, type SocketLimits } from './limits.ts'
import { type ChannelRoute, Router } from './routes.ts'
import type { ConnectInfo, TransportName } from './transport.ts'

/** The socket of one connection, as `connect` and `id` see it. */
export class Socket<A extends object = Record<string, unknown>> {
  /**
   * Values the application keeps for the connection, set with `assign`; every
   * channel starts with them. A socket starts with one shared frozen empty object.
   */
  assigns: A
  /** The transport the client arrived on. */
  readonly transport: TransportName
  /** The serializer version negotiated from the client's `vsn`. */
  readonly vsn: string
  /** When the connection's credentials expire (ms since the epoch); see `expireAt`. */
  expiresAt: number | undefined = undefined

  constructor(transport: TransportName, vsn: string, assigns: A) {
    this.transport = transport
    this.vsn = vsn
    this.assigns = assigns
  }
}

/**
 * @internal The assigns of a socket `connect` has not assigned to: one frozen
 * object for all (`assign` replaces assigns, never mutates them), not an
 * empty object per connection.
 */
export const NO_ASSIGNS: object = Object.freeze({})

/** What `connect` may return: the socket to accept, `false` to refuse, or `{error}` to refuse with a status. */
export type ConnectResult<A extends object> =
  // The socket `connect` was given, assigns filled in (usually through `assign`).
  Socket<Partial<A>> | false | { readonly error: unknown; readonly status?: number }

/** The declaration `defineSocket` takes. `A` is the shape of the socket's assigns. */
export interface SocketSpec<A extends object = Record<string, unknown>> {
  /** Topic routes, first match wins: `[channel('room:*', RoomChannel)]`. */
  readonly channels: readonly ChannelRoute[]
  /**
   * Accepts or refuses a connection before it is upgraded.
   *
   * **Details**
   * `params` holds the query params (`vsn` included), nested the Rack way.
   * Return the socket (usually through `assign`) to accept it, `false` to
   * refuse it with HTTP 403, or `{ error, status? }` to refuse it with
   * another status. The official client cannot see the status: it retries
   * with backoff. Default: accept everyone.
   */
  connect?(
    params: Params,
    socket: Socket<Partial<A>>,
    connectInfo: ConnectInfo,
  ): ConnectResult<A> | Promise<ConnectResult<A>>
  /**
   * Names the connection: `'user_socket:42'`, or `null` (the default) for
   * an anonymous one. Broadcasting `disconnect` to that topic
   * (`endpoint.broadcast('user_socket:42', 'disconnect', {})`) closes every
   * connection with that id (code 1001; clients reconnect and authenticate again).
   */
  id?(socket: Socket<A>): string | null
  /** What one connection may ask of the server (docs/limits.md); each has a default. */
  readonly limits?: SocketLimits
}

/** A declared socket, ready to mount on an endpoint. */
export interface SocketDefinition<A extends object = Record<string, unknown>> {
  readonly spec: SocketSpec<A>
  readonly router: Router
  readonly limits: ResolvedSocketLimits
}

/** Declares a socket (see the module comment). Checks the declaration at once. */
export function defineSocket<A extends object = Record<string, unknown>>(
  spec: SocketSpec<A>,
): SocketDefinition<A> {
  if (typeof spec !== 'object' || spec === null) {
    throw new CinderError(
      'CINDER_ERR_SOCKET_OPTIONS',
      `defineSocket expects an object; got: ${describe(spec)}`,
    )
  }
  for (const name of ['connect', 'id'] as const) {
    if (spec[name] !== undefined && typeof spec[name] !== 'function') {
      throw new CinderError(
        'CINDER_ERR_SOCKET_OPTIONS',
        `the socket's ${name} must be a function; got: ${describe(spec[name])}`,
      )
    }
  }
  return { spec, router: new Router(spec.channels), limits: resolveSocketLimits(spec.limits) }
}

/**
 * Closes the connection when its credentials expire, so a revoked user does
 * not stay connected for days. Call it in `connect` with the expiry of the
 * token that authenticated the socket (ms since the epoch, or a Date); the
 * connection is closed with 1008 `credentials expired` then, and the official
 * client reconnects through `connect` again, with fresh params when its
 * `params` is a function. An expiry already past refuses the connection.
 *
 * **Example**
 * ```ts
 * connect(params, socket) {
 *   const token = typeof params.token === 'string' ? params.token : undefined
 *   const verified = verifyToken(secret, 'user socket', token, { maxAge: 86_400 })
 *   if (!verified.ok) return false
 *   // Authenticate again within the hour: a revoked token stops working then.
 *   return expireAt(assign(socket, { user: verified.data }), Date.now() + 3_600_000)
 * }
 * ```
 */
export function expireAt<S extends Socket<object>>(socket: S, at: number | Date): S {
  const time = at instanceof Date ? at.getTime() : at
  if (!(socket instanceof Socket) || !Number.isFinite(time)) {
    throw new CinderError(
      'CINDER_ERR_SOCKET_OPTIONS',
      `expireAt expects the socket connect received and a time (ms since the epoch or a Date); got ${describe(socket)} and ${describe(at)}`,
    )
  }
  socket.expiresAt = time
  return socket
}

/** Checks what `connect` returned. */
export function checkConnectResult(result: unknown): ConnectResult<object> {
  if (result === false || result instanceof Socket) return result
  if (typeof result === 'object' && result !== null && 'error' in result) {
    const status = (result as { status?: unknown }).status
    if (status === undefined || (Number.isInteger(status) && (status as number) >= 400)) {
      return result as { error: unknown; status?: number }
    }
  }
  throw new CinderError(
    'CINDER_ERR_BAD_RETURN',
    `a socket's connect must return one of:
  the socket (e.g. assign(socket, {...}))   → accept
  false                                      → refuse with 403
  { error, status? }                         → refuse with status (default 403)
(or a promise of one); got: ${describe(result)}`,
  )
}

/** Checks what `id` returned. */
export function checkId(id: unknown): string | null {
  if (id === null || id === undefined) return null
  if (typeof id === 'string') return id
  throw new CinderError(
    'CINDER_ERR_BAD_RETURN',
    `a socket's id must return a string such as 'user_socket:42' or null; got: ${describe(id)}`,
  )
}
