/**
 * The WebSocket transport, on `ws` in `noServer` mode.
 *
 * How this works:
 * - The endpoint's HTTP server hands every `upgrade` request for
 *   `<mount>/websocket` to `handleUpgrade`. Before anything is upgraded the
 *   request is checked in this order: WebSocket headers (400), query string
 *   (400), origin (403, one log line), then the handler's `connect` (403, or
 *   the status it chose). Only then does `ws` write the 101 response, with
 *   `Sec-WebSocket-Protocol: phoenix` when the client offered it.
 * - The token the official client passes as the subprotocol
 *   `base64url.bearer.phx.<base64>` becomes `connectInfo.authToken`.
 * - Each connection is one `CinderWebSocket` (a `ws` WebSocket subclass, so
 *   no extra object per connection). It hands `ws`'s events to the transport
 *   from `emit`, with no listener and no `_events` dictionary until someone
 *   adds one (~280 bytes a connection with five listeners).
 * - Outbound frames are built once per frame, not per connection, and written
 *   straight to the TCP socket (prepared-frame.ts; permessage-deflate is off).
 * - The first frame of a turn corks the TCP socket, and one
 *   `setImmediate` per transport uncorks every corked socket, so all frames
 *   for a socket produced within one turn of the event loop leave in one
 *   `writev`.
 * - Idle timeout: one sweep per transport (not a timer per connection) ticks
 *   every `idleTimeout / 4` on the runtime clock (`getClock()`, so tests move
 *   time by hand); a connection silent for `idleTimeout` (up to a quarter
 *   more) is closed with 1001. Every inbound frame, ping or pong counts.
 * - A message over `maxFrameSize` is refused by `ws` while reading its header
 *   (the payload is never buffered) and the connection closes with 1009.
 * - Outbound backpressure: what the kernel would not take waits in the
 *   socket's buffer (`bufferedAmount`). After each flush, a connection with
 *   more than `maxQueuedBytes` waiting is a consumer that does not keep up:
 *   it is dropped at once (its close frame could not get past the backlog
 *   anyway; the handler is told 1008 `slow consumer`), so a stalled client
 *   holds at most one turn's frames above the cap. The sweep drops a
 *   connection whose buffer has not once been empty for `sendTimeout`
 *   (Ranch's `send_timeout`: the kernel took nothing for that long). No
 *   per-frame accounting: the checks ride on the flush and the sweep.
 * - `stopAccepting` refuses new upgrades (503) while the endpoint drains;
 *   `drain` closes every connection with 1012 so clients reconnect elsewhere;
 *   `settled` resolves once every connection has closed.
 */
import type { IncomingMessage } from 'node:http'
import type { Socket as NetSocket } from 'node:net'
import { TLSSocket } from 'node:tls'
import { WebSocket, WebSocketServer } from 'ws'
import { CinderError, describe } from '../../errors.ts'
import { decodeQuery, type Params } from '../../http/query.ts'
import type { Logger } from '../../logger.ts'
import { getClock, type TimerHandle } from '../../process/index.ts'
import { socketOverload } from '../../telemetry/index.ts'
import { type CheckOrigin, compileOriginCheck, type OriginCheck } from '../origin.ts'
import { frameLength, traffic } from '../traffic.ts'
import {
  CloseCode,
  type ConnectRequest,
  type Frame,
  type TransportCloseReason,
  type TransportConnection,
  type TransportHandler,
} from '../transport.ts'
import { withLazyPeer } from './lazy-peer.ts'
import { preparedFrame } from './prepared-frame.ts'

/** Options of the WebSocket transport of one socket mount. */
export interface WebSocketOptions {
  /** Which origins may connect (see `CheckOrigin`). Default `true`: the endpoint's host. */
  readonly checkOrigin?: CheckOrigin
  /** The largest inbound message, in bytes. Default 64 KiB. Larger ones close with 1009. */
  readonly maxFrameSize?: number
  /** Close a connection after this many ms without inbound traffic. Default 60 000. */
  readonly idleTimeout?: number
  /** Most bytes waiting to be sent to one connection before it is dropped (1008). Default 1 MiB. */
  readonly maxQueuedBytes?: number
  /** Drop a connection whose outbound buffer stayed non-empty this long, in ms (1008). Default 30 000. */
  readonly sendTimeout?: number
}

/** What the endpoint passes besides the options. */
export interface WebSocketMount<State> {
  /** The mount path, e.g. `/socket` (the transport serves `/socket/websocket`). */
  readonly path: string
  readonly handler: TransportHandler<State>
  /** The host `checkOrigin: true` compares against. */
  readonly endpointHost: string
  readonly logger: Logger
  readonly options?: WebSocketOptions
}

const DEFAULT_MAX_FRAME_SIZE = 64 * 1024
const DEFAULT_IDLE_TIMEOUT = 60_000
const DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024
const DEFAULT_SEND_TIMEOUT = 30_000
/** Sweeps per timeout: a timeout fires between 1 and 1 + 1/SWEEPS of its length. */
const SWEEPS = 4
const AUTH_TOKEN_PREFIX = 'base64url.bearer.phx.'
const WS_KEY = /^[+/0-9A-Za-z]{22}==$/

/** One connection: the `ws` socket plus the few fields this transport needs. */
class CinderWebSocket extends WebSocket implements TransportConnection {
  transport: WebSocketTransport<unknown> | undefined
  state: unknown
  /** The sweep tick of the last inbound traffic. */
  seen = 0
  /** The sweep tick at which the outbound buffer was last seen empty. */
  emptied = 0
  corked = false
  closedByServer: { code: number; reason: string } | undefined

  /** Joins `transport`: from now on `ws`'s events reach it through `emit`. */
  attach(transport: WebSocketTransport<unknown>, state: unknown, tick: number): void {
    this.transport = transport
    this.state = state
    this.seen = tick
    this.emptied = tick
    // EventEmitter makes `_events` on the first `on` when it is undefined; the empty one it
    // made in advance is a ~180-byte dictionary per connection that most never fill.
    if (this.eventNames().length === 0) {
      ;(this as unknown as { _events: object | undefined })._events = undefined
    }
  }

  push(frame: Frame): void {
    if (this.readyState !== WebSocket.OPEN) return
    const raw = this.raw
    if (raw === undefined || !raw.writable) return
    if (!this.corked) this.transport?.cork(this)
    counted.framesOut++
    counted.bytesOut += frameLength(frame)
    // Straight to the TCP socket, as `ws` would write it: with permessage-deflate off its
    // sender queues nothing, so frames written either way keep their order.
    raw.write(preparedFrame(frame))
  }

  /** Drops the connection now, telling the handler `code` and `reason`. */
  drop(code: number, reason: string): void {
    this.closedByServer ??= { code, reason }
    this.terminate()
  }

  override close(code?: number, data?: string | Buffer): void {
    // Closing: `ws` calls close() again when the client's close frame arrives, to end the TCP
    // connection; browsers wait for that end (Chromium 2 s) before they reconnect.
    if (this.readyState === WebSocket.CLOSING) {
      super.close()
      return
    }
    if (this.readyState === WebSocket.CLOSED) return
    // `ws` closes an oversized message with a bare 1009; say why.
    const reason = data ?? (code === CloseCode.messageTooBig ? 'message too big' : undefined)
    this.closedByServer ??= { code: code ?? CloseCode.normal, reason: String(reason ?? '') }
    super.close(code, reason)
  }

  /**
   * `ws`'s events go straight to the transport; listeners others add (`drain`
   * waits for `close`) still run. An error nobody listens for is not thrown.
   */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const transport = this.transport
    if (transport !== undefined) {
      switch (event) {
        case 'message': {
          const bytes = args[0] as Buffer // one Buffer per message with the default binaryType
          transport.received(this, args[1] === true ? bytes : bytes.toString('utf8'))
          break
        }
        case 'ping':
        case 'pong':
          transport.control(this, event, args[0] as Buffer)
          break
        case 'error':
          transport.failed(this, args[0] as Error)
          if (this.listenerCount('error') === 0) return true
          break
        case 'close':
          transport.closed(this, args[0] as number)
          break
      }
    }
    return super.emit(event, ...args)
  }

  /** The underlying TCP socket (`ws` keeps it as `_socket`). */
  get raw(): NetSocket | undefined {
    return (this as unknown as { _socket?: NetSocket })._socket
  }
}

/** The WebSocket transport of one socket mount. */
export class WebSocketTransport<State> {
  readonly path: string
  readonly #handler: TransportHandler<State>
  readonly #logger: Logger
  readonly #checkOrigin: OriginCheck
  readonly #idleTimeout: number
  readonly #maxQueued: number
  readonly #sendTimeout: number
  /** The sweep's period and each timeout in sweep ticks. */
  readonly #period: number
  readonly #idleTicks: number
  readonly #sendTicks: number
  readonly #wss: WebSocketServer
  readonly #connections = new Set<CinderWebSocket>()
  #corked: CinderWebSocket[] = []
  #flushScheduled = false
  #tick = 0
  #sweeper: TimerHandle | undefined
  #draining = false
  #settled: Array<() => void> = []

  constructor(mount: WebSocketMount<State>) {
    const options = mount.options ?? {}
    this.path = `${mount.path.replace(/\/+$/, '')}/websocket`
    this.#handler = mount.handler
    this.#logger = mount.logger
    this.#checkOrigin = compileOriginCheck(options.checkOrigin ?? true, mount.endpointHost)
    this.#idleTimeout = positive('idleTimeout', options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT)
    this.#maxQueued = positive('maxQueuedBytes', options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES)
    this.#sendTimeout = positive('sendTimeout', options.sendTimeout ?? DEFAULT_SEND_TIMEOUT)
    this.#period = Math.max(1, Math.floor(Math.min(this.#idleTimeout, this.#sendTimeout) / SWEEPS))
    this.#idleTicks = Math.ceil(this.#idleTimeout / this.#period)
    this.#sendTicks = Math.ceil(this.#sendTimeout / this.#period)
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: positive('maxFrameSize', options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE),
      handleProtocols: (offered) => (offered.has('phoenix') ? 'phoenix' : false),
      WebSocket: CinderWebSocket,
    })
  }

  /** How many connections are open. */
  get size(): number {
    return this.#connections.size
  }

  /**
   * Handles an HTTP upgrade request for this mount's path. Answers the
   * request itself in every case (101, 400, 403 or 500).
   */
  handleUpgrade(req: IncomingMessage, socket: NetSocket, head: Buffer): void {
    socket.on('error', ignore)
    if (this.#draining || !isWebSocketRequest(req)) {
      refuse(socket, this.#draining ? 503 : 400)
      return
    }
    const request = this.#connectRequest(req, socket)
    if (request === undefined) return
    Promise.resolve()
      .then(() => this.#handler.connect(request))
      .then(
        (outcome) => {
          if ('error' in outcome) return refuse(socket, outcome.status ?? 403)
          this.#upgrade(req, socket, head, outcome.ok)
        },
        (error: unknown) => {
          this.#logger.error(`socket connect at ${this.path} crashed: ${errorText(error)}`)
          refuse(socket, 500)
        },
      )
  }

  /** Refuses every new upgrade from now on (503), keeping the open connections. */
  stopAccepting(): void {
    this.#draining = true
  }

  /** Resolves once no connection is open (at once when none is). */
  settled(): Promise<void> {
    if (this.#connections.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.#settled.push(resolve))
  }

  /** Closes every connection with `code` (1012 by default) and refuses new ones. */
  async drain(
    code: number = CloseCode.serviceRestart,
    reason = 'server restarting',
  ): Promise<void> {
    this.#draining = true
    const closed = [...this.#connections].map(
      (ws) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve())
          ws.close(code, reason)
        }),
    )
    this.#stopSweeper()
    await Promise.all(closed)
  }

  /** Drops every connection at once (no close handshake) and stops the idle timer. */
  terminateAll(): void {
    this.#draining = true
    for (const ws of this.#connections) ws.terminate()
    this.#stopSweeper()
  }

  /** @internal Called by a connection on its first frame in this turn. */
  cork(ws: CinderWebSocket): void {
    if (ws.bufferedAmount === 0) ws.emptied = this.#tick
    ws.corked = true
    ws.raw?.cork()
    this.#corked.push(ws)
    if (this.#flushScheduled) return
    this.#flushScheduled = true
    setImmediate(this.#flush)
  }

  #flush = (): void => {
    const corked = this.#corked
    this.#corked = []
    this.#flushScheduled = false
    for (const ws of corked) {
      ws.corked = false
      ws.raw?.uncork()
      if (ws.bufferedAmount > this.#maxQueued)
        this.#tooSlow(ws, 'its outbound queue passed', this.#maxQueued, 'maxQueuedBytes')
    }
  }

  /** A consumer that does not keep up: dropped, with one log line. */
  #tooSlow(ws: CinderWebSocket, what: string, limit: number, option: string): void {
    const peer = ws.raw?.remoteAddress ?? 'a client'
    this.#logger.warn(
      `dropped a WebSocket at ${this.path} from ${peer} with 1008 slow consumer: ${what} ${limit}` +
        `${option === 'sendTimeout' ? ' ms' : ' bytes'} (${option}; ${ws.bufferedAmount} bytes waiting)`,
    )
    ws.drop(CloseCode.policyViolation, 'slow consumer')
    const reason = option === 'sendTimeout' ? 'send_timeout' : 'slow_consumer'
    overloaded(reason, CloseCode.policyViolation)
  }

  #connectRequest(req: IncomingMessage, socket: NetSocket): ConnectRequest | undefined {
    const url = req.url ?? '/'
    const query = url.indexOf('?')
    let params: Params
    try {
      params = decodeQuery(query === -1 ? '' : url.slice(query + 1))
    } catch (error) {
      if (!(error instanceof CinderError)) throw error
      refuse(socket, 400)
      return undefined
    }
    const origin = header(req, 'origin')
    const scheme = socket instanceof TLSSocket ? 'https' : 'http'
    if (!this.#checkOrigin({ origin, host: header(req, 'host'), scheme })) {
      this.#logger.error(
        `refused a WebSocket at ${this.path}: origin ${describe(origin)} is not allowed ` +
          `(configure the socket's checkOrigin option to allow it)`,
      )
      refuse(socket, 403)
      return undefined
    }
    const authToken = authTokenOf(req)
    const vsn = typeof params.vsn === 'string' ? params.vsn : '1.0.0'
    return {
      params,
      vsn,
      connectInfo: withLazyPeer(
        {
          transport: 'websocket',
          uri: url,
          headers: req.headers,
          ...(authToken === undefined ? {} : { authToken }),
        },
        socket,
      ),
    }
  }

  #upgrade(req: IncomingMessage, socket: NetSocket, head: Buffer, state: State): void {
    if (socket.destroyed) return
    socket.removeListener('error', ignore)
    this.#wss.handleUpgrade(req, socket, head, (client) => {
      const ws = client as CinderWebSocket
      ws.attach(this as WebSocketTransport<unknown>, state, this.#tick)
      this.#connections.add(ws)
      this.#startSweeper()
      this.#handler.init(state, ws)
    })
  }

  /** @internal */
  received(ws: CinderWebSocket, frame: Frame): void {
    ws.seen = this.#tick
    counted.framesIn++
    counted.bytesIn += frameLength(frame)
    this.#handler.handleIn(frame, ws.state as State)
  }

  /** @internal */
  control(ws: CinderWebSocket, opcode: 'ping' | 'pong', payload: Buffer): void {
    ws.seen = this.#tick
    this.#handler.handleControl?.({ opcode, payload }, ws.state as State)
  }

  /** @internal */
  failed(ws: CinderWebSocket, error: Error): void {
    const code = ws.closedByServer?.code
    if (code === CloseCode.messageTooBig) {
      this.#logger.warn(`closed a WebSocket at ${this.path} with 1009: ${error.message}`)
    } else {
      this.#logger.warn(`WebSocket error at ${this.path}: ${error.message}`)
    }
  }

  /** @internal */
  closed(ws: CinderWebSocket, code: number): void {
    this.#connections.delete(ws)
    const byServer = ws.closedByServer
    const reason: TransportCloseReason =
      byServer === undefined
        ? { kind: 'peer', code }
        : { kind: 'server', code: byServer.code, reason: byServer.reason }
    if (this.#connections.size === 0) {
      this.#stopSweeper()
      const waiting = this.#settled
      this.#settled = []
      for (const resolve of waiting) resolve()
    }
    this.#handler.terminate(reason, ws.state as State)
  }

  #startSweeper(): void {
    if (this.#sweeper !== undefined) return
    this.#sweeper = unref(getClock().setTimeout(this.#sweep, this.#period))
  }

  #stopSweeper(): void {
    if (this.#sweeper === undefined) return
    getClock().clearTimeout(this.#sweeper)
    this.#sweeper = undefined
  }

  #sweep = (): void => {
    this.#sweeper = undefined
    const tick = ++this.#tick
    for (const ws of this.#connections) {
      if (ws.bufferedAmount === 0) ws.emptied = tick
      else if (tick - ws.emptied > this.#sendTicks) {
        this.#tooSlow(ws, 'nothing it was sent left for', this.#sendTimeout, 'sendTimeout')
        continue
      }
      if (tick - ws.seen > this.#idleTicks) {
        ws.close(CloseCode.goingAway, 'idle timeout')
        overloaded('idle_timeout', CloseCode.goingAway)
      }
    }
    if (this.#connections.size > 0) this.#startSweeper()
  }
}

/** A real timer must not keep Node alive for the sweep alone; a test clock's handle is left be. */
function unref(handle: TimerHandle): TimerHandle {
  ;(handle as { unref?: () => void } | null)?.unref?.()
  return handle
}

function ignore(): void {}

const counted = traffic.websocket

/** Publishes `cinder:socket:overload` for a WebSocket a limit closed. */
function overloaded(reason: string, code: number): void {
  if (socketOverload.hasSubscribers)
    socketOverload.publish({ transport: 'websocket', reason, code })
}

/** The checks `ws` would make, done before `connect` so a bad request never reaches the app. */
function isWebSocketRequest(req: IncomingMessage): boolean {
  const version = header(req, 'sec-websocket-version')
  return (
    req.method === 'GET' &&
    header(req, 'upgrade')?.toLowerCase() === 'websocket' &&
    WS_KEY.test(header(req, 'sec-websocket-key') ?? '') &&
    (version === '13' || version === '8')
  )
}

function authTokenOf(req: IncomingMessage): string | undefined {
  const offered = header(req, 'sec-websocket-protocol')
  if (offered === undefined) return undefined
  for (const entry of offered.split(',')) {
    const protocol = entry.trim()
    if (protocol.startsWith(AUTH_TOKEN_PREFIX)) {
      // The official client uses standard base64 with the padding stripped.
      return Buffer.from(protocol.slice(AUTH_TOKEN_PREFIX.length), 'base64').toString('utf8')
    }
  }
  return undefined
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** Answers an upgrade request with an empty HTTP response and closes the socket. */
function refuse(socket: NetSocket, status: number): void {
  if (socket.destroyed) return
  const text = STATUS_TEXT[status] ?? 'Error'
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

function positive(name: string, value: number): number {
  if (Number.isFinite(value) && value > 0) return value
  throw new CinderError(
    'CINDER_ERR_SOCKET_OPTIONS',
    `the WebSocket option ${name} must be a positive number; got: ${describe(value)}`,
  )
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : describe(error)
}
