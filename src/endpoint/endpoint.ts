/**
 * The Endpoint: the first plug of every request, the sockets, the PubSub they
 * broadcast through, and the supervision tree that runs them.
 *
 * The tree (started in this order, stopped in reverse; `rest_for_one`, so a
 * child that restarts restarts everything started after it):
 *
 *     endpoint supervisor
 *     ├─ pubsub            the PubSub (created here unless given; stopped last)
 *     ├─ socket:<path>     one connection supervisor per mount: every
 *     │                    connection is a process under it, and its
 *     │                    channels are processes tied to it
 *     ├─ http              the HTTP server: WebSocket upgrades, LongPoll,
 *     │                    then the endpoint plug (or `handler`)
 *     └─ drainer           on stop: stop accepting, close sockets with 1012
 *                          in batches, wait for them (docs/endpoint.md)
 *
 * Requests: WebSocket upgrades on `<mount>/websocket` and LongPoll requests
 * on `<mount>/longpoll` go to their transports; anything else runs the
 * endpoint plug (static, request id, log, parsers, method override,
 * session, the app's plugs, the router) or, when given, the raw `handler`.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo, Socket as NetSocket } from 'node:net'
import { broadcastMessage } from '../channel/broadcast.ts'
import type { Payload } from '../channel/channel-socket.ts'
import { FASTLANE } from '../channel/fastlane.ts'
import { CinderError, describe } from '../errors.ts'
import { createHandler } from '../http/node-adapter.ts'
import type { BoundPlug } from '../http/plug.ts'
import { createHttpServer, type HttpLimits } from '../http/server-limits.ts'
import {
  type Behaviour,
  type ChildSpec,
  onExit,
  type Pid,
  send,
  spawn,
  startSupervisor,
  stopProcess,
} from '../process/index.ts'
import { createPubSub, type PubSub } from '../pubsub/index.ts'
import { ensureFastlane, type SocketConnection, socketHandler } from '../socket/connection.ts'
import { startConnectionSupervisor } from '../socket/connection-supervisor.ts'
import type { CheckOrigin } from '../socket/origin.ts'
import type { SocketDefinition } from '../socket/socket.ts'
import { type LongPollOptions, LongPollTransport } from '../socket/transports/longpoll.ts'
import {
  type SocketLogger,
  type WebSocketOptions,
  WebSocketTransport,
} from '../socket/transports/websocket.ts'
import { type EndpointUrl, resolveSecretKeyBase, resolveUrl } from './config.ts'
import { type DrainerOptions, type DrainTarget, drainerSpec } from './drainer.ts'
import { type EndpointPlugOptions, endpointPlug } from './pipeline.ts'

/** One socket mounted on the endpoint. */
export interface SocketMount {
  /** Where it is served: `/socket` serves `/socket/websocket` and `/socket/longpoll`. */
  readonly path: string
  // biome-ignore lint/suspicious/noExplicitAny: a mount takes a socket of any assigns shape
  readonly socket: SocketDefinition<any>
  /** WebSocket options (checkOrigin, maxFrameSize, idleTimeout), or `false` to disable it. */
  readonly websocket?: WebSocketOptions | false
  /** LongPoll: `true` or its options (window, checkOrigin…) to enable it. Default off. */
  readonly longpoll?: LongPollOptions | boolean
}

/** Options of `createEndpoint`. */
export interface EndpointOptions extends EndpointPlugOptions {
  /** The port to listen on; 0 picks a free one (see `endpoint.port`). Default 4000. */
  readonly port?: number
  /** The address to bind. Default `127.0.0.1`. */
  readonly host?: string
  /** The HTTP server's timeouts and header caps (docs/limits.md). Default: all on. */
  readonly http?: HttpLimits
  /** The public URL; its host is what `checkOrigin: true` compares origins with. Default `localhost`. */
  readonly url?: EndpointUrl
  /**
   * Signs and encrypts sessions, tokens and LongPoll sessions: at least 64
   * bytes, the same on every node. Default `SECRET_KEY_BASE`; required when
   * NODE_ENV is production, generated (with a warning) otherwise.
   */
  readonly secretKeyBase?: string | undefined
  /** The sockets' default origin check (each transport may override it). Default `true`. */
  readonly checkOrigin?: CheckOrigin
  /** Errors render the debug page (stack, request). Default: NODE_ENV is not production. */
  readonly debugErrors?: boolean
  /** The PubSub to broadcast through. Default: a new local one, stopped with the endpoint. */
  readonly pubsub?: PubSub
  readonly sockets?: readonly SocketMount[]
  /**
   * Serves every request that is not a socket's, instead of the endpoint
   * plug (a raw Node listener). Default: the endpoint plug when `router` or
   * `plugs` is given, else 404.
   */
  readonly handler?: (req: IncomingMessage, res: ServerResponse) => void
  /** Where log lines go. Default `console`. */
  readonly logger?: SocketLogger
  /** Graceful shutdown of the sockets (batchSize, batchInterval, shutdown). */
  readonly drainer?: DrainerOptions
  /** Stop gracefully on SIGTERM and SIGINT (for an application's main endpoint). Default false. */
  readonly handleSignals?: boolean
}

/** What every endpoint offers (the contract wrappers implement). */
export interface Endpoint {
  /** Starts the supervision tree: PubSub, socket supervisors, HTTP server (listening), drainer. */
  start(): Promise<void>
  /** Stops the tree in reverse: drain sockets (1012), close the server, stop the PubSub it created. Idempotent. */
  stop(): Promise<void>
  /** Broadcasts to every client joined to `topic` (and to socket ids: `disconnect`). */
  broadcast(topic: string, event: string, payload: Payload): void
  /** The port listened on (after `start`). */
  readonly port: number
  /** The HTTP server (after `start`). */
  readonly server: Server
  /** The PubSub (after `start`). */
  readonly pubsub: PubSub
}

/** The endpoint `createEndpoint` returns: an `Endpoint` plus its configuration and tree. */
export interface SupervisedEndpoint extends Endpoint {
  /** The secret key base (so `signToken(endpoint, …)` works). */
  readonly secretKeyBase: string
  /** The public URL, defaults filled. */
  readonly url: Required<EndpointUrl>
  /** The endpoint plug (test it with `inject(endpoint.plug, …)`), if it has one. */
  readonly plug: BoundPlug | undefined
  /** The endpoint's supervisor (after `start`). */
  readonly supervisor: Pid
  /** The connection supervisor of the socket mounted at `path` (after `start`). */
  socketSupervisor(path: string): Pid
}

/** One mount, as the running endpoint holds it. */
class MountedSocket implements DrainTarget {
  readonly mount: SocketMount
  supervisor: Pid | undefined
  websocket: WebSocketTransport<unknown> | undefined
  longpoll: LongPollTransport<unknown> | undefined

  constructor(mount: SocketMount) {
    this.mount = mount
  }

  /** The connection supervisor adopts every new connection. */
  adopt = (connection: SocketConnection): void => {
    if (this.supervisor !== undefined) send(this.supervisor, connection)
  }

  stopAccepting(): void {
    this.websocket?.stopAccepting()
    this.longpoll?.stopAccepting()
  }

  async settled(): Promise<void> {
    await Promise.all([this.websocket?.settled(), this.longpoll?.settled()])
  }

  /** Drops whatever is still open (after the drainer, or when it was cut short). */
  dropAll(): void {
    this.websocket?.terminateAll()
    this.longpoll?.stop()
  }
}

let endpoints = 0

/**
 * Creates an endpoint.
 *
 * **Example**
 * ```ts
 * const endpoint = createEndpoint({
 *   port: 4000,
 *   secretKeyBase: process.env.SECRET_KEY_BASE,
 *   router,
 *   session: { key: '_app_key', signingSalt: 'Jd8a3Kq1' },
 *   sockets: [{ path: '/socket', socket: UserSocket, longpoll: true }],
 * })
 * await endpoint.start()
 * ```
 */
export function createEndpoint(options: EndpointOptions): SupervisedEndpoint {
  const config = checkOptions(options)
  const logger = options.logger ?? console
  const secretKeyBase = resolveSecretKeyBase(options.secretKeyBase, logger)
  const url = resolveUrl(options.url)
  const plug = endpointPlug(options, secretKeyBase, logger)
  const debugErrors = options.debugErrors ?? process.env.NODE_ENV !== 'production'
  const name = `endpoint-${++endpoints}`
  let state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new'
  let server: Server | undefined
  let pubsub: PubSub | undefined = options.pubsub
  let supervisor: Pid | undefined
  let stopping: Promise<void> | undefined
  const mounts = (options.sockets ?? []).map((mount) => new MountedSocket(mount))
  // Only then does a plain request need its path compared with the mounts'.
  const longpollMounted = mounts.some(
    ({ mount }) => mount.longpoll !== undefined && mount.longpoll !== false,
  )
  const onSignal = (): void => {
    void endpoint.stop().then(() => process.exit(0))
  }
  const httpHandler =
    options.handler ??
    (plug === undefined
      ? notFound
      : createHandler(plug, {
          debugErrors,
          onError: (error, conn) =>
            logger.error(`${conn.method} ${conn.requestPath} failed: ${errorText(error)}`),
        }))

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (longpollMounted) {
      const path = (req.url ?? '/').split('?', 1)[0]
      for (const { longpoll } of mounts) {
        if (longpoll !== undefined && longpoll.path === path) {
          longpoll.handle(req, res)
          return
        }
      }
    }
    httpHandler(req, res)
  }

  function onUpgrade(req: IncomingMessage, socket: NetSocket, head: Buffer): void {
    const path = (req.url ?? '/').split('?', 1)[0]
    for (const { websocket } of mounts) {
      if (websocket !== undefined && websocket.path === path) {
        websocket.handleUpgrade(req, socket, head)
        return
      }
    }
    socket.on('error', () => {})
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
  }

  /** Holds the PubSub: creates it (unless given) and stops what it created. */
  const pubsubHolder: Behaviour<null, null> = {
    name: `${name} pubsub`,
    async init() {
      pubsub = options.pubsub ?? (await createPubSub({ name, logger }))
      ensureFastlane(pubsub)
      return null
    },
    async terminate() {
      if (options.pubsub === undefined) await pubsub?.stop()
    },
  }

  /** The HTTP server: builds the transports, listens; on stop, drops what is left and closes. */
  const http: Behaviour<null, null> = {
    name: `${name} http`,
    async init() {
      const bus = pubsub as PubSub
      for (const mounted of mounts) mountTransports(mounted, bus)
      const created = createHttpServer(onRequest, options.http, { keepAlive: true })
      created.on('upgrade', onUpgrade)
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject)
        created.listen(config.port, config.host, () => {
          created.off('error', reject)
          resolve()
        })
      })
      server = created
      return null
    },
    async terminate() {
      const closing = server
      if (closing === undefined) return
      const closed = new Promise<void>((resolve) => {
        closing.close(() => resolve())
      })
      for (const mounted of mounts) mounted.dropAll()
      closing.closeAllConnections()
      await closed
    },
  }

  function mountTransports(mounted: MountedSocket, bus: PubSub): void {
    const { mount } = mounted
    const handler = socketHandler(mount.socket, { pubsub: bus, logger, adopt: mounted.adopt })
    const checkOrigin =
      options.checkOrigin === undefined ? {} : { checkOrigin: options.checkOrigin }
    mounted.websocket =
      mount.websocket === false
        ? undefined
        : new WebSocketTransport({
            path: mount.path,
            handler: handler as never,
            endpointHost: url.host,
            logger,
            options: { ...checkOrigin, ...(mount.websocket ?? {}) },
          })
    const longpoll = mount.longpoll
    if (longpoll === undefined || longpoll === false) {
      mounted.longpoll = undefined
      return
    }
    const transport = new LongPollTransport({
      path: mount.path,
      handler: handler as never,
      endpointHost: url.host,
      logger,
      pubsub: bus,
      secretKeyBase,
      options: { ...checkOrigin, ...(longpoll === true ? {} : longpoll) },
    })
    transport.start()
    mounted.longpoll = transport
  }

  function children(): ChildSpec[] {
    const specs: ChildSpec[] = [
      { id: 'pubsub', start: () => spawn(pubsubHolder, null, { link: true }) },
    ]
    for (const mounted of mounts) {
      specs.push({
        id: `socket:${mounted.mount.path}`,
        type: 'supervisor',
        start: async () => {
          mounted.supervisor = await startConnectionSupervisor({ link: true })
          return mounted.supervisor
        },
      })
    }
    specs.push({ id: 'http', start: () => spawn(http, null, { link: true }) })
    specs.push(
      drainerSpec(
        () => mounts,
        () => server?.close(),
        logger,
        options.drainer ?? {},
      ),
    )
    return specs
  }

  const endpoint: SupervisedEndpoint = {
    async start() {
      if (state !== 'new') {
        throw new CinderError(
          'CINDER_ERR_ENDPOINT_STATE',
          `start() was called on an endpoint that is ${state}`,
        )
      }
      state = 'starting'
      try {
        supervisor = await startSupervisor(children(), { strategy: 'rest_for_one' })
      } catch (error) {
        state = 'stopped'
        // A failed listen (EADDRINUSE…) is the cause worth showing, under the start failures.
        let cause: unknown = error
        while (cause instanceof CinderError && cause.code === 'CINDER_ERR_START_FAILED') {
          if (!(cause.cause instanceof Error)) break
          cause = cause.cause
        }
        throw cause
      }
      onExit(supervisor, (reason) => {
        if (state !== 'running') return
        state = 'stopped'
        logger.error(`${name}: its supervisor stopped (${describe(reason)}); the endpoint is down`)
      })
      if (options.handleSignals === true) {
        process.once('SIGTERM', onSignal)
        process.once('SIGINT', onSignal)
      }
      state = 'running'
    },

    stop() {
      stopping ??= stopAll()
      return stopping
    },

    broadcast(topic, event, payload) {
      if (pubsub === undefined || state !== 'running') {
        throw new CinderError(
          'CINDER_ERR_ENDPOINT_STATE',
          `broadcast(${describe(topic)}, ${describe(event)}, …) needs a running endpoint; it is ${state}`,
        )
      }
      pubsub.broadcast(topic, broadcastMessage(topic, event, payload), FASTLANE)
    },

    get port() {
      const address = server?.address()
      return typeof address === 'object' && address !== null
        ? (address as AddressInfo).port
        : config.port
    },

    get server() {
      if (server === undefined) throw notStarted('server')
      return server
    },

    get pubsub() {
      if (pubsub === undefined) throw notStarted('pubsub')
      return pubsub
    },

    secretKeyBase,
    url,
    plug,

    get supervisor() {
      if (supervisor === undefined) throw notStarted('supervisor')
      return supervisor
    },

    socketSupervisor(path) {
      const mounted = mounts.find((m) => m.mount.path === path)
      if (mounted === undefined) {
        throw new CinderError(
          'CINDER_ERR_ENDPOINT_OPTIONS',
          `no socket is mounted at ${describe(path)}; mounted: ${describe(mounts.map((m) => m.mount.path))}`,
        )
      }
      if (mounted.supervisor === undefined) throw notStarted('socketSupervisor()')
      return mounted.supervisor
    },
  }

  async function stopAll(): Promise<void> {
    const was = state
    state = 'stopping'
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
    if (supervisor !== undefined && was === 'running') {
      try {
        await stopProcess(supervisor, 'shutdown')
      } catch {
        // Already stopped (it crashed past its restart intensity): nothing left to stop.
      }
    }
    state = 'stopped'
  }

  return endpoint
}

function notFound(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain', 'content-length': 9 })
  res.end('Not Found')
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : describe(error)
}

function notStarted(what: string): CinderError {
  return new CinderError(
    'CINDER_ERR_ENDPOINT_STATE',
    `endpoint.${what} is available once start() has run`,
  )
}

function checkOptions(options: EndpointOptions): { port: number; host: string; urlHost: string } {
  if (typeof options !== 'object' || options === null) {
    throw new CinderError(
      'CINDER_ERR_ENDPOINT_OPTIONS',
      `createEndpoint expects an options object; got: ${describe(options)}`,
    )
  }
  const port = options.port ?? 4000
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CinderError(
      'CINDER_ERR_ENDPOINT_OPTIONS',
      `port must be an integer in 0..65535; got: ${describe(port)}`,
    )
  }
  const paths = new Set<string>()
  for (const mount of options.sockets ?? []) {
    if (
      typeof mount?.path !== 'string' ||
      !mount.path.startsWith('/') ||
      mount.socket?.router === undefined
    ) {
      throw new CinderError(
        'CINDER_ERR_ENDPOINT_OPTIONS',
        `each socket mount is { path: '/socket', socket: defineSocket({...}) }; got: ${describe(mount)}`,
      )
    }
    if (paths.has(mount.path)) {
      throw new CinderError(
        'CINDER_ERR_ENDPOINT_OPTIONS',
        `two sockets are mounted at ${describe(mount.path)}`,
      )
    }
    paths.add(mount.path)
  }
  for (const key of ['batchSize', 'batchInterval', 'shutdown'] as const) {
    const value = options.drainer?.[key]
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new CinderError(
        'CINDER_ERR_ENDPOINT_OPTIONS',
        `drainer.${key} must be a positive integer; got: ${describe(value)}`,
      )
    }
  }
  if (
    options.handler !== undefined &&
    (options.router !== undefined || options.plugs !== undefined)
  ) {
    throw new CinderError(
      'CINDER_ERR_ENDPOINT_OPTIONS',
      'give either handler (a raw Node listener) or router/plugs (the endpoint plug), not both',
    )
  }
  return { port, host: options.host ?? '127.0.0.1', urlHost: options.url?.host ?? 'localhost' }
}
