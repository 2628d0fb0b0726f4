/**
 * The LongPoll transport (`<mount>/longpoll`), wire-compatible with
 * Phoenix's and the official client's (protocol notes §5).
 *
 * How this works:
 * - Every answer is HTTP 200 with a JSON body `{status, token?, messages?}`,
 *   `cache-control: no-store` and `access-control-allow-origin: *`; the
 *   client reads the status from the body. `OPTIONS` answers the CORS
 *   preflight.
 * - A GET without a token opens a session: origin check and the handler's
 *   `connect` (refused: `{"status":403}`), then `{"status":410, token,
 *   messages: []}`, which the client takes as "open". The first GET's
 *   `x-phoenix-authtoken` header becomes `connectInfo.authToken`.
 * - The token (query `token`, or the `x-phoenix-longpoll-token` header, which
 *   wins) is signed with the endpoint's secret (src/token) and names the
 *   node and the session. A GET with it is held until frames arrive (200
 *   with them, as strings) or the window passes (204). A POST carries
 *   ndjson: at most 100 lines are dispatched, in order; a line starting with
 *   `[` or `{` is a text frame, any other is a base64 binary frame; answered
 *   `{"status":200}`. Replies come in the next GET.
 * - A token this node cannot resolve, or a session that ended, gets
 *   `{"status":410}`: the client reconnects and its channels rejoin.
 *   Sessions not polled for 1.5 windows end.
 * - No sticky sessions: a request whose token names another node is relayed
 *   to that node over PubSub (a direct broadcast on this mount's relay
 *   topic); the owner answers the same way, and this node writes the HTTP
 *   response. An owner silent for `pubsubTimeout` past the wait means the
 *   session is gone (410).
 * - One sweep per transport on the runtime clock (no timer per session or
 *   poll) ends windows, expires sessions and relayed requests.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { TLSSocket } from 'node:tls'
import { CinderError, describe } from '../../errors.ts'
import { decodeQuery, type Params } from '../../http/query.ts'
import type { Logger } from '../../logger.ts'
import { getClock, type TimerHandle } from '../../process/index.ts'
import type { PubSub, SubscriberFn } from '../../pubsub/index.ts'
import { socketOverload } from '../../telemetry/index.ts'
import { signToken, verifyToken } from '../../token/index.ts'
import { type CheckOrigin, compileOriginCheck, type OriginCheck } from '../origin.ts'
import { traffic } from '../traffic.ts'
import { CloseCode, type ConnectRequest, type Frame, type TransportHandler } from '../transport.ts'
import {
  type LongPollBody,
  LongPollSession,
  type SessionOwner,
  type WaitingPoll,
} from './longpoll-session.ts'

/** Options of the LongPoll transport of one socket mount. */
export interface LongPollOptions {
  /** How long a poll is held without frames, in ms. Default 10 000. Sessions end after 1.5×. */
  readonly window?: number
  /** Which origins may connect (see `CheckOrigin`). Default `true`: the endpoint's host. */
  readonly checkOrigin?: CheckOrigin
  /** The largest POST body, in bytes. Default 8 MB (answered `{"status":413}` beyond). */
  readonly maxBodySize?: number
  /** How long a relayed request waits for the session's node past its own wait. Default 2000 ms. */
  readonly pubsubTimeout?: number
  /** Most characters of frames waiting for a session's next poll; past it the session ends (1008). Default 1 MiB. */
  readonly maxQueuedBytes?: number
}

/** What the endpoint passes besides the options. */
export interface LongPollMount<State> {
  /** The mount path, e.g. `/socket` (the transport serves `/socket/longpoll`). */
  readonly path: string
  readonly handler: TransportHandler<State>
  readonly endpointHost: string
  readonly logger: Logger
  /** The PubSub that relays requests between nodes. */
  readonly pubsub: PubSub
  /** The endpoint's secret: session tokens are signed with it. */
  readonly secretKeyBase: string
  readonly options?: LongPollOptions
}

/** Most lines of one POST that are dispatched (Phoenix's CVE hardening). */
export const MAX_LONGPOLL_LINES = 100

const DEFAULT_WINDOW = 10_000
const DEFAULT_MAX_BODY = 8_000_000
const DEFAULT_PUBSUB_TIMEOUT = 2000
const DEFAULT_MAX_QUEUED = 1024 * 1024
const TOKEN_SALT = 'cinder longpoll session'
const TOKEN_MAX_AGE = 1_209_600
const TOKEN_HEADER = 'x-phoenix-longpoll-token'

/** A request relayed between nodes (plain data: it crosses the PubSub adapter). */
type Relay =
  | { readonly op: 'poll'; readonly id: string; readonly req: number; readonly from: string }
  | {
      readonly op: 'publish'
      readonly id: string
      readonly req: number
      readonly from: string
      readonly lines: readonly string[]
    }
  | { readonly op: 'answer'; readonly req: number; readonly body: LongPollBody }

/** A request of this node waiting for another node's answer. */
interface Relayed {
  readonly res: ServerResponse
  readonly expires: number
}

/** The LongPoll transport of one socket mount. */
export class LongPollTransport<State> implements SessionOwner {
  readonly path: string
  readonly #mount: string
  readonly #handler: TransportHandler<State>
  readonly #logger: Logger
  readonly #pubsub: PubSub
  readonly #secret: string
  readonly #checkOrigin: OriginCheck
  readonly #window: number
  readonly #maxBody: number
  readonly #pubsubTimeout: number
  readonly maxQueued: number
  readonly #relayTopic: string
  readonly #sessions = new Map<string, LongPollSession>()
  readonly #relayed = new Map<number, Relayed>()
  #nextReq = 1
  #flushing: LongPollSession[] = []
  #flushScheduled = false
  #sweeper: TimerHandle | undefined
  #accepting = true
  #relaySubscriber: SubscriberFn | undefined
  #settled: Array<() => void> = []
  #droppedBinary = false

  constructor(mount: LongPollMount<State>) {
    const options = mount.options ?? {}
    this.#mount = mount.path.replace(/\/+$/, '')
    this.path = `${this.#mount}/longpoll`
    this.#handler = mount.handler
    this.#logger = mount.logger
    this.#pubsub = mount.pubsub
    this.#secret = mount.secretKeyBase
    this.#checkOrigin = compileOriginCheck(options.checkOrigin ?? true, mount.endpointHost)
    this.#window = positive('window', options.window ?? DEFAULT_WINDOW)
    this.#maxBody = positive('maxBodySize', options.maxBodySize ?? DEFAULT_MAX_BODY)
    this.#pubsubTimeout = positive('pubsubTimeout', options.pubsubTimeout ?? DEFAULT_PUBSUB_TIMEOUT)
    this.maxQueued = positive('maxQueuedBytes', options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED)
    this.#relayTopic = `cinder:longpoll:${this.#mount}`
  }

  /** How many sessions live on this node. */
  get size(): number {
    return this.#sessions.size
  }

  /** Starts answering requests relayed from other nodes. */
  start(): void {
    if (this.#relaySubscriber !== undefined) return
    this.#relaySubscriber = (message) => this.#relay(message as Relay)
    this.#pubsub.subscribe(this.#relayTopic, this.#relaySubscriber)
  }

  /** New sessions are refused from now on (`{"status":500}`: the client retries, elsewhere). */
  stopAccepting(): void {
    this.#accepting = false
  }

  /** Resolves once no session is left on this node. */
  settled(): Promise<void> {
    if (this.#sessions.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.#settled.push(resolve))
  }

  /** Ends every session and stops relaying (the endpoint's last step). */
  stop(): void {
    this.#accepting = false
    for (const session of [...this.#sessions.values()]) {
      session.close(CloseCode.serviceRestart, 'server restarting')
    }
    for (const { res } of this.#relayed.values()) sendBody(res, { status: 410 })
    this.#relayed.clear()
    if (this.#relaySubscriber !== undefined) {
      this.#pubsub.unsubscribe(this.#relayTopic, this.#relaySubscriber)
      this.#relaySubscriber = undefined
    }
    this.#stopSweeper()
  }

  /** Handles one HTTP request for this transport's path. Always answers it. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    res.on('error', ignore)
    if (req.method === 'OPTIONS') {
      preflight(req, res)
      return
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.writeHead(400, { 'content-length': 0, 'access-control-allow-origin': '*' }).end()
      return
    }
    const url = req.url ?? '/'
    const at = url.indexOf('?')
    let params: Params
    try {
      params = decodeQuery(at === -1 ? '' : url.slice(at + 1))
    } catch (error) {
      if (!(error instanceof CinderError)) throw error
      res.writeHead(400, { 'content-length': 0, 'access-control-allow-origin': '*' }).end()
      return
    }
    const scheme = req.socket instanceof TLSSocket ? 'https' : 'http'
    const origin = header(req, 'origin')
    if (!this.#checkOrigin({ origin, host: header(req, 'host'), scheme })) {
      this.#logger.error(
        `refused a LongPoll request at ${this.path}: origin ${describe(origin)} is not allowed ` +
          `(configure the socket's checkOrigin option to allow it)`,
      )
      sendBody(res, { status: 403 })
      return
    }
    const token = header(req, TOKEN_HEADER) ?? stringParam(params.token)
    if (req.method === 'GET') {
      if (token === undefined) this.#open(req, res, params, url)
      else this.#poll(res, token)
    } else {
      this.#publish(req, res, token)
    }
  }

  // SessionOwner

  /** @internal */
  dropped(_session: LongPollSession, frame: Frame): void {
    if (this.#droppedBinary) return
    this.#droppedBinary = true
    this.#logger.warn(
      `dropped a binary frame (${typeof frame === 'string' ? frame.length : frame.byteLength} bytes) for a LongPoll client at ${this.path}: ` +
        'LongPoll carries text frames only (logged once per transport)',
    )
  }

  /** @internal */
  overflowed(session: LongPollSession, queued: number): void {
    this.#logger.warn(
      `closed a LongPoll session at ${this.path} with 1008 slow consumer: ${queued} characters ` +
        `waited for its next poll (maxQueuedBytes ${this.maxQueued})`,
    )
    session.close(CloseCode.policyViolation, 'slow consumer')
    if (socketOverload.hasSubscribers) {
      socketOverload.publish({
        transport: 'longpoll',
        reason: 'slow_consumer',
        code: CloseCode.policyViolation,
      })
    }
  }

  /** @internal */
  ready(session: LongPollSession): void {
    session.flushing = true
    this.#flushing.push(session)
    if (this.#flushScheduled) return
    this.#flushScheduled = true
    setImmediate(this.#flush)
  }

  /** @internal */
  ended(session: LongPollSession, code: number, reason: string): void {
    if (this.#sessions.get(session.id) !== session) return
    this.#sessions.delete(session.id)
    if (this.#sessions.size === 0) {
      const waiting = this.#settled
      this.#settled = []
      for (const resolve of waiting) resolve()
    }
    this.#handler.terminate({ kind: 'server', code, reason }, session.state as State)
  }

  #flush = (): void => {
    const sessions = this.#flushing
    this.#flushing = []
    this.#flushScheduled = false
    for (const session of sessions) session.flush()
  }

  /** A GET without a token: connect, then open a session (410 with its token). */
  #open(req: IncomingMessage, res: ServerResponse, params: Params, url: string): void {
    if (!this.#accepting) {
      sendBody(res, { status: 500 })
      return
    }
    const authToken = header(req, 'x-phoenix-authtoken')
    const request: ConnectRequest = {
      params,
      vsn: typeof params.vsn === 'string' ? params.vsn : '1.0.0',
      connectInfo: {
        transport: 'longpoll',
        peer: { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0 },
        uri: url,
        headers: req.headers,
        ...(authToken === undefined ? {} : { authToken }),
      },
    }
    Promise.resolve()
      .then(() => this.#handler.connect(request))
      .then(
        (outcome) => {
          if ('error' in outcome) return sendBody(res, { status: 403 })
          if (!this.#accepting) return sendBody(res, { status: 500 })
          const session = this.#newSession()
          session.state = outcome.ok
          this.#handler.init(outcome.ok, session)
          sendBody(res, { status: 410, token: session.token, messages: [] })
        },
        (error: unknown) => {
          this.#logger.error(`socket connect at ${this.path} crashed: ${errorText(error)}`)
          sendBody(res, { status: 500 })
        },
      )
  }

  #newSession(): LongPollSession {
    const id = randomBytes(16).toString('base64url')
    const token = signToken(
      this.#secret,
      TOKEN_SALT,
      { n: this.#pubsub.node, p: this.#mount, i: id },
      { maxAge: TOKEN_MAX_AGE },
    )
    const session = new LongPollSession(id, token, this, getClock().now())
    this.#sessions.set(id, session)
    this.#startSweeper()
    return session
  }

  /** Where a token's session lives, or undefined for a token this mount did not sign. */
  #resolve(token: string): { node: string; id: string } | undefined {
    const result = verifyToken(this.#secret, TOKEN_SALT, token, { maxAge: TOKEN_MAX_AGE })
    if (!result.ok) return undefined
    const data = result.data as { n?: unknown; p?: unknown; i?: unknown } | null
    if (typeof data !== 'object' || data === null) return undefined
    const { n, p, i } = data
    if (typeof n !== 'string' || p !== this.#mount || typeof i !== 'string') return undefined
    return { node: n, id: i }
  }

  #poll(res: ServerResponse, token: string): void {
    const where = this.#resolve(token)
    if (where === undefined) {
      sendBody(res, { status: 410 })
      return
    }
    if (where.node !== this.#pubsub.node) {
      this.#forward(res, where.node, { op: 'poll', id: where.id }, this.#window)
      return
    }
    const session = this.#sessions.get(where.id)
    if (session === undefined) {
      sendBody(res, { status: 410 })
      return
    }
    const poll = new LocalPoll(res, getClock().now() + this.#window)
    res.once('close', () => {
      if (session.poll === poll) session.take()
    })
    session.wait(poll, getClock().now())
    this.#startSweeper()
  }

  #publish(req: IncomingMessage, res: ServerResponse, token: string | undefined): void {
    const where = token === undefined ? undefined : this.#resolve(token)
    if (where === undefined) {
      req.resume()
      sendBody(res, { status: 410 })
      return
    }
    readBody(req, this.#maxBody).then(
      (body) => {
        if (body === undefined) return sendBody(res, { status: 413 }, 413)
        const lines = splitLines(body, header(req, 'content-type'))
        if (where.node !== this.#pubsub.node) {
          return this.#forward(res, where.node, { op: 'publish', id: where.id, lines }, 0)
        }
        sendBody(res, this.#dispatch(where.id, lines))
      },
      () => res.destroy(),
    )
  }

  /** Dispatches POSTed lines to a session of this node, in order. */
  #dispatch(id: string, lines: readonly string[]): LongPollBody {
    const session = this.#sessions.get(id)
    if (session === undefined || session.closed) return { status: 410 }
    session.lastSeen = getClock().now()
    for (const line of lines) {
      if (session.closed) break
      traffic.longpoll.framesIn++
      traffic.longpoll.bytesIn += line.length
      this.#handler.handleIn(toFrame(line), session.state as State)
    }
    return { status: 200 }
  }

  /** Relays a request to the node that holds the session; its answer is written here. */
  #forward(
    res: ServerResponse,
    node: string,
    request: { op: 'poll'; id: string } | { op: 'publish'; id: string; lines: readonly string[] },
    wait: number,
  ): void {
    const req = this.#nextReq++
    this.#relayed.set(req, {
      res,
      expires: getClock().now() + wait + this.#pubsubTimeout,
    })
    res.once('close', () => this.#relayed.delete(req))
    this.#startSweeper()
    try {
      this.#pubsub.directBroadcast(node, this.#relayTopic, {
        ...request,
        req,
        from: this.#pubsub.node,
      })
    } catch (error) {
      this.#relayed.delete(req)
      this.#logger.warn(`could not relay a LongPoll request to node ${node}: ${errorText(error)}`)
      sendBody(res, { status: 410 })
    }
  }

  /** A relayed message: a request for a session of this node, or the answer to one of ours. */
  #relay(message: Relay): void {
    if (message.op === 'answer') {
      const waiting = this.#relayed.get(message.req)
      if (waiting === undefined) return
      this.#relayed.delete(message.req)
      sendBody(waiting.res, message.body)
      return
    }
    const answer = (body: LongPollBody): void => {
      this.#pubsub.directBroadcast(message.from, this.#relayTopic, {
        op: 'answer',
        req: message.req,
        body,
      })
    }
    if (message.op === 'publish') {
      answer(this.#dispatch(message.id, message.lines))
      return
    }
    const session = this.#sessions.get(message.id)
    if (session === undefined || session.closed) {
      answer({ status: 410 })
      return
    }
    session.wait({ expires: getClock().now() + this.#window, answer }, getClock().now())
    this.#startSweeper()
  }

  #startSweeper(): void {
    if (this.#sweeper !== undefined) return
    const period = Math.max(1, Math.floor(this.#window / 10))
    this.#sweeper = unref(getClock().setTimeout(this.#sweep, period))
  }

  #stopSweeper(): void {
    if (this.#sweeper === undefined) return
    getClock().clearTimeout(this.#sweeper)
    this.#sweeper = undefined
  }

  #sweep = (): void => {
    this.#sweeper = undefined
    const now = getClock().now()
    const idleLimit = this.#window * 1.5
    for (const session of [...this.#sessions.values()]) {
      session.expire(now)
      if (session.poll === undefined && now - session.lastSeen > idleLimit) {
        session.close(CloseCode.goingAway, 'inactive')
      }
    }
    for (const [req, waiting] of this.#relayed) {
      if (now < waiting.expires) continue
      this.#relayed.delete(req)
      sendBody(waiting.res, { status: 410 })
    }
    if (this.#sessions.size > 0 || this.#relayed.size > 0) this.#startSweeper()
  }
}

/** A GET held on this node. */
class LocalPoll implements WaitingPoll {
  readonly expires: number
  readonly #res: ServerResponse

  constructor(res: ServerResponse, expires: number) {
    this.#res = res
    this.expires = expires
  }

  answer(body: LongPollBody): void {
    sendBody(this.#res, body)
  }
}

/** Writes a LongPoll answer: JSON over HTTP 200 (or `status` when given), never cached. */
function sendBody(res: ServerResponse, body: LongPollBody, status = 200): void {
  if (res.headersSent || res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'access-control-allow-origin': '*',
  })
  res.end(text)
}

/** The CORS preflight: allow what the client asks for, as Phoenix does. */
function preflight(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': header(req, 'access-control-request-headers') ?? '',
    'access-control-allow-methods': 'get, post, options',
    'access-control-max-age': '3600',
    'content-length': 0,
  })
  res.end()
}

/** Reads a body up to `limit` bytes; undefined when it is larger. */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (chunk: Buffer) => {
      if (over) return
      size += chunk.length
      if (size > limit) {
        over = true
        chunks.length = 0
        return
      }
      chunks.push(chunk)
    })
    req.once('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')))
    req.once('error', reject)
  })
}

/** The frames of a POST body: ndjson lines (at most 100), or the whole body as one frame. */
export function splitLines(body: string, contentType: string | undefined): string[] {
  const ndjson = contentType?.split(';', 1)[0]?.trim().toLowerCase() === 'application/x-ndjson'
  if (!ndjson) return body === '' ? [] : [body]
  const lines: string[] = []
  for (const line of body.split(/\r?\n/)) {
    if (line === '') continue
    lines.push(line)
    if (lines.length === MAX_LONGPOLL_LINES) break
  }
  return lines
}

/** A line starting with `[` or `{` is a text frame; any other is a base64 binary frame. */
function toFrame(line: string): Frame {
  const first = line.charCodeAt(0)
  return first === 0x5b || first === 0x7b ? line : Buffer.from(line, 'base64')
}

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function unref(handle: TimerHandle): TimerHandle {
  ;(handle as { unref?: () => void } | null)?.unref?.()
  return handle
}

function ignore(): void {}

function positive(name: string, value: number): number {
  if (Number.isFinite(value) && value > 0) return value
  throw new CinderError(
    'CINDER_ERR_SOCKET_OPTIONS',
    `the LongPoll option ${name} must be a positive number; got: ${describe(value)}`,
  )
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : describe(error)
}
