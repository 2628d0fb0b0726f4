/**
 * HTTP without a port, for tests (Plug's test adapter, Hono's `app.request`,
 * Fastify's `inject`): the request goes through the same `serve` as real
 * traffic, and the response comes back as plain data along with the conn.
 */
import { open } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { parseSetCookie, type SetCookie } from 'cookie'
import type { ConnAdapter, HeaderList } from './adapter.ts'
import { Conn } from './conn.ts'
import { bindPlug, type PlugSpec } from './plug.ts'
import { type ServeOptions, serve } from './serve.ts'

export interface InjectRequest {
  /** Default `GET`. */
  readonly method?: string
  /** Path and query, e.g. `/users/1?x=2`. Default `/`. */
  readonly url?: string
  readonly headers?: Readonly<Record<string, string>>
  /** Request cookies, sent as a `cookie` header. */
  readonly cookies?: Readonly<Record<string, string>>
  /** A raw body, a form (urlencoded or multipart, content-type set for you) or a stream. */
  readonly body?: string | Uint8Array | URLSearchParams | FormData | Readable
  /** A JSON body (sets `content-type: application/json`). */
  readonly json?: unknown
  readonly remoteAddress?: string
  readonly scheme?: 'http' | 'https'
}

export interface InjectResponse {
  readonly status: number
  readonly headers: Headers
  readonly body: Buffer
  /** The body as UTF-8 text. */
  readonly text: string
  /** The body parsed as JSON. */
  json(): unknown
  /** Cookies set by the response, by name. */
  readonly cookies: Readonly<Record<string, SetCookie>>
  /** The conn after the pipeline, to inspect assigns, private or the session. */
  readonly conn: Conn
}

/**
 * Runs `plug` on an in-memory request and returns the response.
 *
 * @example
 * const res = await inject(router.plug, { method: 'POST', url: '/api/users', json: { name: 'ada' } })
 * assert.equal(res.status, 201)
 */
export async function inject(
  plug: PlugSpec,
  request: InjectRequest | string = {},
  options: ServeOptions = {},
): Promise<InjectResponse> {
  const req = typeof request === 'string' ? { url: request } : request
  const method = (req.method ?? 'GET').toUpperCase()
  const { headers, body } = await encodeBody(req)
  const adapter = new TestAdapter(method, body, req)
  const conn = new Conn(adapter, { method, url: req.url ?? '/', headers })
  await serve(bindPlug(plug), conn, options)
  return adapter.response(conn)
}

async function encodeBody(
  req: InjectRequest,
): Promise<{ headers: Record<string, string>; body: Readable }> {
  const headers: Record<string, string> = { host: 'localhost' }
  for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value
  if (req.cookies) {
    headers.cookie = Object.entries(req.cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ')
  }
  const { body, json } = req
  if (body instanceof Readable) return { headers, body }
  let bytes: Uint8Array | undefined
  if (json !== undefined) {
    bytes = Buffer.from(JSON.stringify(json))
    headers['content-type'] ??= 'application/json'
  } else if (body instanceof URLSearchParams || body instanceof FormData) {
    const encoded = new Request('http://localhost/', { method: 'POST', body })
    bytes = Buffer.from(await encoded.arrayBuffer())
    headers['content-type'] ??= encoded.headers.get('content-type') ?? ''
  } else if (body !== undefined) {
    bytes = typeof body === 'string' ? Buffer.from(body) : body
  }
  if (bytes !== undefined) headers['content-length'] ??= String(bytes.byteLength)
  return { headers, body: Readable.from(bytes && bytes.byteLength > 0 ? [Buffer.from(bytes)] : []) }
}

class TestAdapter implements ConnAdapter {
  readonly body: Readable
  readonly remoteAddress: string
  readonly scheme: 'http' | 'https'
  readonly localPort = 80
  readonly #method: string
  #status = 0
  #headers: HeaderList = []
  #chunks: Buffer[] = []

  constructor(method: string, body: Readable, req: InjectRequest) {
    this.#method = method
    this.body = body
    this.remoteAddress = req.remoteAddress ?? '127.0.0.1'
    this.scheme = req.scheme ?? 'http'
  }

  sendResp(status: number, headers: HeaderList, body: string | Uint8Array): void {
    this.#head(status, headers)
    this.#write(body)
  }

  async sendFile(
    status: number,
    headers: HeaderList,
    path: string,
    offset: number,
    length: number | undefined,
  ): Promise<void> {
    const file = await open(path, 'r')
    try {
      const size = length ?? (await file.stat()).size - offset
      const buffer = Buffer.alloc(Math.max(size, 0))
      await file.read(buffer, 0, buffer.length, offset)
      headers.push('content-length', String(buffer.length))
      this.#head(status, headers)
      this.#write(buffer)
    } finally {
      await file.close()
    }
  }

  sendChunked(status: number, headers: HeaderList): void {
    this.#head(status, headers)
  }

  async chunk(data: string | Uint8Array): Promise<void> {
    this.#write(data)
  }

  finishChunked(): void {}

  response(conn: Conn): InjectResponse {
    const headers = new Headers()
    const cookies: Record<string, SetCookie> = {}
    const list = this.#headers
    for (let i = 0; i < list.length; i += 2) {
      const name = list[i] as string
      const value = list[i + 1] as string
      headers.append(name, value)
      if (name === 'set-cookie') {
        const cookie = parseSetCookie(value)
        cookies[cookie.name] = cookie
      }
    }
    const body = Buffer.concat(this.#chunks)
    const text = body.toString('utf8')
    return {
      status: this.#status,
      headers,
      body,
      text,
      json: () => JSON.parse(text),
      cookies,
      conn,
    }
  }

  #head(status: number, headers: HeaderList): void {
    this.#status = status
    this.#headers = headers
  }

  #write(data: string | Uint8Array): void {
    if (this.#method !== 'HEAD') this.#chunks.push(Buffer.from(data))
  }
}
