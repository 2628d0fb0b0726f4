/**
 * The Endpoint: the first plug of every request, the sockets, the PubSub they
 * broadcast through, and the supervision tree that runs them.
 *
 * The tree (started in this order, stopped in reverse; `rest_for_one`, so a
 * child that restarts restarts everything started after it):
 *
 *     endpoint supervisor
 *     ├─ pubsub            the PubSub, when the endpoint created it (an app
 *     │                    that passes its own runs it in its own tree)
 *     ├─ socket:<path>     one connection supervisor per mount: every
 *     │                    connection is a process under it, and its
 *     │                    channels are processes tied to it
 *     ├─ http              the HTTP server (http-server.ts): WebSocket
 *     │                    upgrades, LongPoll, then the endpoint plug
 *     └─ drainer           on stop: stop accepting, close sockets with 1012
 *                          in batches, wait for them (docs/endpoint.md)
 *
 * `createEndpoint` only builds: an application puts `endpoint.childSpec()`
 * in its own tree (after its PubSub and Presence), or calls `start()`.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { broadcastMessage } from '../channel/broadcast.ts'
import type { Payload } from '../channel/channel-socket.ts'
import { FASTLANE } from '../channel/fastlane.ts'
import { CinderError, describe } from '../errors.ts'
import { createHandler } from '../http/node-adapter.ts'
import type { BoundPlug } from '../http/plug.ts'
import type { HttpLimits } from '../http/server-limits.ts'
import type { Logger } from '../logger.ts'
import { type ChildSpec, onExit, type Pid, startSupervisor, stopProcess } from '../process/index.ts'
import { createPubSub, type PubSub } from '../pubsub/index.ts'
import { startConnectionSupervisor } from '../socket/connection-supervisor.ts'
import type { CheckOrigin } from '../socket/origin.ts'
import { checkEndpointOptions, type ListenConfig } from './check-options.ts'
import { type EndpointUrl, resolveSecretKeyBase, resolveUrl } from './config.ts'
import { type DrainerOptions, drainerSpec } from './drainer.ts'
import { EndpointHttp, type RequestListener } from './http-server.ts'
import { MountedSocket, type SocketMount } from './mounted-socket.ts'
import { type EndpointPlugOptions, endpointPlug } from './pipeline.ts'

export type { SocketMount } from './mounted-socket.ts'

/** Options of `createEndpoint`. */
export interface EndpointOptions extends EndpointPlugOptions {
  /** The port to listen on; 0 picks a free one (see `endpoint.port`). Default 4000. */
  readonly port?: number
  /** The address to bind. Default `127.0.0.1`. */
  readonly host?: string
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
  /**
   * The PubSub to broadcast through, run by the application's own tree
   * (before the endpoint). Default: a new local one in the endpoint's tree.
   */
  readonly pubsub?: PubSub
  readonly sockets?: readonly SocketMount[]
  /**
   * Serves every request that is not a socket's, instead of the endpoint
   * plug (a raw Node listener). Default: the endpoint plug when `router` or
   * `plugs` is given, else 404.
   */
  readonly handler?: (req: IncomingMessage, res: ServerResponse) => void
  /** Where log lines go. Default `console`. */
  readonly logger?: Logger
  /** Graceful shutdown of the sockets (batchSize, batchInterval, shutdown). */
  readonly drainer?: DrainerOptions
  /** The HTTP server's timeouts and header caps (docs/limits.md). Default: all on. */
  readonly http?: HttpLimits
  /** Stop gracefully on SIGTERM and SIGINT (for an endpoint started with `start()`). Default false. */
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
  /** The PubSub the endpoint broadcasts through. */
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
  /** The endpoint's supervisor (while running). */
  readonly supervisor: Pid
  /** The connection supervisor of the socket mounted at `path` (while running). */
  socketSupervisor(path: string): Pid
  /** Runs the endpoint in an application's supervision tree (instead of `start`/`stop`). */
  childSpec(id?: string): ChildSpec
}

type State = 'new' | 'running' | 'stopping' | 'stopped'

let endpoints = 0

/**
 * Builds an endpoint (nothing runs until its tree starts).
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
 * await runApplication(() => startSupervisor([endpoint.childSpec()]))
 * ```
 */
export function createEndpoint(options: EndpointOptions): SupervisedEndpoint {
  return new CinderEndpoint(options)
}

class CinderEndpoint implements SupervisedEndpoint {
  readonly secretKeyBase: string
  readonly url: Required<EndpointUrl>
  readonly plug: BoundPlug | undefined
  readonly #options: EndpointOptions
  readonly #logger: Logger
  readonly #name = `endpoint-${++endpoints}`
  readonly #ownsPubSub: boolean
  readonly #mounts: MountedSocket[]
  readonly #http: EndpointHttp
  #state: State = 'new'
  /** The given PubSub, or the one the running tree created (a fresh one each start). */
  #pubsub: PubSub | undefined
  #supervisor: Pid | undefined
  #stopping: Promise<void> | undefined

  constructor(options: EndpointOptions) {
    const listen = checkEndpointOptions(options)
    this.#options = options
    this.#logger = options.logger ?? console
    this.secretKeyBase = resolveSecretKeyBase(options.secretKeyBase, this.#logger)
    this.url = resolveUrl(options.url)
    this.plug = endpointPlug(options, this.secretKeyBase, this.#logger)
    this.#ownsPubSub = options.pubsub === undefined
    this.#pubsub = options.pubsub
    this.#mounts = (options.sockets ?? []).map((mount) => new MountedSocket(mount))
    this.#http = this.#buildHttp(listen)
  }

  childSpec(id = this.#name): ChildSpec {
    return { id, type: 'supervisor', start: () => this.#startTree() }
  }

  async start(): Promise<void> {
    if (this.#state === 'running' || this.#state === 'stopping') {
      throw new CinderError(
        'CINDER_ERR_ENDPOINT_STATE',
        `start() was called on an endpoint that is ${this.#state}`,
      )
    }
    await this.#startTree()
    if (this.#options.handleSignals === true) {
      process.once('SIGTERM', this.#onSignal)
      process.once('SIGINT', this.#onSignal)
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stopTree()
    return this.#stopping
  }

  broadcast(topic: string, event: string, payload: Payload): void {
    if (this.#state !== 'running') {
      throw new CinderError(
        'CINDER_ERR_ENDPOINT_STATE',
        `broadcast(${describe(topic)}, ${describe(event)}, …) needs a running endpoint; it is ${this.#state}`,
      )
    }
    this.pubsub.broadcast(topic, broadcastMessage(topic, event, payload), FASTLANE)
  }

  get port(): number {
    const address = this.#http.server?.address()
    return typeof address === 'object' && address !== null
      ? (address as AddressInfo).port
      : (this.#options.port ?? 4000)
  }

  get pubsub(): PubSub {
    if (this.#pubsub === undefined) throw notStarted('pubsub')
    return this.#pubsub
  }

  get server(): Server {
    if (this.#http.server === undefined) throw notStarted('server')
    return this.#http.server
  }

  get supervisor(): Pid {
    if (this.#supervisor === undefined) throw notStarted('supervisor')
    return this.#supervisor
  }

  socketSupervisor(path: string): Pid {
    const mounted = this.#mounts.find((m) => m.mount.path === path)
    if (mounted === undefined) {
      throw new CinderError(
        'CINDER_ERR_ENDPOINT_OPTIONS',
        `no socket is mounted at ${describe(path)}; mounted: ${describe(this.#mounts.map((m) => m.mount.path))}`,
      )
    }
    if (mounted.supervisor === undefined) throw notStarted('socketSupervisor()')
    return mounted.supervisor
  }

  /** Starts the supervisor (also when a parent supervisor restarts this child). */
  async #startTree(): Promise<Pid> {
    this.#stopping = undefined
    let pid: Pid
    try {
      pid = await startSupervisor(this.#children(), { strategy: 'rest_for_one' })
    } catch (error) {
      this.#state = 'stopped'
      throw startCause(error)
    }
    this.#supervisor = pid
    this.#state = 'running'
    onExit(pid, (reason) => this.#exited(pid, reason))
    return pid
  }

  #exited(pid: Pid, reason: unknown): void {
    if (this.#supervisor !== pid) return
    const was = this.#state
    this.#state = 'stopped'
    if (was === 'running' && reason !== 'shutdown') {
      this.#logger.error(
        `${this.#name}: its supervisor stopped (${describe(reason)}); the endpoint is down`,
      )
    }
  }

  async #stopTree(): Promise<void> {
    const was = this.#state
    this.#state = 'stopping'
    process.off('SIGTERM', this.#onSignal)
    process.off('SIGINT', this.#onSignal)
    if (this.#supervisor !== undefined && was === 'running') {
      try {
        await stopProcess(this.#supervisor, 'shutdown')
      } catch {
        // Already stopped (it crashed past its restart intensity): nothing left to stop.
      }
    }
    this.#state = 'stopped'
  }

  #onSignal = (): void => {
    void this.stop().then(() => process.exit(0))
  }

  #children(): ChildSpec[] {
    const specs: ChildSpec[] = []
    if (this.#ownsPubSub) {
      this.#pubsub = createPubSub({ name: this.#name, logger: this.#logger })
      specs.push(this.#pubsub.childSpec('pubsub'))
    }
    for (const mounted of this.#mounts) {
      specs.push({
        id: `socket:${mounted.mount.path}`,
        type: 'supervisor',
        start: async () => {
          mounted.supervisor = await startConnectionSupervisor({ link: true })
          return mounted.supervisor
        },
      })
    }
    specs.push(this.#http.childSpec(this.#name))
    specs.push(
      drainerSpec(
        () => this.#mounts,
        () => this.#http.server?.close(),
        this.#logger,
        this.#options.drainer ?? {},
      ),
    )
    return specs
  }

  #buildHttp(listen: ListenConfig): EndpointHttp {
    const options = this.#options
    return new EndpointHttp({
      ...listen,
      ...(options.http === undefined ? {} : { limits: options.http }),
      mounts: this.#mounts,
      handler: options.handler ?? this.#plugHandler(),
      transports: () => ({
        pubsub: this.pubsub,
        logger: this.#logger,
        endpointHost: this.url.host,
        secretKeyBase: this.secretKeyBase,
        checkOrigin: options.checkOrigin,
      }),
    })
  }

  #plugHandler(): RequestListener {
    if (this.plug === undefined) return notFound
    const logger = this.#logger
    return createHandler(this.plug, {
      debugErrors: this.#options.debugErrors ?? process.env.NODE_ENV !== 'production',
      onError: (error, conn) =>
        logger.error(`${conn.method} ${conn.requestPath} failed: ${errorText(error)}`),
    })
  }
}

/** A failed listen (EADDRINUSE…) is the cause worth showing, under the start failures. */
function startCause(error: unknown): unknown {
  let cause: unknown = error
  while (cause instanceof CinderError && cause.code === 'CINDER_ERR_START_FAILED') {
    if (!(cause.cause instanceof Error)) break
    cause = cause.cause
  }
  return cause
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
    `endpoint.${what} is available while the endpoint runs (after start())`,
  )
}
