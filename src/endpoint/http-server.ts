/**
 * The endpoint's HTTP server, as a child of its supervisor: it builds the
 * socket transports, listens, and routes each request: WebSocket upgrades
 * on `<mount>/websocket` and LongPoll requests on `<mount>/longpoll` to
 * their transports, anything else to the endpoint plug (or the raw
 * handler). Stopping it drops what is still open and closes the server.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket as NetSocket } from 'node:net'
import { createHttpServer, type HttpLimits } from '../http/server-limits.ts'
import type { Behaviour, ChildSpec } from '../process/index.ts'
import { spawn } from '../process/index.ts'
import type { MountedSocket, TransportContext } from './mounted-socket.ts'

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void

export interface HttpServerConfig {
  readonly port: number
  readonly host: string
  readonly mounts: readonly MountedSocket[]
  /** Everything that is not a socket's request. */
  readonly handler: RequestListener
  /** The transports' shared context; the PubSub is running by the time the server starts. */
  readonly transports: () => TransportContext
  /** Timeouts and header caps (docs/limits.md); defaults when absent. */
  readonly limits?: HttpLimits
}

/** The running server of one endpoint (the HTTP child's state). */
export class EndpointHttp {
  readonly #config: HttpServerConfig
  /** Only then does a plain request need its path compared with the mounts'. */
  readonly #longpollMounted: boolean
  server: Server | undefined

  constructor(config: HttpServerConfig) {
    this.#config = config
    this.#longpollMounted = config.mounts.some((mounted) => mounted.hasLongPoll)
  }

  /** The child spec the endpoint's supervisor runs. */
  childSpec(name: string): ChildSpec {
    return {
      id: 'http',
      start: () => spawn({ ...behaviour, name: `${name} http` }, this, { link: true }),
    }
  }

  async listen(): Promise<void> {
    const context = this.#config.transports()
    for (const mounted of this.#config.mounts) mounted.buildTransports(context)
    const server = createHttpServer(this.#onRequest, this.#config.limits, { keepAlive: true })
    server.on('upgrade', this.#onUpgrade)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.#config.port, this.#config.host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.server = server
  }

  async close(): Promise<void> {
    const server = this.server
    if (server === undefined) return
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const mounted of this.#config.mounts) mounted.dropAll()
    server.closeAllConnections()
    await closed
  }

  #onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.#longpollMounted) {
      const path = (req.url ?? '/').split('?', 1)[0]
      for (const { longpoll } of this.#config.mounts) {
        if (longpoll !== undefined && longpoll.path === path) {
          longpoll.handle(req, res)
          return
        }
      }
    }
    this.#config.handler(req, res)
  }

  #onUpgrade = (req: IncomingMessage, socket: NetSocket, head: Buffer): void => {
    const path = (req.url ?? '/').split('?', 1)[0]
    for (const { websocket } of this.#config.mounts) {
      if (websocket !== undefined && websocket.path === path) {
        websocket.handleUpgrade(req, socket, head)
        return
      }
    }
    socket.on('error', () => {})
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
  }
}

const behaviour: Behaviour<EndpointHttp, EndpointHttp> = {
  async init(http) {
    await http.listen()
    return http
  },
  terminate: (_reason, http) => http.close(),
}
