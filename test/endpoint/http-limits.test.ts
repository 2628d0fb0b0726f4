// The endpoint's `http` option reaches its server: the limits are on by
// default, shrunk ones close an idle connection, and a WebSocket upgraded on
// the same server outlives every HTTP timeout.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { describe, test } from 'node:test'
import { WebSocket } from 'ws'
import {
  channel,
  createEndpoint,
  defineSocket,
  ok,
  Router,
  reply,
  setLogger,
  text,
} from '../../src/index.ts'

setLogger({ info() {}, warn() {}, error() {} })

const SECRET = 'endpoint-http-limits-secret-key-base-0123456789-0123456789-012345'
const silent = { info() {}, warn() {}, error() {} }

const EchoSocket = defineSocket({
  channels: [
    channel('room:*', {
      join: (_t, _p, socket) => ok(socket),
      handleIn: (_event, payload, socket) => reply(['ok', payload], socket),
    }),
  ],
})

/** Sends a channel message and resolves with its reply's payload. */
function roundTrip(ws: WebSocket, frame: unknown[]): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const reply = JSON.parse(String(data)) as unknown[]
      if (reply[1] !== frame[1]) return
      ws.off('message', onMessage)
      resolve(reply[4])
    }
    ws.on('message', onMessage)
    ws.send(JSON.stringify(frame))
  })
}

describe('the endpoint HTTP limits', () => {
  test('on by default; the http option sets them, and an idle connection is closed with a 408', async (t) => {
    const router = new Router().get('/', (conn) => text(conn, 'hi'))
    const defaults = createEndpoint({ port: 0, secretKeyBase: SECRET, logger: silent, router })
    await defaults.start()
    t.after(() => defaults.stop())
    assert.equal(defaults.server.headersTimeout, 5_000)
    assert.equal(defaults.server.requestTimeout, 60_000)

    const endpoint = createEndpoint({
      port: 0,
      secretKeyBase: SECRET,
      logger: silent,
      router,
      http: { headersTimeout: 300, connectionsCheckingInterval: 50 },
    })
    await endpoint.start()
    t.after(() => endpoint.stop())
    const socket = connect(endpoint.port, '127.0.0.1')
    socket.on('error', () => {})
    let data = ''
    socket.on('data', (chunk) => {
      data += String(chunk)
    })
    const started = performance.now()
    await once(socket, 'close')
    const after = performance.now() - started
    assert.ok(after >= 250 && after < 2_000, `closed after ${after} ms`)
    assert.match(data, /^HTTP\/1\.1 408 /)
  })

  test('invalid limits fail start() with CINDER_ERR_HTTP_OPTIONS', async () => {
    const endpoint = createEndpoint({
      port: 0,
      secretKeyBase: SECRET,
      logger: silent,
      http: { keepAliveTimeout: 1.5 },
    })
    await assert.rejects(endpoint.start(), { code: 'CINDER_ERR_HTTP_OPTIONS' })
  })

  test('a WebSocket outlives every HTTP timeout of its server', async (t) => {
    const endpoint = createEndpoint({
      port: 0,
      secretKeyBase: SECRET,
      logger: silent,
      http: {
        headersTimeout: 100,
        requestTimeout: 200,
        keepAliveTimeout: 100,
        connectionsCheckingInterval: 50,
      },
      sockets: [{ path: '/socket', socket: EchoSocket, websocket: { checkOrigin: false } }],
    })
    await endpoint.start()
    t.after(() => endpoint.stop())
    const ws = new WebSocket(`ws://127.0.0.1:${endpoint.port}/socket/websocket?vsn=2.0.0`)
    await once(ws, 'open')
    let closed = false
    ws.on('close', () => {
      closed = true
    })
    assert.deepEqual(await roundTrip(ws, ['1', '1', 'room:a', 'phx_join', {}]), {
      status: 'ok',
      response: {},
    })
    // Silent for several times every HTTP timeout and check interval.
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    assert.equal(closed, false)
    assert.deepEqual(await roundTrip(ws, ['1', '2', 'room:a', 'ping', { n: 1 }]), {
      status: 'ok',
      response: { n: 1 },
    })
    ws.close()
  })
})
