/**
 * The connection: one HTTP request and the response being built for it, as
 * Plug.Conn. Plugs receive a Conn and return it; the methods mutate it and
 * return `this`, so calls chain (`conn.putStatus(201).putRespHeader(...)`).
 *
 * The response moves through `unset → set → sent | chunked | upgraded`. Every
 * send runs the before-send hooks first (last registered runs first, as in
 * Plug), then hands status, headers and body to the adapter. A second send
 * throws `CINDER_ERR_ALREADY_SENT` instead of corrupting the socket.
 */
import { parseCookie, type SetCookie, stringifySetCookie } from 'cookie'
import { CinderError, describe } from '../errors.ts'
import type { ConnAdapter, HeaderList, RequestHeaders } from './adapter.ts'
import { decodeQuery, type Params, type QueryLimits } from './query.ts'

/** Where the response stands. */
export type ConnState = 'unset' | 'set' | 'sent' | 'chunked' | 'upgraded'

/** Options of a response cookie (`cookie` package names); `path` defaults to `/`. */
export type CookieOptions = Omit<SetCookie, 'name' | 'value'>

/** A hook run just before the response goes out; it may still change status, headers, body. */
export type BeforeSend = (conn: Conn) => void

/** What the server knows about the request line and headers. */
export interface ConnInit {
  method: string
  /** The request target: `/path?query` (absolute-form URLs are accepted too). */
  url: string
  headers: RequestHeaders
}

/** Plug.Conn's default: responses are not cached unless a plug says so. */
const DEFAULT_CACHE_CONTROL = 'max-age=0, private, must-revalidate'

/**
 * One request and the response being built: what every plug receives and
 * returns (Plug.Conn). See docs/http.md.
 */
export class Conn {
  // Request
  /** Upper-case method; the method-override plug may change it. */
  method: string
  readonly scheme: 'http' | 'https'
  /** The raw (still percent-encoded) path, e.g. `/users/42`. */
  readonly requestPath: string
  /** Path segments still to be routed; `forward` moves a prefix into `scriptName`. */
  pathInfo: string[]
  /** Segments already consumed by `forward`. */
  scriptName: string[]
  readonly queryString: string
  readonly reqHeaders: RequestHeaders
  /** Params from the body; set by the body parsers. */
  bodyParams: Params = {}
  /** Params from the route (`:id`, `*path`); set by the router. */
  pathParams: Params = {}

  // Response
  status: number | null = null
  respBody: string | Uint8Array | null = null
  /**
   * The response headers, flat as `[name, value, name, value, …]` with
   * lower-case names: what the adapter writes, with no Map to build and
   * convert per response. Small enough that a scan beats hashing.
   */
  #respHeaders: string[] = ['cache-control', DEFAULT_CACHE_CONTROL]

  // Shared between plugs
  /** Data for the application (templates, controllers). */
  readonly assigns: Record<string, unknown> = {}
  /** Data for libraries and the framework; apps should prefer `assigns`. */
  readonly private: Record<string, unknown> = {}
  halted = false

  readonly #adapter: ConnAdapter
  #state: ConnState = 'unset'
  // Allocated on first use: most requests set no cookie and register no hook.
  #respCookies: Map<string, SetCookie> | undefined
  #beforeSend: BeforeSend[] | undefined
  #cleanups: Array<() => void | Promise<void>> | undefined
  #host: { host: string; port: number } | undefined
  #queryParams: Params | undefined
  #reqCookies: Record<string, string> | undefined
  #params: Params | undefined
  #bodyRead = false

  constructor(adapter: ConnAdapter, init: ConnInit) {
    this.#adapter = adapter
    this.method = upperCase(init.method)
    this.reqHeaders = init.headers
    this.scheme = adapter.scheme
    const { path, query } = splitTarget(init.url)
    this.requestPath = path
    this.queryString = query
    this.pathInfo = splitPath(path)
    this.scriptName = []
  }

  /** The host the request was sent to (the Host header without its port; `localhost` without one). */
  get host(): string {
    this.#host ??= parseHost(headerValue(this.reqHeaders.host), this.#adapter)
    return this.#host.host
  }

  /** The port from the Host header, else the scheme's default, else the server's. */
  get port(): number {
    this.#host ??= parseHost(headerValue(this.reqHeaders.host), this.#adapter)
    return this.#host.port
  }

  /** The client's address (the peer of the TCP connection). */
  get remoteIp(): string {
    return this.#adapter.remoteAddress
  }

  /** Cookies to set (or delete) on the response, by name. */
  get respCookies(): Map<string, SetCookie> {
    this.#respCookies ??= new Map()
    return this.#respCookies
  }

  /** Where the response stands (`unset → set → sent | chunked | upgraded`). */
  get state(): ConnState {
    return this.#state
  }

  /** The request header `name` (lower case), repeated values joined by `, `. */
  getReqHeader(name: string): string | undefined {
    return headerValue(this.reqHeaders[name])
  }

  /** Query-string params, decoded on first use with the default limits (a malformed query is a 400). */
  get queryParams(): Params {
    return this.fetchQueryParams()
  }

  /**
   * Decodes the query string with these limits (Plug's `fetch_query_params`);
   * once decoded, later calls return the same params. The `parsers` plug calls
   * it when its `params` or `depth` option is set.
   */
  fetchQueryParams(limits?: QueryLimits): Params {
    this.#queryParams ??= decodeQuery(this.queryString, limits)
    return this.#queryParams
  }

  /** Request cookies, parsed on first use. */
  get reqCookies(): Record<string, string> {
    if (this.#reqCookies === undefined) {
      const parsed = parseCookie(this.getReqHeader('cookie') ?? '')
      const cookies: Record<string, string> = {}
      for (const name in parsed) {
        const value = parsed[name]
        if (value !== undefined) cookies[name] = value
      }
      this.#reqCookies = cookies
    }
    return this.#reqCookies
  }

  /** Query, body and path params merged, later ones winning (path beats body beats query). */
  get params(): Params {
    this.#params ??= { ...this.queryParams, ...this.bodyParams, ...this.pathParams }
    return this.#params
  }

  /** Replaces the body params (body parsers call this). */
  putBodyParams(params: Params): this {
    this.bodyParams = params
    this.#params = undefined
    return this
  }

  /** Merges route params (the router calls this). */
  putPathParams(params: Params): this {
    this.pathParams = { ...this.pathParams, ...params }
    this.#params = undefined
    return this
  }

  // ---- assigns, private, halting

  /** Sets `assigns[key]`, or merges an object of assigns. */
  assign(key: string, value: unknown): this
  assign(values: Record<string, unknown>): this
  assign(key: string | Record<string, unknown>, value?: unknown): this {
    if (typeof key === 'string') this.assigns[key] = value
    else Object.assign(this.assigns, key)
    return this
  }

  putPrivate(key: string, value: unknown): this {
    this.private[key] = value
    return this
  }

  /** Stops the pipeline after the current plug. */
  halt(): this {
    this.halted = true
    return this
  }

  // ---- building the response

  putStatus(status: number): this {
    this.#assertNotSent('putStatus')
    this.status = checkStatus(status)
    return this
  }

  putRespHeader(name: string, value: string): this {
    this.#assertNotSent('putRespHeader')
    const key = name.toLowerCase()
    const headers = this.#respHeaders
    const at = indexOfHeader(headers, key)
    if (at === -1) headers.push(key, value)
    else headers[at + 1] = value
    return this
  }

  mergeRespHeaders(headers: Readonly<Record<string, string>>): this {
    for (const [name, value] of Object.entries(headers)) this.putRespHeader(name, value)
    return this
  }

  deleteRespHeader(name: string): this {
    this.#assertNotSent('deleteRespHeader')
    const at = indexOfHeader(this.#respHeaders, name.toLowerCase())
    if (at !== -1) this.#respHeaders.splice(at, 2)
    return this
  }

  getRespHeader(name: string): string | undefined {
    const headers = this.#respHeaders
    const at = indexOfHeader(headers, name.toLowerCase())
    return at === -1 ? undefined : headers[at + 1]
  }

  /**
   * The response headers so far, by lower-case name: a copy; change them with
   * `putRespHeader`. Once sent, what went out (with `content-length`).
   */
  get respHeaders(): ReadonlyMap<string, string> {
    const map = new Map<string, string>()
    const headers = this.#respHeaders
    for (let i = 0; i < headers.length; i += 2)
      map.set(headers[i] as string, headers[i + 1] as string)
    return map
  }

  /** Sets `content-type`, adding `charset=utf-8` unless `charset` is null. */
  putRespContentType(type: string, charset: string | null = 'utf-8'): this {
    return this.putRespHeader('content-type', charset === null ? type : withCharset(type, charset))
  }

  /** Sets a cookie on the response: HttpOnly and path `/` unless told otherwise; Secure on https. */
  putRespCookie(name: string, value: string, options: CookieOptions = {}): this {
    this.#assertNotSent('putRespCookie')
    const cookie: SetCookie = { path: '/', httpOnly: true, ...options, name, value }
    if (this.scheme === 'https' && options.secure === undefined) cookie.secure = true
    this.respCookies.set(name, cookie)
    return this
  }

  /** Tells the browser to drop a cookie (same `path`/`domain` as when it was set). */
  deleteRespCookie(name: string, options: CookieOptions = {}): this {
    return this.putRespCookie(name, '', { ...options, maxAge: 0, expires: new Date(0) })
  }

  /** Request cookies overlaid with the cookies this response sets (deleted ones removed). */
  get cookies(): Record<string, string> {
    const merged = { ...this.reqCookies }
    for (const [name, cookie] of this.#respCookies ?? []) {
      if (cookie.maxAge === 0) delete merged[name]
      else merged[name] = cookie.value ?? ''
    }
    return merged
  }

  /**
   * Runs `hook` right before the response is sent (the last registered runs
   * first). A hook may register another: it runs once the current ones have.
   */
  registerBeforeSend(hook: BeforeSend): this {
    this.#assertNotSent('registerBeforeSend')
    this.#beforeSend ??= []
    this.#beforeSend.push(hook)
    return this
  }

  /** Runs `fn` once the request is over, sent or failed (temp files, timers). */
  registerCleanup(fn: () => void | Promise<void>): this {
    this.#cleanups ??= []
    this.#cleanups.push(fn)
    return this
  }

  // ---- sending

  /** Sets status and body without sending (state `set`); `send()` sends it. */
  resp(status: number, body: string | Uint8Array): this {
    this.#assertNotSent('resp')
    this.status = checkStatus(status)
    this.respBody = body
    this.#state = 'set'
    return this
  }

  /** Sets and sends the response in one go. */
  sendResp(status: number, body: string | Uint8Array): this {
    return this.resp(status, body).send()
  }

  /** Sends the response set by `resp()`. */
  send(): this {
    if (this.#state !== 'set') {
      this.#assertNotSent('send')
      throw new CinderError(
        'CINDER_ERR_NOT_SENT',
        'send() needs a response: call resp(status, body) first',
      )
    }
    this.#runBeforeSend()
    this.#state = 'sent'
    this.#adapter.sendResp(this.status ?? 200, this.#headerList(), this.respBody ?? '')
    return this
  }

  /** Sends a file (or `length` bytes of it from `offset`); resolves once it is written. */
  async sendFile(
    status: number,
    path: string,
    options: { offset?: number; length?: number } = {},
  ): Promise<this> {
    this.#assertNotSent('sendFile')
    this.status = checkStatus(status)
    this.#runBeforeSend()
    this.#state = 'sent'
    const { offset = 0, length } = options
    await this.#adapter.sendFile(this.status, this.#headerList(), path, offset, length)
    return this
  }

  /** Starts a chunked response; then `await conn.chunk(data)` as often as needed. */
  sendChunked(status: number): this {
    this.#assertNotSent('sendChunked')
    this.status = checkStatus(status)
    this.#runBeforeSend()
    this.#state = 'chunked'
    this.#adapter.sendChunked(this.status, this.#headerList())
    return this
  }

  async chunk(data: string | Uint8Array): Promise<this> {
    if (this.#state !== 'chunked') {
      throw new CinderError(
        'CINDER_ERR_NOT_SENT',
        `chunk() needs a chunked response (call sendChunked first), the conn is ${this.#state}`,
      )
    }
    await this.#adapter.chunk(data)
    return this
  }

  /** Hands the connection to another protocol (e.g. a WebSocket); the adapter must support it. */
  upgradeAdapter(protocol: string, args: unknown): this {
    this.#assertNotSent('upgradeAdapter')
    if (this.#adapter.upgrade === undefined) {
      throw new CinderError(
        'CINDER_ERR_PLUG_OPTIONS',
        `this server adapter cannot upgrade to ${describe(protocol)}`,
      )
    }
    this.#adapter.upgrade(protocol, args)
    this.#state = 'upgraded'
    return this
  }

  /**
   * Reads the whole request body, refusing more than `limit` bytes with a 413.
   * The body can be read once.
   */
  async readBody(options: { limit?: number } = {}): Promise<Buffer> {
    const { limit = 8_000_000 } = options
    const stream = this.bodyStream()
    const declared = Number(this.getReqHeader('content-length') ?? Number.NaN)
    if (declared > limit) {
      stream.resume()
      throw tooLarge(limit)
    }
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of stream) {
      const bytes = chunk as Buffer
      size += bytes.length
      if (size > limit) {
        stream.resume()
        throw tooLarge(limit)
      }
      chunks.push(bytes)
    }
    return Buffer.concat(chunks, size)
  }

  /** The request body stream, for parsers that stream (multipart). It can be taken once. */
  bodyStream(): ConnAdapter['body'] {
    if (this.#bodyRead) {
      throw new CinderError('CINDER_ERR_BAD_REQUEST', 'the request body was already read')
    }
    this.#bodyRead = true
    return this.#adapter.body
  }

  /** @internal Ends a chunked response and runs the cleanups; called by the server adapters. */
  finish(): Promise<void> | undefined {
    if (this.#state === 'chunked') this.#adapter.finishChunked()
    const cleanups = this.#cleanups
    if (cleanups === undefined) return undefined
    this.#cleanups = undefined
    return Promise.allSettled(cleanups.map(async (fn) => fn())).then(() => undefined)
  }

  /** Runs the hooks, last registered first; hooks registered by a hook run after the current ones. */
  #runBeforeSend(): void {
    for (let hooks = this.#beforeSend; hooks !== undefined; hooks = this.#beforeSend) {
      this.#beforeSend = undefined
      for (let i = hooks.length - 1; i >= 0; i--) hooks[i]?.(this)
    }
  }

  /**
   * The headers to send, cookies last. Called once the response counts as
   * sent, when no plug can change them any more, so the list itself is
   * handed over (no copy to grow again): the adapter may keep or extend it,
   * and `respHeaders` then shows what went out.
   */
  #headerList(): HeaderList {
    const list = this.#respHeaders
    this.#respCookies?.forEach(pushSetCookie, list)
    return list
  }

  #assertNotSent(action: string): void {
    if (this.#state === 'sent' || this.#state === 'chunked' || this.#state === 'upgraded') {
      throw new CinderError(
        'CINDER_ERR_ALREADY_SENT',
        `${action}() on a conn whose response was already ${this.#state} (${this.method} ${this.requestPath})`,
      )
    }
  }
}

/**
 * `type; charset=utf-8`, the same string each time for the few types an app
 * sends: a string built per response is a rope that Node's header check has
 * to flatten and copy, a reused one is checked and written as is.
 */
const utf8Types = new Map<string, string>()
const UTF8_TYPES_CACHED = 64

function withCharset(type: string, charset: string): string {
  if (charset !== 'utf-8') return `${type}; charset=${charset}`
  let value = utf8Types.get(type)
  if (value === undefined) {
    value = `${type}; charset=utf-8`
    if (utf8Types.size < UTF8_TYPES_CACHED) utf8Types.set(type, value)
  }
  return value
}

/** Where header `name` sits in a flat list, or -1. */
function indexOfHeader(headers: readonly string[], name: string): number {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return i
  return -1
}

// A module-level callback with the list as `this`: no closure to create per response.
function pushSetCookie(this: HeaderList, cookie: SetCookie): void {
  this.push('set-cookie', stringifySetCookie(cookie))
}

/** Node's methods are already upper case: compare the common ones before copying. */
function upperCase(method: string): string {
  return method === 'GET' || method === 'POST' || method === 'HEAD' ? method : method.toUpperCase()
}

function tooLarge(limit: number): CinderError {
  return new CinderError('CINDER_ERR_BODY_TOO_LARGE', `request body is larger than ${limit} bytes`)
}

function checkStatus(status: number): number {
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new CinderError(
      'CINDER_ERR_PLUG_OPTIONS',
      `expected an HTTP status (integer 100..999), got: ${describe(status)}`,
    )
  }
  return status
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}

/** `/a/b?x=1` → path and query; absolute-form targets keep only their path. */
function splitTarget(url: string): { path: string; query: string } {
  let target = url
  if (!target.startsWith('/')) {
    const scheme = target.indexOf('://')
    const slash = scheme === -1 ? -1 : target.indexOf('/', scheme + 3)
    target = slash === -1 ? '/' : target.slice(slash)
  }
  const mark = target.indexOf('?')
  if (mark === -1) return { path: target, query: '' }
  const hash = target.indexOf('#', mark)
  return {
    path: target.slice(0, mark),
    query: target.slice(mark + 1, hash === -1 ? undefined : hash),
  }
}

/** Splits a path into non-empty segments, as Plug does (`//a/b/` → `['a', 'b']`). */
export function splitPath(path: string): string[] {
  const segments: string[] = []
  let start = 0
  while (start < path.length) {
    let end = path.indexOf('/', start)
    if (end === -1) end = path.length
    if (end > start) segments.push(path.slice(start, end))
    start = end + 1
  }
  return segments
}

function parseHost(
  header: string | undefined,
  adapter: ConnAdapter,
): { host: string; port: number } {
  const fallbackPort = adapter.localPort
  if (header === undefined || header === '') return { host: 'localhost', port: fallbackPort }
  const bracket = header.startsWith('[') ? header.indexOf(']') : -1
  const colon = header.indexOf(':', bracket === -1 ? 0 : bracket)
  if (colon === -1) {
    return { host: header, port: adapter.scheme === 'https' ? 443 : 80 }
  }
  const port = Number(header.slice(colon + 1))
  return {
    host: header.slice(0, colon),
    port: Number.isInteger(port) && port > 0 && port < 65536 ? port : fallbackPort,
  }
}
