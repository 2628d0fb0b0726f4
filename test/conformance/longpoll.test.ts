// LongPoll conformance (protocol notes §5, checklist 7, 35-46): the official
// `phoenix` client over LongPoll in Node (fetch), raw HTTP requests for exact
// bodies, and a poll that lands on another node reaching its session over PubSub.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { WebSocket } from 'ws'
import {
  type ConnectInfo,
  channel,
  createEndpoint,
  createMemoryBus,
  defineSocket,
  ok,
  type PubSub,
  reply,
  type SupervisedEndpoint,
  startPubSub,
} from '../../src/extend.ts'
import {
  delay,
  join,
  nextEvent,
  outcome,
  type PhxSocket,
  quietLogger,
  type Server,
  startServer,
} from './support.ts'

const WINDOW = 300
const SECRET = 'longpoll-test-secret-key-base-0123456789-0123456789-0123456789-xyz'

type SocketCtor = new (
  url: string,
  options?: object,
) => PhxSocket & {
  transport: unknown
  primaryPassedHealthCheck?: boolean
}
const phoenix: string = 'phoenix'
const { Socket, LongPoll } = (await import(phoenix)) as { Socket: SocketCtor; LongPoll: unknown }

interface Body {
  status: number
  token?: string
  messages?: string[]
}

function memoryStorage(): Storage & { items: Map<string, string> } {
  const items = new Map<string, string>()
  return {
    items,
    get length() {
      return items.size
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, String(value)),
  }
}

const opened: PhxSocket[] = []
function lpSocket(url: string, options: object = {}) {
  const socket = new Socket(url, {
    transport: LongPoll,
    sessionStorage: memoryStorage(),
    ...options,
  })
  opened.push(socket)
  return socket
}
async function openLp(url: string, options: object = {}) {
  const socket = lpSocket(url, options)
  const open = new Promise<void>((resolve) => socket.onOpen(resolve))
  socket.connect()
  await open
  return socket
}

async function get(base: string, query = '', headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/longpoll?vsn=2.0.0${query}`, { headers })
  return { res, body: (await res.json()) as Body }
}
async function post(base: string, token: string, lines: string[]) {
  const res = await fetch(`${base}/longpoll?vsn=2.0.0&token=${encodeURIComponent(token)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: lines.join('\n'),
  })
  return (await res.json()) as Body
}
async function openSession(base: string, query = ''): Promise<string> {
  const { body } = await get(base, query)
  assert.equal(body.status, 410)
  assert.equal(typeof body.token, 'string')
  return body.token as string
}
/** Polls until `count` frames have come (each parsed), or fails after a few windows. */
async function collect(base: string, token: string, count: number): Promise<unknown[]> {
  const frames: unknown[] = []
  for (let i = 0; i < 10 && frames.length < count; i++) {
    const { body } = await get(base, `&token=${encodeURIComponent(token)}`)
    assert.ok(body.status === 200 || body.status === 204, `poll answered ${body.status}`)
    for (const message of body.messages ?? []) {
      assert.equal(typeof message, 'string')
      frames.push(JSON.parse(message))
    }
  }
  return frames
}

let server: Server
let base: string

before(async () => {
  server = await startServer({ longpollWindow: WINDOW })
  base = `http://127.0.0.1:${server.port}/socket`
})
after(async () => {
  for (const socket of opened) socket.disconnect()
  await server.stop()
})

describe('sessions and polls', () => {
  test('35: the first GET answers {status:410, token, messages:[]} over HTTP 200; the client opens', async () => {
    const { res, body } = await get(base, '&')
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8')
    assert.equal(res.headers.get('cache-control'), 'no-store')
    assert.equal(res.headers.get('access-control-allow-origin'), '*')
    assert.deepEqual(Object.keys(body).sort(), ['messages', 'status', 'token'])
    assert.equal(body.status, 410)
    assert.deepEqual(body.messages, [])
    assert.match(body.token ?? '', /^[\w.-]+$/)
    const socket = await openLp(server.url)
    assert.equal(socket.isConnected(), true)
  })

  test('36: an idle poll answers {status:204, token, messages:[]} after the window', async () => {
    const token = await openSession(base)
    const started = performance.now()
    const { body } = await get(base, `&token=${encodeURIComponent(token)}`)
    const waited = performance.now() - started
    assert.deepEqual(body, { status: 204, token, messages: [] })
    assert.ok(waited >= WINDOW - 20, `answered after ${waited} ms`)
    assert.ok(waited < WINDOW * 3, `answered after ${waited} ms`)
  })

  test('37: ndjson POST lines are dispatched in order, {status:200}; replies come as strings in the next GET', async () => {
    const token = await openSession(base)
    const answer = await post(base, token, [
      '["1","1","room:lp","phx_join",{}]',
      '["1","2","room:lp","ping",{"n":1}]',
      '["1","3","room:lp","ping",{"n":2}]',
      '[null,"4","phoenix","heartbeat",{}]',
    ])
    assert.deepEqual(answer, { status: 200 })
    const frames = (await collect(base, token, 4)) as [unknown, unknown, string][]
    // A channel's frames keep their order; the heartbeat (answered by the socket
    // process, not the channel's) may come anywhere between them, as in Phoenix.
    assert.deepEqual(
      frames.filter((f) => f[2] === 'room:lp'),
      [
        ['1', '1', 'room:lp', 'phx_reply', { status: 'ok', response: {} }],
        ['1', '2', 'room:lp', 'phx_reply', { status: 'ok', response: { n: 1 } }],
        ['1', '3', 'room:lp', 'phx_reply', { status: 'ok', response: { n: 2 } }],
      ],
    )
    assert.deepEqual(
      frames.filter((f) => f[2] === 'phoenix'),
      [[null, '4', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]],
    )
  })

  test('39: a POST of 101 lines dispatches only the first 100', async () => {
    const token = await openSession(base)
    const lines = Array.from(
      { length: 101 },
      (_, i) => `[null,"${i + 1}","phoenix","heartbeat",{}]`,
    )
    assert.deepEqual(await post(base, token, lines), { status: 200 })
    const frames = (await collect(base, token, 101)) as [unknown, string][]
    assert.equal(frames.length, 100)
    assert.equal(frames[0]?.[1], '1')
    assert.equal(frames[99]?.[1], '100')
  })

  test('40: an unknown token gets 410 on GET and POST; the official client reconnects and rejoins', async () => {
    assert.deepEqual((await get(base, '&token=SFMyNTY.bogus.token')).body, { status: 410 })
    assert.deepEqual(
      await post(base, 'SFMyNTY.bogus.token', ['[null,"1","phoenix","heartbeat",{}]']),
      {
        status: 410,
      },
    )
    const socket = await openLp(server.url, { params: { user: 'lp40' }, rejoinAfterMs: () => 20 })
    const room = await join(socket, 'room:lp40')
    const firstRef = room.joinRef()
    const errored = new Promise((resolve) => socket.onError(resolve))
    // The server ends the session: the held GET (or the next) gets 410.
    server.endpoint.broadcast('user_socket:lp40', 'disconnect', {})
    assert.equal(await errored, 410)
    for (let i = 0; i < 100 && (room.state !== 'joined' || room.joinRef() === firstRef); i++) {
      await delay(20)
    }
    assert.equal(room.state, 'joined')
    assert.notEqual(room.joinRef(), firstRef)
    assert.equal((await outcome(room.push('ping', { after: 'rejoin' })))[0], 'ok')
  })

  test('41: a session not polled for 1.5 windows is gone (410)', async () => {
    const token = await openSession(base)
    const kept = await openSession(base)
    // Keep one session polled, leave the other alone.
    const polling = get(base, `&token=${encodeURIComponent(kept)}`)
    await delay(WINDOW * 2.2)
    assert.deepEqual((await get(base, `&token=${encodeURIComponent(token)}`)).body, { status: 410 })
    assert.equal((await polling).body.status, 204)
    const again = await get(base, `&token=${encodeURIComponent(kept)}`)
    assert.equal(again.body.status, 204, 'a session polled within the window lives on')
  })

  test('42: a refused connect answers {status:403}; the client errors and retries', async () => {
    assert.deepEqual((await get(base, '&reject=1')).body, { status: 403 })
    const socket = lpSocket(server.url, {
      params: { reject: '1' },
      reconnectAfterMs: () => 20,
    })
    const errors: unknown[] = []
    const twice = new Promise<void>((resolve) =>
      socket.onError((error) => {
        errors.push(error)
        if (errors.length === 2) resolve()
      }),
    )
    socket.connect()
    await twice
    socket.disconnect()
    assert.deepEqual(errors, [403, 403])
    assert.equal(socket.isConnected(), false)
  })

  test('43: OPTIONS preflight: 200, allow-origin *, echoed allow-headers, methods', async () => {
    const res = await fetch(`${base}/longpoll`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://elsewhere.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-phoenix-authtoken',
      },
    })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('access-control-allow-origin'), '*')
    assert.equal(
      res.headers.get('access-control-allow-headers'),
      'content-type,x-phoenix-authtoken',
    )
    assert.equal(res.headers.get('access-control-allow-methods'), 'get, post, options')
    assert.equal(res.headers.get('access-control-max-age'), '3600')
  })

  test('44: the token is accepted in the query and in the x-phoenix-longpoll-token header', async () => {
    const token = await openSession(base)
    assert.deepEqual(await post(base, token, ['[null,"7","phoenix","heartbeat",{}]']), {
      status: 200,
    })
    const { body } = await get(base, '', { 'x-phoenix-longpoll-token': token })
    assert.equal(body.status, 200)
    assert.deepEqual(
      (body.messages ?? []).map((m) => JSON.parse(m)),
      [[null, '7', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]],
    )
    // The header wins over a stale query token.
    const both = await get(base, '&token=stale', { 'x-phoenix-longpoll-token': token })
    assert.equal(both.body.status, 204)
  })

  test('the official client joins, pushes, receives broadcasts and replies over LongPoll', async () => {
    const a = await openLp(server.url)
    const b = await openLp(server.url)
    const roomA = await join(a, 'room:lp-chat')
    const roomB = await join(b, 'room:lp-chat')
    const [status, response] = await outcome(roomA.push('ping', { hello: 'lp' }))
    assert.deepEqual([status, response], ['ok', { hello: 'lp' }])
    const got = nextEvent(roomB, 'msg')
    const mine = nextEvent(roomA, 'msg')
    await outcome(roomA.push('broadcast', { body: 'to all' }))
    assert.deepEqual(await got, { body: 'to all' })
    assert.deepEqual(await mine, { body: 'to all' })
  })
})

describe('a socket of its own: auth token, binary lines, fallback', () => {
  let endpoint: SupervisedEndpoint
  let url: string
  const connects: ConnectInfo[] = []
  before(async () => {
    const TestSocket = defineSocket({
      channels: [
        channel('bin:*', {
          join: (_topic, _params, socket) => ok(socket),
          handleIn: (event, payload, socket) =>
            reply(
              [
                'ok',
                {
                  event,
                  binary: payload instanceof Uint8Array,
                  bytes: payload instanceof Uint8Array ? [...payload] : [],
                },
              ],
              socket,
            ),
        }),
      ],
      connect(_params, socket, info) {
        connects.push(info)
        return socket
      },
    })
    endpoint = createEndpoint({
      port: 0,
      secretKeyBase: SECRET,
      logger: quietLogger(),
      sockets: [
        {
          path: '/socket',
          socket: TestSocket,
          websocket: false,
          longpoll: { window: WINDOW, checkOrigin: false },
        },
      ],
    })
    await endpoint.start()
    url = `ws://127.0.0.1:${endpoint.port}/socket`
  })
  after(() => endpoint.stop())

  test('7: with authToken, the first GET carries X-Phoenix-AuthToken and connect sees it', async () => {
    connects.length = 0
    await openLp(url, { authToken: 's3cr3t' })
    assert.equal(connects.length, 1)
    assert.equal(connects[0]?.transport, 'longpoll')
    assert.equal(connects[0]?.authToken, 's3cr3t')
    assert.equal(connects[0]?.headers['x-phoenix-authtoken'], 's3cr3t')
  })

  test('38: a base64 ndjson line is decoded as a binary kind-0 frame', async () => {
    const lpBase = `http://127.0.0.1:${endpoint.port}/socket`
    const token = await openSession(lpBase)
    // kind 0, join_ref "1", ref "2", topic "bin:x", event "up", payload de ad be ef
    const frame = Buffer.concat([
      Buffer.from([0, 1, 1, 5, 2]),
      Buffer.from('12bin:xup'),
      Buffer.from([0xde, 0xad, 0xbe, 0xef]),
    ])
    const answer = await post(lpBase, token, [
      '["1","1","bin:x","phx_join",{}]',
      frame.toString('base64'),
    ])
    assert.deepEqual(answer, { status: 200 })
    const frames = await collect(lpBase, token, 2)
    assert.deepEqual(frames[1], [
      '1',
      '2',
      'bin:x',
      'phx_reply',
      { status: 'ok', response: { event: 'up', binary: true, bytes: [0xde, 0xad, 0xbe, 0xef] } },
    ])
  })

  test('45: with longPollFallbackMs and WebSocket upgrades refused, the client falls back and remembers it', async () => {
    const storage = memoryStorage()
    const socket = new Socket(url, {
      transport: WebSocket,
      longPollFallbackMs: 2000,
      sessionStorage: storage,
    })
    opened.push(socket)
    const started = performance.now()
    const open = new Promise<void>((resolve) => socket.onOpen(resolve))
    socket.connect()
    await open
    assert.equal(socket.transport, LongPoll)
    assert.ok(performance.now() - started < 1500, 'fell back on the error, not the timer')
    await delay(20)
    assert.equal(storage.items.get('phx:fallback:LongPoll'), 'true')
    const room = socket.channel('bin:fallback', {})
    assert.equal((await outcome(room.join()))[0], 'ok')
  })

  test('46: with a healthy WebSocket, longPollFallbackMs never falls back', async () => {
    const storage = memoryStorage()
    const socket = new Socket(server.url, {
      transport: WebSocket,
      longPollFallbackMs: 600,
      sessionStorage: storage,
    })
    opened.push(socket)
    const open = new Promise<void>((resolve) => socket.onOpen(resolve))
    socket.connect()
    await open
    await delay(900)
    assert.equal(socket.transport, WebSocket)
    assert.equal(socket.primaryPassedHealthCheck, true)
    assert.equal(storage.items.size, 0)
  })
})

describe('no sticky sessions: two nodes sharing one PubSub', () => {
  const bus = createMemoryBus()
  const nodes: { endpoint: SupervisedEndpoint; pubsub: PubSub; base: string }[] = []
  const PongSocket = defineSocket({
    channels: [
      channel('room:*', {
        join: (_t, _p, socket) => ok(socket),
        handleIn: (_event, payload, socket) => reply(['ok', payload], socket),
      }),
    ],
  })
  before(async () => {
    for (const node of ['lp-a', 'lp-b']) {
      const pubsub = await startPubSub({ name: 'lp-cluster', node, adapter: bus.adapter() })
      const endpoint = createEndpoint({
        port: 0,
        pubsub,
        secretKeyBase: SECRET,
        logger: quietLogger(),
        sockets: [{ path: '/socket', socket: PongSocket, longpoll: { window: WINDOW } }],
      })
      await endpoint.start()
      nodes.push({ endpoint, pubsub, base: `http://127.0.0.1:${endpoint.port}/socket` })
    }
  })
  after(async () => {
    for (const { endpoint, pubsub } of nodes) {
      await endpoint.stop()
      await pubsub.stop()
    }
  })

  test('a session opened on node A is reached by POSTs and polls on node B', async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]]
    const token = await openSession(a.base)
    assert.deepEqual(
      await post(b.base, token, [
        '["1","1","room:x","phx_join",{}]',
        '["1","2","room:x","p",{"via":"b"}]',
      ]),
      { status: 200 },
    )
    const fromB = await collect(b.base, token, 2)
    assert.deepEqual(fromB, [
      ['1', '1', 'room:x', 'phx_reply', { status: 'ok', response: {} }],
      ['1', '2', 'room:x', 'phx_reply', { status: 'ok', response: { via: 'b' } }],
    ])
    // A poll held on B ends with 204 after the window, with the session's token.
    const idle = await get(b.base, `&token=${encodeURIComponent(token)}`)
    assert.deepEqual(idle.body, { status: 204, token, messages: [] })
    // And the session still answers on its own node.
    assert.deepEqual(await post(a.base, token, ['["1","3","room:x","p",{"via":"a"}]']), {
      status: 200,
    })
    assert.deepEqual(await collect(a.base, token, 1), [
      ['1', '3', 'room:x', 'phx_reply', { status: 'ok', response: { via: 'a' } }],
    ])
    assert.equal(a.endpoint.server.listening, true)
  })

  test('a token for a node that does not answer gets 410 after the relay timeout', async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]]
    const token = await openSession(a.base)
    bus.cut('lp-a')
    try {
      const started = performance.now()
      assert.deepEqual(await post(b.base, token, ['[null,"1","phoenix","heartbeat",{}]']), {
        status: 410,
      })
      assert.ok(performance.now() - started >= 1900, 'waited the relay timeout (2 s)')
    } finally {
      bus.heal('lp-a')
    }
  })
})
