/**
 * The Endpoint: one HTTP server with sockets mounted on it, the PubSub they
 * broadcast through, and an orderly start and stop.
 *
 * Start order is PubSub → socket transports → HTTP server (listening);
 * `stop` runs it backwards: stop accepting, close every socket with 1012
 * ("service restart": clients reconnect, to another node if there is one),
 * close the HTTP server, stop the PubSub the endpoint created.
 *
 * The HTTP pipeline (plugs, router) arrives through `handler`: any
 * `(req, res) => void`. Without one, plain requests get 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket as NetSocket } from 'node:net'
import { broadcastMessage } from '../channel/broadcast.ts'
import type { Payload } from '../channel/channel-socket.ts'
import { FASTLANE } from '../channel/fastlane.ts'
import { CinderError, describe } from '../errors.ts'
import { createPubSub, type PubSub } from '../pubsub/index.ts'
import { ensureFastlane, socketHandler } from '../socket/connection.ts'
import type { SocketDefinition } from '../socket/socket.ts'
import {
  type SocketLogger,
  type WebSocketOptions,
  WebSocketTransport,
} from '../socket/transports/websocket.ts'

/** One socket mounted on the endpoint. */
export interface SocketMount {
  /** Where it is served: `/socket` serves `/socket/websocket`. */
  readonly path: string
  // biome-ignore lint/suspicious/noExplicitAny: a mount takes a socket of any assigns shape
  readonly socket: SocketDefinition<any>
  /** WebSocket options (checkOrigin, maxFrameSize, idleTimeout), or `false` to disable it. */
  readonly websocket?: WebSocketOptions | false
}

/** Options of `createEndpoint`. */
export interface EndpointOptions {
  /** The port to listen on; 0 picks a free one (see `endpoint.port`). Default 4000. */
  readonly port?: number
  /** The address to bind. Default `127.0.0.1`. */
  readonly host?: string
  /** The public URL's host, which `checkOrigin: true` compares origins with. Default `localhost`. */
  readonly url?: { readonly host: string }
  /** The PubSub to broadcast through. Default: a new local one, stopped with the endpoint. */
  readonly pubsub?: PubSub
  readonly sockets?: readonly SocketMount[]
  /** Serves every request that is not a socket upgrade. Default: 404. */
  readonly handler?: (req: IncomingMessage, res: ServerResponse) => void
  /** Where log lines go. Default `console`. */
  readonly logger?: SocketLogger
  /** Stop gracefully on SIGTERM and SIGINT (for an application's main endpoint). Default false. */
  readonly handleSignals?: boolean
}

/** A running (or ready to run) endpoint. */
export interface Endpoint {
  /** Starts the PubSub, mounts the sockets and listens. Resolves once listening. */
  start(): Promise<void>
  /** Drains sockets (1012), closes the server, stops the PubSub it created. Idempotent. */
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

let endpoints = 0

/**
 * Creates an endpoint.
 *
 * **Example**
 * ```ts
 * const endpoint = createEndpoint({
 *   port: 4000,
 *   sockets: [{ path: '/socket', socket: UserSocket }],
 * })
 * await endpoint.start()
 * ```
 */
export function createEndpoint(options: EndpointOptions): Endpoint {
  const config = checkOptions(options)
  const logger = options.logger ?? console
  const name = `endpoint-${++endpoints}`
  let state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new'
  let server: Server | undefined
  let pubsub: PubSub | undefined = options.pubsub
  let stopping: Promise<void> | undefined
  const transports: WebSocketTransport<unknown>[] = []
  const onSignal = (): void => {
    void endpoint.stop().then(() => process.exit(0))
  }

  function routeUpgrade(req: IncomingMessage, socket: NetSocket, head: Buffer): void {
    const path = (req.url ?? '/').split('?', 1)[0]
    const transport = transports.find((t) => t.path === path)
    if (transport !== undefined) {
      transport.handleUpgrade(req, socket, head)
      return
    }
    socket.on('error', () => {})
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
  }

  const endpoint: Endpoint = {
    async start() {
      if (state !== 'new') {
        throw new CinderError(
          'CINDER_ERR_ENDPOINT_STATE',
          `start() was called on an endpoint that is ${state}`,
        )
      }
      state = 'starting'
      pubsub ??= await createPubSub({ name, logger })
      ensureFastlane(pubsub)
      for (const mount of options.sockets ?? []) {
        if (mount.websocket === false) continue
        const handler = socketHandler(mount.socket, { pubsub, logger })
        transports.push(
          new WebSocketTransport({
            path: mount.path,
            handler: handler as never,
            endpointHost: config.urlHost,
            logger,
            ...(mount.websocket === undefined ? {} : { options: mount.websocket }),
          }),
        )
      }
      const http = createServer({ keepAlive: true }, options.handler ?? notFound)
      http.on('upgrade', routeUpgrade)
      server = http
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject)
        http.listen(config.port, config.host, () => {
          http.off('error', reject)
          resolve()
        })
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
  }

  async function stopAll(): Promise<void> {
    state = 'stopping'
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
    const http = server
    // Stop accepting first, then drain what is connected.
    const closed =
      http === undefined ? Promise.resolve() : new Promise<void>((r) => http.close(() => r()))
    await Promise.all(transports.map((t) => t.drain()))
    http?.closeAllConnections()
    await closed
    if (options.pubsub === undefined) await pubsub?.stop()
    state = 'stopped'
  }

  return endpoint
}

function notFound(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain', 'content-length': 9 })
  res.end('Not Found')
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
  return { port, host: options.host ?? '127.0.0.1', urlHost: options.url?.host ?? 'localhost' }
}
