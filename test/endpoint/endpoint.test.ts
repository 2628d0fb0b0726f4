// The Endpoint over real HTTP and WebSockets: the plug pipeline (static,
// session, router, 404, the error page in development and production), its
// configuration, its supervision tree, and the graceful shutdown.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { WebSocket } from 'ws'
import {
  channel,
  connectionPids,
  createEndpoint,
  defineSocket,
  exit,
  fetchSession,
  getSession,
  isAlive,
  json,
  type Logger,
  ok,
  putSession,
  Router,
  reply,
  type SupervisedEndpoint,
  setClock,
  setLogger,
  TestClock,
  text,
  whichChildren,
} from '../../src/extend.ts'

setLogger({ info() {}, warn() {}, error() {} })

const SECRET = 'endpoint-test-secret-key-base-0123456789-0123456789-0123456789-abc'

function quiet(): Logger & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  }
}

const EchoSocket = defineSocket({
  channels: [
    channel('room:*', {
      join: (_t, _p, socket) => ok(socket),
      handleIn: (_event, payload, socket) => reply(['ok', payload], socket),
    }),
  ],
})

/** A raw V2 client: resolves once the join is answered. */
async function joinedClient(port: number, topic = 'room:a') {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket/websocket?vsn=2.0.0`)
  const closed = new Promise<{ code: number; at: number }>((resolve) =>
    ws.on('close', (code) => resolve({ code, at: performance.now() })),
  )
  ws.on('error', () => {})
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  const replied = new Promise((resolve) => ws.once('message', resolve))
  ws.send(JSON.stringify(['1', '1', topic, 'phx_join', {}]))
  await replied
  return { ws, closed }
}

function ping(ws: WebSocket, ref: string): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const frame = JSON.parse(String(data)) as unknown[]
      if (frame[1] !== ref) return
      ws.off('message', onMessage)
      resolve(frame[4])
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify(['1', ref, 'room:a', 'ping', { ref }]))
  })
}

describe('the endpoint plug over real HTTP', () => {
  let dir: string
  const make = async (debugErrors: boolean) => {
    const router = new Router({ name: 'TestRouter' })
      .get('/hello', (conn) => json(conn, { hello: 'world' }))
      .get('/count', (conn) => {
        const seen = Number(getSession(fetchSession(conn), 'seen') ?? 0) + 1
        return text(putSession(conn, 'seen', seen), `seen ${seen}`)
      })
      .post('/echo', (conn, params) => json(conn, { params }))
      .get('/boom', () => {
        throw new Error('kaboom <script>')
      })
    const logger = quiet()
    const endpoint = createEndpoint({
      port: 0,
      secretKeyBase: SECRET,
      logger,
      debugErrors,
      static: { at: '/', from: dir, only: ['robots.txt'] },
      session: { key: '_test_key', signingSalt: 'test-salt' },
      router,
    })
    await endpoint.start()
    return { endpoint, logger, url: `http://127.0.0.1:${endpoint.port}` }
  }
  let dev: Awaited<ReturnType<typeof make>>
  let prod: Awaited<ReturnType<typeof make>>
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cinder-endpoint-'))
    await writeFile(join(dir, 'robots.txt'), 'User-agent: *\n')
    dev = await make(true)
    prod = await make(false)
  })
  after(async () => {
    await dev.endpoint.stop()
    await prod.endpoint.stop()
    await rm(dir, { recursive: true, force: true })
  })

  test('static files come first, with caching headers, before the router', async () => {
    const res = await fetch(`${dev.url}/robots.txt`)
    assert.equal(res.status, 200)
    assert.equal(await res.text(), 'User-agent: *\n')
    assert.ok(res.headers.get('etag'))
    const again = await fetch(`${dev.url}/robots.txt`, {
      headers: { 'if-none-match': res.headers.get('etag') ?? '' },
    })
    assert.equal(again.status, 304)
  })

  test('the router answers, with a request id and one log line per request', async () => {
    const res = await fetch(`${dev.url}/hello`)
    assert.equal(res.status, 200)
    assert.deepEqual(await res.json(), { hello: 'world' })
    const id = res.headers.get('x-request-id')
    assert.ok(id !== null && id.length >= 20)
    assert.ok(dev.logger.lines.some((l) => l.startsWith('info: GET /hello 200') && l.includes(id)))
  })

  test('the parsers and method override run before the router', async () => {
    const res = await fetch(`${dev.url}/echo?q=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ada' }),
    })
    assert.deepEqual(await res.json(), { params: { q: '1', name: 'ada' } })
  })

  test('the session is signed with the endpoint secret; a tampered cookie reads as empty', async () => {
    const first = await fetch(`${dev.url}/count`)
    assert.equal(await first.text(), 'seen 1')
    const cookie = (first.headers.get('set-cookie') ?? '').split(';', 1)[0] ?? ''
    assert.match(cookie, /^_test_key=/)
    const second = await fetch(`${dev.url}/count`, { headers: { cookie } })
    assert.equal(await second.text(), 'seen 2')
    const forged = `${cookie.slice(0, -3)}xyz`
    const third = await fetch(`${dev.url}/count`, { headers: { cookie: forged } })
    assert.equal(await third.text(), 'seen 1')
  })

  test('no route is a 404', async () => {
    const res = await fetch(`${prod.url}/nope`)
    assert.equal(res.status, 404)
    assert.doesNotMatch(await res.text(), /TestRouter/)
  })

  test('an exception is a debug page in development, a plain page in production, logged once', async () => {
    const debug = await fetch(`${dev.url}/boom`)
    assert.equal(debug.status, 500)
    const page = await debug.text()
    assert.match(page, /kaboom &lt;script&gt;/)
    assert.match(page, /<h2>Stack<\/h2>/)
    assert.doesNotMatch(page, /<script>/)
    const plain = await fetch(`${prod.url}/boom`)
    assert.equal(plain.status, 500)
    const body = await plain.text()
    assert.match(body, /Internal Server Error/)
    assert.doesNotMatch(body, /kaboom/)
    const logged = prod.logger.lines.filter((l) => l.includes('kaboom'))
    assert.equal(logged.length, 1)
    assert.match(logged[0] ?? '', /^error: GET \/boom failed: Error: kaboom/)
  })
})

describe('configuration', () => {
  test('secretKeyBase: required in production, generated with a warning in development, checked', () => {
    const saved = { env: process.env.NODE_ENV, secret: process.env.SECRET_KEY_BASE }
    delete process.env.SECRET_KEY_BASE
    try {
      process.env.NODE_ENV = 'production'
      assert.throws(() => createEndpoint({ logger: quiet() }), {
        code: 'CINDER_ERR_ENDPOINT_OPTIONS',
        message: /secretKeyBase is required in production/,
      })
      assert.equal(createEndpoint({ secretKeyBase: SECRET, logger: quiet() }).secretKeyBase, SECRET)
      process.env.NODE_ENV = 'development'
      const logger = quiet()
      const generated = createEndpoint({ logger })
      assert.ok(Buffer.byteLength(generated.secretKeyBase) >= 64)
      assert.notEqual(createEndpoint({ logger: quiet() }).secretKeyBase, generated.secretKeyBase)
      assert.ok(logger.lines.some((l) => l.startsWith('warn: no secretKeyBase was configured')))
      assert.throws(() => createEndpoint({ secretKeyBase: 'short', logger: quiet() }), {
        code: 'CINDER_ERR_ENDPOINT_OPTIONS',
        message: /at least 64 bytes .*; got: 5 bytes/,
      })
    } finally {
      if (saved.env === undefined) delete process.env.NODE_ENV
      else process.env.NODE_ENV = saved.env
      if (saved.secret !== undefined) process.env.SECRET_KEY_BASE = saved.secret
    }
  })

  test('url defaults, and bad options are refused with what came', () => {
    const endpoint = createEndpoint({ secretKeyBase: SECRET, logger: quiet() })
    assert.deepEqual(endpoint.url, { host: 'localhost', scheme: 'http', port: 80, path: '/' })
    assert.throws(
      () => createEndpoint({ secretKeyBase: SECRET, handler: () => {}, router: new Router() }),
      { code: 'CINDER_ERR_ENDPOINT_OPTIONS' },
    )
    assert.throws(() => createEndpoint({ secretKeyBase: SECRET, drainer: { batchSize: 0 } }), {
      code: 'CINDER_ERR_ENDPOINT_OPTIONS',
      message: /drainer.batchSize must be a positive integer; got: 0/,
    })
  })
})

test('a port in use fails start() with the listen error itself', async () => {
  const taken = createEndpoint({ port: 0, secretKeyBase: SECRET, logger: quiet() })
  await taken.start()
  const second = createEndpoint({ port: taken.port, secretKeyBase: SECRET, logger: quiet() })
  await assert.rejects(second.start(), { code: 'EADDRINUSE' })
  await taken.stop()
})

describe('supervision', () => {
  let endpoint: SupervisedEndpoint
  before(async () => {
    endpoint = createEndpoint({
      port: 0,
      secretKeyBase: SECRET,
      logger: quiet(),
      sockets: [{ path: '/socket', socket: EchoSocket, websocket: { checkOrigin: false } }],
    })
    await endpoint.start()
  })
  after(() => endpoint.stop())

  test('the tree: pubsub, socket supervisor, http, drainer, in that order', async () => {
    const children = await whichChildren(endpoint.supervisor)
    assert.deepEqual(
      children.map((c) => c.id),
      ['pubsub', 'socket:/socket', 'http', 'drainer'],
    )
    assert.ok(children.every((c) => c.pid !== undefined && isAlive(c.pid)))
    assert.equal(children[1]?.pid, endpoint.socketSupervisor('/socket'))
  })

  test('killing one connection process closes that socket (1011) and touches no other', async () => {
    const a = await joinedClient(endpoint.port)
    const b = await joinedClient(endpoint.port)
    const sup = endpoint.socketSupervisor('/socket')
    const before = await connectionPids(sup)
    assert.equal(before.length, 2)
    const [victim, survivor] = before as [
      NonNullable<(typeof before)[0]>,
      NonNullable<(typeof before)[0]>,
    ]
    exit(victim, 'kill')
    const closes = await Promise.race([
      Promise.all([a.closed, b.closed]).then(() => 'both'),
      Promise.race([a.closed, b.closed]),
    ])
    assert.notEqual(closes, 'both')
    assert.equal((closes as { code: number }).code, 1011)
    // Exactly one client is still open and its channel still answers.
    const open = [a, b].filter((c) => c.ws.readyState === WebSocket.OPEN)
    assert.equal(open.length, 1)
    assert.deepEqual(await ping((open[0] as { ws: WebSocket }).ws, '9'), {
      status: 'ok',
      response: { ref: '9' },
    })
    assert.deepEqual(await connectionPids(sup), [survivor])
    assert.ok(isAlive(sup))
    for (const c of open) c.ws.close()
  })
})

describe('graceful shutdown', () => {
  test('stop accepts nothing new and closes every socket with 1012, in batches', async () => {
    const endpoint = createEndpoint({
      port: 0,
      secretKeyBase: SECRET,
      logger: quiet(),
      drainer: { batchSize: 2, batchInterval: 150, shutdown: 5000 },
      sockets: [{ path: '/socket', socket: EchoSocket, websocket: { checkOrigin: false } }],
    })
    await endpoint.start()
    const clients = []
    for (let i = 0; i < 5; i++) clients.push(await joinedClient(endpoint.port))
    const started = performance.now()
    const stopped = endpoint.stop()
    const closes = await Promise.all(clients.map((c) => c.closed))
    await stopped
    assert.deepEqual(
      closes.map((c) => c.code),
      [1012, 1012, 1012, 1012, 1012],
    )
    const times = closes.map((c) => c.at - started).sort((x, y) => x - y)
    // Three rounds (2 + 2 + 1), 150 ms apart.
    assert.ok((times[1] ?? 0) < 100, `first round at ${times.slice(0, 2)}`)
    assert.ok(
      (times[2] ?? 0) >= 130 && (times[3] ?? 0) < 250,
      `second round at ${times.slice(2, 4)}`,
    )
    assert.ok((times[4] ?? 0) >= 280, `third round at ${times[4]}`)
    assert.equal(endpoint.server.listening, false)
    await assert.rejects(fetch(`http://127.0.0.1:${endpoint.port}/`))
  })
})

describe('idle sweep on the runtime clock', () => {
  test('a silent WebSocket is closed with 1001 when the injected clock passes the idle timeout', async (t) => {
    const clock = new TestClock()
    const restore = setClock(clock)
    t.after(restore)
    const endpoint = createEndpoint({
      port: 0,
      secretKeyBase: SECRET,
      logger: quiet(),
      sockets: [
        {
          path: '/socket',
          socket: EchoSocket,
          websocket: { checkOrigin: false, idleTimeout: 60_000 },
        },
      ],
    })
    await endpoint.start()
    t.after(() => endpoint.stop())
    const silent = await joinedClient(endpoint.port)
    const chatty = await joinedClient(endpoint.port, 'room:b')
    let closed: number | undefined
    void silent.closed.then((c) => {
      closed = c.code
    })
    for (let elapsed = 0; elapsed < 75_000; elapsed += 15_000) {
      chatty.ws.send(JSON.stringify([null, String(elapsed), 'phoenix', 'heartbeat', {}]))
      await new Promise((resolve) => setTimeout(resolve, 20))
      clock.advance(15_000)
    }
    assert.equal((await silent.closed).code, 1001)
    assert.equal(closed, 1001)
    assert.equal(chatty.ws.readyState, WebSocket.OPEN)
    chatty.ws.close()
  })
})
