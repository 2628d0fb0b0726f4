/**
 * The Node `http` adapter: `createHandler(plug)` gives a request listener for
 * `http.createServer` (or the Endpoint's server). Upgrade requests never reach
 * it: Node emits them as `upgrade` events, which the Endpoint handles.
 */

import { once } from 'node:events'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipeline as pipeStreams } from 'node:stream/promises'
import type { TLSSocket } from 'node:tls'
import { endpointRequest } from '../telemetry/index.ts'
import type { ConnAdapter, HeaderList } from './adapter.ts'
import { Conn } from './conn.ts'
import { type BoundPlug, bindPlug, type PlugSpec } from './plug.ts'
import { type ServeOptions, serve } from './serve.ts'

/** A request listener running `plug` for each request. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void

/**
 * Wraps a plug (usually an Endpoint or a Router) as a listener for `http.createServer`.
 *
 * @example
 * const server = http.createServer(createHandler(router.plug, { debugErrors: true }))
 * server.listen(4000)
 */
export function createHandler(plug: PlugSpec, options: ServeOptions = {}): RequestListener {
  const bound = bindPlug(plug)
  return (req, res) => {
    const conn = new Conn(new NodeAdapter(req, res), {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
    })
    const served = endpointRequest.hasSubscribers
      ? tracedServe(bound, conn, options)
      : serve(bound, conn, options)
    if (served instanceof Promise) served.catch(() => res.destroy())
  }
}

/** `serve` as the `cinder:endpoint:request` span. */
function tracedServe(plug: BoundPlug, conn: Conn, options: ServeOptions): Conn | Promise<Conn> {
  const context = { method: conn.method, path: conn.requestPath, conn }
  return endpointRequest.trace(
    context,
    () => serve(plug, conn, options),
    (ctx, done) => {
      if (done.status !== null) ctx.status = done.status
    },
  )
}

class NodeAdapter implements ConnAdapter {
  readonly body: IncomingMessage
  readonly scheme: 'http' | 'https'
  readonly #res: ServerResponse

  constructor(req: IncomingMessage, res: ServerResponse) {
    this.body = req
    this.#res = res
    this.scheme = (req.socket as Partial<TLSSocket>).encrypted === true ? 'https' : 'http'
  }

  // Asked of the socket only when a plug wants them: each is a call into libuv.
  get remoteAddress(): string {
    return this.body.socket.remoteAddress ?? ''
  }

  get localPort(): number {
    return this.body.socket.localPort ?? 0
  }

  sendResp(status: number, headers: HeaderList, body: string | Uint8Array): void {
    if (!hasHeader(headers, 'content-length'))
      headers.push('content-length', String(byteLength(body)))
    this.#writeHead(status, headers)
    this.#res.end(body)
  }

  async sendFile(
    status: number,
    headers: HeaderList,
    path: string,
    offset: number,
    length: number | undefined,
  ): Promise<void> {
    const size = length ?? (await stat(path)).size - offset
    headers.push('content-length', String(size))
    this.#writeHead(status, headers)
    if (size <= 0 || this.body.method === 'HEAD') {
      this.#res.end()
      return
    }
    await pipeStreams(createReadStream(path, { start: offset, end: offset + size - 1 }), this.#res)
  }

  sendChunked(status: number, headers: HeaderList): void {
    this.#writeHead(status, headers)
  }

  async chunk(data: string | Uint8Array): Promise<void> {
    const res = this.#res
    if (res.destroyed) return
    if (!res.write(data)) await Promise.race([once(res, 'drain'), once(res, 'close')])
  }

  finishChunked(): void {
    this.#res.end()
  }

  /** Writes the head; on invalid header values answers a bare 500 so the client is not left hanging. */
  #writeHead(status: number, headers: HeaderList): void {
    try {
      this.#res.writeHead(status, headers)
    } catch (error) {
      if (!this.#res.headersSent) this.#res.writeHead(500, ['content-length', '0']).end()
      throw error
    }
  }
}

function hasHeader(headers: HeaderList, name: string): boolean {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return true
  return false
}

function byteLength(body: string | Uint8Array): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength
}
