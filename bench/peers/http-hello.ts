/**
 * The servers of the HTTP benchmark, one per process: each answers
 * `GET /hello` with `{"hello":"world"}` (the browser pipeline with a small
 * HTML page holding a CSRF token) and nothing else of interest.
 *
 *   raw            bare `node:http`: the floor
 *   fastify        Fastify with one route, no plugins
 *   cinder-api     a Cinder Endpoint (request id, parsers, method override,
 *                  router) with the route in an `:api`-like pipeline
 *   cinder-browser the same Endpoint with a cookie session and the route in
 *                  a `:browser`-like pipeline: accepts html, fetch session,
 *                  fetch flash, CSRF protection, secure browser headers; the
 *                  page embeds `getCsrfToken(conn)`
 *
 * No server logs a line per request (Fastify's default; Cinder's request log
 * is turned off), so the terminal is not what is measured.
 *
 *   node --import tsx bench/peers/http-hello.ts --kind cinder-api --port 4000
 */
import { createServer } from 'node:http'
import { parseArgs } from 'node:util'
import {
  accepts,
  createEndpoint,
  fetchFlash,
  fetchSession,
  getCsrfToken,
  json,
  protectFromForgery,
  putSecureBrowserHeaders,
  Router,
  sendHtml,
} from '../../src/index.ts'
import { requireBenchDependency } from './bench-package.ts'
import { type RunningServer, serve } from './control.ts'

export type HttpServerKind = 'raw' | 'fastify' | 'cinder-api' | 'cinder-browser'

const HELLO = { hello: 'world' }

function startRaw(port: number): Promise<RunningServer> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/hello') {
      const body = JSON.stringify(HELLO)
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      })
      res.end(body)
    } else {
      res.writeHead(404).end()
    }
  })
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : port,
        stop: () => new Promise((done) => server.close(() => done())),
      })
    })
  })
}

/** The little of Fastify this script uses. */
interface FastifyApp {
  get(path: string, handler: () => Promise<unknown>): void
  listen(options: { port: number; host: string }): Promise<string>
  close(): Promise<void>
}

async function startFastify(port: number): Promise<RunningServer> {
  const fastify = requireBenchDependency('fastify') as (options: object) => FastifyApp
  const app = fastify({ logger: false })
  app.get('/hello', async () => HELLO)
  const address = await app.listen({ port, host: '127.0.0.1' })
  return { port: Number(new URL(address).port), stop: () => app.close() }
}

function page(csrfToken: string): string {
  return `<!DOCTYPE html><html><head><meta name="csrf-token" content="${csrfToken}"><title>Hello</title></head><body><h1>Hello, world</h1></body></html>`
}

async function startCinder(port: number, browser: boolean): Promise<RunningServer> {
  const router = new Router({ name: 'HelloRouter' })
    .pipeline('api', [accepts(['json'])])
    .pipeline('browser', [
      accepts(['html']),
      fetchSession,
      fetchFlash,
      protectFromForgery(),
      putSecureBrowserHeaders(),
    ])
  router.scope('/', { pipeThrough: [browser ? 'browser' : 'api'] }, (r) => {
    if (browser) r.get('/hello', (conn) => sendHtml(conn, page(getCsrfToken(conn))))
    else r.get('/hello', (conn) => json(conn, HELLO))
  })
  const endpoint = createEndpoint({
    port,
    host: '127.0.0.1',
    secretKeyBase: 'bench-secret-key-base-'.repeat(4),
    requestLog: false,
    debugErrors: false,
    ...(browser ? { session: { key: '_hello_key', signingSalt: 'Hb7s9Qe2' } } : {}),
    router,
  })
  await endpoint.start()
  return { port: endpoint.port, stop: () => endpoint.stop() }
}

/** Starts the server of `kind` on 127.0.0.1. */
export function startHttpServer(kind: HttpServerKind, port: number): Promise<RunningServer> {
  switch (kind) {
    case 'raw':
      return startRaw(port)
    case 'fastify':
      return startFastify(port)
    case 'cinder-api':
      return startCinder(port, false)
    case 'cinder-browser':
      return startCinder(port, true)
  }
}

const entry = process.argv[1]
if (entry !== undefined && /http-hello\.(js|ts)$/.test(entry)) {
  const { values } = parseArgs({
    options: { kind: { type: 'string', default: 'raw' }, port: { type: 'string', default: '0' } },
  })
  void serve((port) => startHttpServer(values.kind as HttpServerKind, port))
}
