/**
 * The servers of the HTTP benchmark, one per process: each answers
 * `GET /hello` with `{"hello":"world"}` (the browser pipeline with a small
 * HTML page holding a CSRF token) and nothing else of interest.
 *
 *   raw            bare `node:http`: the floor
 *   raw-headers    bare `node:http` sending the two headers every Phoenix (and
 *                  Cinder) response carries: `cache-control` and a fresh
 *                  `x-request-id`. Not a goal's floor: it shows how much of
 *                  the gap to raw is Node writing those headers
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
import { randomBytes } from 'node:crypto'
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

export type HttpServerKind = 'raw' | 'raw-headers' | 'fastify' | 'cinder-api' | 'cinder-browser'

const HELLO = { hello: 'world' }

/** Request ids shaped like Cinder's: a random per-process prefix and a base-36 counter, 20 characters. */
function requestIds(): () => string {
  const prefix = randomBytes(10).toString('base64url').slice(0, 14)
  let counter = 36 ** 5
  return () => prefix + (counter++).toString(36)
}

function startRaw(port: number, phoenixHeaders: boolean): Promise<RunningServer> {
  const nextId = requestIds()
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/hello') {
      const body = JSON.stringify(HELLO)
      const headers: Record<string, string | number> = {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      }
      if (phoenixHeaders) {
        headers['cache-control'] = 'max-age=0, private, must-revalidate'
        headers['x-request-id'] = nextId()
      }
      res.writeHead(200, headers)
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
      return startRaw(port, false)
    case 'raw-headers':
      return startRaw(port, true)
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
