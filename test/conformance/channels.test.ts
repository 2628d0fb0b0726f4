// The official `phoenix@1.8.16` client drives the conformance server through
// the checklist of docs/protocol/channels.md §9 (items named in each test).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { WebSocket } from 'ws'
import { setLogger } from '../../src/index.ts'
import {
  delay,
  join,
  nextEvent,
  openClient,
  outcome,
  type PhxMessage,
  type PhxSocket,
  type Server,
  Socket,
  startServer,
} from './support.ts'

let server: Server
const clients: PhxSocket[] = []

async function client(options: object = {}): Promise<PhxSocket> {
  const socket = await openClient(server.url, options)
  clients.push(socket)
  return socket
}

before(async () => {
  server = await startServer({ limits: { maxChannels: 3 } })
})

after(async () => {
  for (const socket of clients) socket.disconnect()
  await server.stop()
})

describe('join, replies, leave', () => {
  test('9/10: join frame and ok reply, the reply response reaches receive("ok")', async () => {
    const socket = await client()
    const sent: PhxMessage[] = []
    const received: PhxMessage[] = []
    const channel = socket.channel('room:a', { hello: 1 })
    socket.onMessage((m) => received.push(m))
    const [status, response] = await outcome(channel.join())
    assert.equal(status, 'ok')
    assert.deepEqual(response, {})
    const reply = received.find((m) => m.event === 'phx_reply' && m.topic === 'room:a')
    assert.ok(reply)
    assert.equal(typeof reply.join_ref, 'string')
    assert.equal(reply.join_ref, reply.ref)
    assert.equal(reply.join_ref, channel.joinRef())
    assert.equal(sent.length, 0)
  })

  test('22: reply ok with the payload; unknown event replies error', async () => {
    const channel = await join(await client(), 'room:b')
    assert.deepEqual(await outcome(channel.push('ping', { n: 1, deep: { x: [1, 2] } })), [
      'ok',
      { n: 1, deep: { x: [1, 2] } },
    ])
    assert.deepEqual(await outcome(channel.push('what', {})), [
      'error',
      { reason: 'unknown event what' },
    ])
  })

  test('23: noreply makes the push time out', async () => {
    const channel = await join(await client(), 'room:c')
    assert.equal((await outcome(channel.push('noreply', {}, 150)))[0], 'timeout')
  })

  test('21: a refused join answers error with the reply and the socket stays open', async () => {
    const socket = await client()
    const channel = socket.channel('room:d', { deny: true })
    assert.deepEqual(await outcome(channel.join()), ['error', { reason: 'denied' }])
    channel.leave()
    assert.equal(socket.isConnected(), true)
    const other = await join(socket, 'room:d2')
    assert.equal((await outcome(other.push('ping', {})))[0], 'ok')
  })

  test('20: an unmatched topic answers error "unmatched topic" with a null join_ref', async () => {
    const socket = await client()
    const received: PhxMessage[] = []
    socket.onMessage((m) => received.push(m))
    const channel = socket.channel('nope:1')
    assert.deepEqual(await outcome(channel.join()), ['error', { reason: 'unmatched topic' }])
    channel.leave()
    const reply = received.find((m) => m.topic === 'nope:1')
    assert.equal(reply?.join_ref, null)
    assert.equal(socket.isConnected(), true)
  })

  test('28: leave gets reply ok then phx_close; the channel is gone on the server', async () => {
    const socket = await client()
    const received: PhxMessage[] = []
    socket.onMessage((m) => received.push(m))
    const channel = await join(socket, 'room:e')
    const joinRef = channel.joinRef()
    channel.leave()
    await delay(100)
    const frames = received.filter((m) => m.topic === 'room:e' && m.join_ref === joinRef)
    const events = frames.map((m) =>
      m.event === 'phx_reply' ? `reply:${(m.payload as { status: string }).status}` : m.event,
    )
    assert.deepEqual(events.slice(-2), ['reply:ok', 'phx_close'])
    const close = frames.at(-1)
    assert.equal(close?.ref, joinRef)
  })

  test('29: phx_leave for a topic never joined gets reply ok {}', async () => {
    const raw = await rawPhoenix()
    raw.send(['9', '10', 'room:never', 'phx_leave', {}])
    assert.deepEqual(await raw.next(), [
      '9',
      '10',
      'room:never',
      'phx_reply',
      { status: 'ok', response: {} },
    ])
    raw.ws.close()
  })

  test('31: more than maxChannels joins answers "too many channels joined"', async () => {
    const socket = await client()
    for (const topic of ['room:m1', 'room:m2', 'room:m3']) await join(socket, topic)
    const extra = socket.channel('room:m4')
    assert.deepEqual(await outcome(extra.join()), ['error', { reason: 'too many channels joined' }])
    extra.leave()
  })
})

describe('broadcasts and pushes', () => {
  test('12: broadcast reaches every joined client, sender included, as [null,null,topic,event,payload]', async () => {
    const [a, b] = [await client(), await client()]
    const received: PhxMessage[] = []
    b.onMessage((m) => received.push(m))
    const ca = await join(a, 'room:bc')
    const cb = await join(b, 'room:bc')
    const got = [nextEvent(ca, 'msg'), nextEvent(cb, 'msg')]
    assert.equal((await outcome(ca.push('broadcast', { hi: 1 })))[0], 'ok')
    assert.deepEqual(await Promise.all(got), [{ hi: 1 }, { hi: 1 }])
    const frame = received.find((m) => m.event === 'msg')
    assert.equal(frame?.join_ref, null)
    assert.equal(frame?.ref, null)
  })

  test('13: broadcastFrom skips the sender only', async () => {
    const [a, b] = [await client(), await client()]
    const ca = await join(a, 'room:shout')
    const cb = await join(b, 'room:shout')
    let senderGot = false
    ca.on('msg', () => {
      senderGot = true
    })
    const other = nextEvent(cb, 'msg')
    await outcome(ca.push('shout', { s: 1 }))
    assert.deepEqual(await other, { s: 1 })
    await delay(50)
    assert.equal(senderGot, false)
  })

  test('14: a server push carries the join_ref and a null ref', async () => {
    const socket = await client()
    const received: PhxMessage[] = []
    socket.onMessage((m) => received.push(m))
    const channel = await join(socket, 'room:push')
    const got = nextEvent(channel, 'msg')
    await outcome(channel.push('push', { p: 1 }))
    assert.deepEqual(await got, { p: 1 })
    const frame = received.find((m) => m.event === 'msg')
    assert.equal(frame?.join_ref, channel.joinRef())
    assert.equal(frame?.ref, null)
  })

  test('endpoint.broadcast reaches joined clients', async () => {
    const channel = await join(await client(), 'room:ep')
    const got = nextEvent(channel, 'news')
    server.endpoint.broadcast('room:ep', 'news', { n: 7 })
    assert.deepEqual(await got, { n: 7 })
  })
})

describe('binary frames', () => {
  test('15/16: a binary push is decoded and the binary reply has the exact bytes', async () => {
    const channel = await join(await client(), 'room:bin')
    const bytes = new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0, 255])
    const [status, response] = await outcome(channel.push('ping', bytes.buffer))
    assert.equal(status, 'ok')
    assert.ok(response instanceof ArrayBuffer)
    assert.deepEqual(new Uint8Array(response), bytes)
  })

  test('17: binary server push (kind 0) and binary broadcast (kind 2) arrive as ArrayBuffer', async () => {
    const channel = await join(await client(), 'room:bin2')
    const bytes = new Uint8Array([1, 2, 3])
    const pushed = nextEvent(channel, 'msg')
    await outcome(channel.push('push', bytes.buffer))
    const p = await pushed
    assert.ok(p instanceof ArrayBuffer)
    assert.deepEqual(new Uint8Array(p), bytes)
    const broadcasted = nextEvent(channel, 'msg')
    await outcome(channel.push('broadcast', bytes.buffer))
    const b = await broadcasted
    assert.ok(b instanceof ArrayBuffer)
    assert.deepEqual(new Uint8Array(b), bytes)
  })
})

describe('duplicate join, stale refs, crash and rejoin', () => {
  test('30: a second join of the same topic ends the first; both get ok; the new one keeps working', async () => {
    const raw = await rawPhoenix()
    raw.send(['1', '1', 'room:dup', 'phx_join', {}])
    assert.deepEqual(await raw.next(), [
      '1',
      '1',
      'room:dup',
      'phx_reply',
      { status: 'ok', response: {} },
    ])
    raw.send(['2', '2', 'room:dup', 'phx_join', {}])
    assert.deepEqual(await raw.next(), [
      '2',
      '2',
      'room:dup',
      'phx_reply',
      { status: 'ok', response: {} },
    ])
    assert.deepEqual(await raw.next(), ['1', '1', 'room:dup', 'phx_close', {}])
    raw.send(['2', '3', 'room:dup', 'ping', { a: 1 }])
    assert.deepEqual(await raw.next(), [
      '2',
      '3',
      'room:dup',
      'phx_reply',
      { status: 'ok', response: { a: 1 } },
    ])
    raw.ws.close()
  })

  test('30 (client): two Channel objects on one topic both get ok', async () => {
    const socket = await client()
    const first = socket.channel('room:dup2')
    assert.equal((await outcome(first.join()))[0], 'ok')
    const second = socket.channel('room:dup2')
    assert.equal((await outcome(second.join()))[0], 'ok')
    assert.equal((await outcome(second.push('ping', { z: 1 })))[0], 'ok')
  })

  test('24: a push with a stale join_ref is ignored', async () => {
    const raw = await rawPhoenix()
    raw.send(['5', '5', 'room:stale', 'phx_join', {}])
    await raw.next()
    raw.send(['4', '6', 'room:stale', 'ping', {}])
    raw.send(['5', '7', 'room:stale', 'ping', { ok: true }])
    assert.deepEqual(await raw.next(), [
      '5',
      '7',
      'room:stale',
      'phx_reply',
      { status: 'ok', response: { ok: true } },
    ])
    raw.ws.close()
  })

  test('26: a crash sends phx_error {reason: channel_crash}; the client rejoins; siblings stay up; logged once', async (t) => {
    const crashLines: string[] = []
    const restore = setLogger({ info() {}, warn() {}, error: (line) => crashLines.push(line) })
    t.after(restore)
    const socket = await client({ rejoinAfterMs: () => 50 })
    const received: PhxMessage[] = []
    socket.onMessage((m) => received.push(m))
    const crashing = await join(socket, 'room:crash')
    const sibling = await join(socket, 'room:sibling')
    const firstRef = crashing.joinRef()
    const errored = new Promise((resolve) => crashing.onError(resolve))
    crashing.push('crash', {})
    assert.deepEqual(await errored, { reason: 'channel_crash' })
    const error = received.find((m) => m.event === 'phx_error')
    assert.deepEqual(error, {
      join_ref: firstRef,
      ref: firstRef,
      topic: 'room:crash',
      event: 'phx_error',
      payload: { reason: 'channel_crash' },
    })
    // rejoin with a fresh join_ref
    for (let i = 0; i < 50 && (crashing.state !== 'joined' || crashing.joinRef() === firstRef); i++)
      await delay(20)
    assert.equal(crashing.state, 'joined')
    assert.notEqual(crashing.joinRef(), firstRef)
    assert.equal((await outcome(crashing.push('ping', {})))[0], 'ok')
    assert.equal((await outcome(sibling.push('ping', { s: 1 })))[0], 'ok')
    // Logged once, by the process runtime, naming the channel and topic, with the stack.
    const crashes = [...crashLines, ...server.logs].filter((l) =>
      l.includes('crash requested by the client'),
    )
    assert.equal(crashes.length, 1, crashes.join('\n'))
    assert.match(crashes[0] ?? '', /RoomChannel "room:crash"\) crashed: Error: crash requested/)
    assert.match(crashes[0] ?? '', /\n\s+at /)
  })

  test('27: a server-side stop sends phx_close; onClose fires and no rejoin', async () => {
    const socket = await client()
    const channel = await join(socket, 'room:stop')
    const closed = new Promise((resolve) => channel.onClose(resolve))
    const [status] = await outcome(channel.push('stop', {}))
    assert.equal(status, 'ok')
    await closed
    await delay(100)
    assert.equal(channel.state, 'closed')
  })
})

describe('heartbeat, reconnect, disconnect by id', () => {
  test('11: heartbeat gets [null,R,"phoenix","phx_reply",{status:ok,response:{}}]', async () => {
    const raw = await rawPhoenix()
    raw.send([null, '42', 'phoenix', 'heartbeat', {}])
    assert.deepEqual(await raw.next(), [
      null,
      '42',
      'phoenix',
      'phx_reply',
      { status: 'ok', response: {} },
    ])
    raw.ws.close()
  })

  test('33 (server side): with a short heartbeat interval the client stays connected', async () => {
    const socket = await client({ heartbeatIntervalMs: 30 })
    let closes = 0
    socket.onClose(() => closes++)
    await delay(200)
    assert.equal(closes, 0)
    assert.equal(socket.isConnected(), true)
  })

  test('8/32: disconnect by id closes with 1001; the client reconnects and rejoins with a fresh join_ref', async () => {
    const socket = await client({ params: { user: 'u8' }, reconnectAfterMs: () => 20 })
    const channel = await join(socket, 'room:d8')
    const firstRef = channel.joinRef()
    const closed = new Promise<{ code: number }>((resolve) => socket.onClose(resolve))
    const other = await client()
    const oc = await join(other, 'room:other')
    await outcome(oc.push('disconnect', { id: 'user_socket:u8' }))
    assert.equal((await closed).code, 1001)
    for (let i = 0; i < 100 && (channel.state !== 'joined' || channel.joinRef() === firstRef); i++)
      await delay(20)
    assert.equal(channel.state, 'joined')
    assert.notEqual(channel.joinRef(), firstRef)
  })
})

describe('connect', () => {
  test('1/2/6: params (nested) and vsn reach connect; authToken is exposed; phoenix subprotocol echoed', async () => {
    const raw = await rawClientWith(`${server.url}/websocket?token=abc&a%5Bb%5D=1&vsn=2.0.0`, [
      'phoenix',
      `base64url.bearer.phx.${Buffer.from('s3cr3t').toString('base64').replace(/=+$/, '')}`,
    ])
    assert.equal(raw.protocol, 'phoenix')
    raw.close()
  })

  test('3: a refused connect answers 403 before the upgrade; the client errors and retries', async () => {
    const socket = new Socket(server.url, {
      transport: WebSocket,
      params: { reject: 1 },
      reconnectAfterMs: () => 10,
    })
    clients.push(socket)
    let errors = 0
    let closes = 0
    socket.onError(() => errors++)
    socket.onClose(() => closes++)
    socket.connect()
    for (let i = 0; i < 100 && errors < 2; i++) await delay(10)
    assert.ok(errors >= 2, `expected retries, got ${errors} errors`)
    assert.ok(closes >= 1)
    socket.disconnect()
    assert.equal(await httpStatus(`${server.url}/websocket?reject=1&vsn=2.0.0`), 403)
  })

  test('4: unsupported vsn is refused with 403; a missing vsn means 1.0.0', async () => {
    assert.equal(await httpStatus(`${server.url}/websocket?vsn=9.0.0`), 403)
    assert.equal(await httpStatus(`${server.url}/websocket?vsn=garbage`), 403)
    assert.equal(await httpStatus(`${server.url}/websocket`), 101)
  })

  test('19: V1 JSON with a custom encode/decode: replies are objects without join_ref', async () => {
    const socket = await client({
      vsn: '1.0.0',
      encode: (msg: PhxMessage, cb: (s: string) => void) =>
        cb(
          JSON.stringify({
            topic: msg.topic,
            event: msg.event,
            payload: msg.payload,
            ref: msg.ref,
            join_ref: msg.join_ref,
          }),
        ),
      decode: (raw: string, cb: (m: unknown) => void) => {
        const m = JSON.parse(raw)
        assert.equal('join_ref' in m, false)
        cb({ join_ref: null, ...m })
      },
    })
    const channel = socket.channel('room:v1')
    assert.equal((await outcome(channel.join()))[0], 'ok')
    assert.deepEqual(await outcome(channel.push('ping', { v: 1 })), ['ok', { v: 1 }])
  })
})

async function rawPhoenix() {
  const { rawClient } = await import('./support.ts')
  return rawClient(`${server.url}/websocket?vsn=2.0.0`)
}

function rawClientWith(url: string, protocols: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols)
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

/** The HTTP status a WebSocket upgrade request gets (101 when it upgrades). */
function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url)
    ws.once('open', () => {
      ws.close()
      resolve(101)
    })
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      ws.terminate()
    })
    ws.on('error', () => {})
  })
}
