// The socket limits (docs/limits.md), each pushed past on a real server with
// real sockets: slow consumers, replies nobody reads, floods, long topics,
// log budgets and expiring credentials. Small limits keep each test short;
// test/conformance/overload.test.ts runs the defaults in a 256 MB heap.
import assert from 'node:assert/strict'
import type { Socket as NetSocket } from 'node:net'
import { after, describe, test } from 'node:test'
import {
  delay,
  join,
  openClient,
  outcome,
  type RawClient,
  rawClient,
  type Server,
  startServer,
} from './support.ts'

const servers: Server[] = []
after(async () => {
  for (const server of servers) await server.stop()
})

async function server(options: Parameters<typeof startServer>[0]): Promise<Server> {
  const started = await startServer(options)
  servers.push(started)
  return started
}

/** A raw V2 client joined to `topic`. */
async function joined(url: string, topic: string): Promise<RawClient> {
  const client = await rawClient(`${url}/websocket?vsn=2.0.0`)
  client.send(['1', '1', topic, 'phx_join', {}])
  const reply = (await client.next()) as unknown[]
  assert.equal((reply[4] as { status: string }).status, 'ok')
  return client
}

function rawSocket(client: RawClient): NetSocket {
  return (client.ws as unknown as { _socket: NetSocket })._socket
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await delay(10)
  }
}

describe('outbound backpressure', () => {
  test('a subscriber that stops reading is dropped with 1008; the others carry on', async () => {
    const s = await server({ maxQueuedBytes: 256 * 1024 })
    const stalled = await joined(s.url, 'room:slow')
    rawSocket(stalled).pause()
    const phoenix = await openClient(s.url, { vsn: '2.0.0' })
    const shouter = await join(phoenix, 'room:slow')
    let received = 0
    shouter.on('msg', () => received++)
    const blob = 'x'.repeat(16 * 1024)
    // Enough to fill the kernel's buffers on both ends, then the cap.
    for (let i = 0; i < 1500; i++) {
      shouter.push('broadcast', { blob })
      if (i % 50 === 49) await delay(5)
      if (s.logs.some((line) => line.includes('slow consumer'))) break
    }
    await until(() => s.logs.some((l) => l.includes('slow consumer')), 10_000, 'the drop')
    const line = s.logs.find((l) => l.includes('slow consumer')) ?? ''
    assert.match(line, /with 1008 slow consumer: its outbound queue passed 262144 bytes/)
    const [status] = await outcome(shouter.push('ping', { after: 'drop' }))
    assert.equal(status, 'ok', 'the shouter keeps its round trips')
    assert.ok(received > 0, 'the shouter got its own broadcasts')
    rawSocket(stalled).resume()
    const closed = await stalled.closed
    assert.equal(closed.code, 1006, 'the stalled socket was cut, not closed politely')
    phoenix.disconnect()
  })

  test('a client that never reads its replies is dropped as well', async () => {
    const s = await server({ maxQueuedBytes: 256 * 1024 })
    const client = await joined(s.url, 'room:replies')
    rawSocket(client).pause()
    const payload = { blob: 'y'.repeat(60 * 1024) }
    for (let i = 0; i < 400; i++) {
      if (client.ws.readyState !== client.ws.OPEN) break
      client.send(['1', String(i + 2), 'room:replies', 'ping', payload])
      if (i % 20 === 19) await delay(5)
      if (s.logs.some((line) => line.includes('slow consumer'))) break
    }
    await until(() => s.logs.some((l) => l.includes('slow consumer')), 10_000, 'the drop')
    rawSocket(client).resume()
    assert.equal((await client.closed).code, 1006)
  })

  test('a buffer that never empties for sendTimeout is dropped', async () => {
    const s = await server({ maxQueuedBytes: 512 * 1024 * 1024, sendTimeout: 400 })
    const stalled = await joined(s.url, 'room:timeout')
    rawSocket(stalled).pause()
    const phoenix = await openClient(s.url, { vsn: '2.0.0' })
    const shouter = await join(phoenix, 'room:timeout')
    const blob = 'z'.repeat(32 * 1024)
    // Past the kernel's buffers, then nothing more: the backlog just sits there.
    for (let i = 0; i < 800; i++) {
      shouter.push('shout', { blob })
      if (i % 50 === 49) await delay(5)
    }
    const started = Date.now()
    await until(() => s.logs.some((l) => l.includes('sendTimeout')), 10_000, 'the drop')
    const waited = Date.now() - started
    assert.match(
      s.logs.find((l) => l.includes('sendTimeout')) ?? '',
      /nothing it was sent left for 400 ms/,
    )
    assert.ok(waited < 5000, `dropped ${waited} ms after the storm`)
    phoenix.disconnect()
  })
})

describe('inbound limits', () => {
  test('a flood past the rate is answered "rate limited", then closed with 1008', async () => {
    const s = await server({ limits: { messagesPerSecond: 50, messageBurst: 20 } })
    const client = await rawClient(`${s.url}/websocket?vsn=2.0.0`)
    for (let i = 0; i < 200; i++) client.send([null, String(i), 'phoenix', 'heartbeat', {}])
    const { code, reason } = await client.closed
    assert.equal(code, 1008)
    assert.equal(reason, 'rate limit exceeded')
    const replies = client.frames.map(
      (f) => (f as unknown[])[4] as { status: string; response: { reason?: string } },
    )
    assert.equal(replies.filter((r) => r.status === 'ok').length, 20, 'the burst passed')
    assert.equal(
      replies.filter((r) => r.response.reason === 'rate limited').length,
      20,
      'then refusals',
    )
    assert.ok(
      s.logs.filter((l) => l.includes('rate')).length <= 10,
      'the log stays within its budget',
    )
  })

  test('messages within the rate all pass', async () => {
    const s = await server({ limits: { messagesPerSecond: 200, messageBurst: 10 } })
    const client = await rawClient(`${s.url}/websocket?vsn=2.0.0`)
    for (let i = 0; i < 30; i++) {
      client.send([null, String(i), 'phoenix', 'heartbeat', {}])
      await delay(10)
    }
    await until(() => client.frames.length === 30, 2000, '30 replies')
    const statuses = client.frames.map((f) => ((f as unknown[])[4] as { status: string }).status)
    assert.deepEqual(new Set(statuses), new Set(['ok']))
    client.ws.close()
  })

  test('topics and events over their length are refused; the log shows their start only', async () => {
    const s = await server({ limits: { maxTopicLength: 64, maxEventLength: 16 } })
    const client = await rawClient(`${s.url}/websocket?vsn=2.0.0`)
    const long = `room:${'a'.repeat(60_000)}`
    client.send(['1', '1', long, 'phx_join', {}])
    const refused = (await client.next()) as unknown[]
    assert.deepEqual(refused[4], { status: 'error', response: { reason: 'topic too long' } })
    client.send(['2', '2', 'room:ok', 'phx_join', {}])
    assert.equal(((await client.next()) as { status: string }[])[4]?.status, 'ok')
    client.send(['2', '3', 'room:ok', 'e'.repeat(17), {}])
    const event = (await client.next()) as unknown[]
    assert.deepEqual(event[4], { status: 'error', response: { reason: 'event too long' } })
    const line = s.logs.find((l) => l.includes('topic is over')) ?? ''
    assert.ok(line.length < 400, `a ${line.length}-character log line`)
    assert.match(line, /\(60005 characters\)/)
    client.ws.close()
  })

  test('10,000 refused joins from one connection write at most 10 log lines a minute', async () => {
    const s = await server({ limits: { messagesPerSecond: 100_000, messageBurst: 100_000 } })
    const client = await rawClient(`${s.url}/websocket?vsn=2.0.0`)
    for (let i = 0; i < 10_000; i++)
      client.send([String(i), String(i), `nowhere:${i}`, 'phx_join', {}])
    await until(() => client.frames.length === 10_000, 20_000, '10,000 replies')
    const lines = s.logs.filter((l) => l.includes('unmatched topic'))
    assert.equal(lines.length, 10)
    assert.ok(
      client.frames.every(
        (f) =>
          ((f as unknown[])[4] as { response: { reason: string } }).response.reason ===
          'unmatched topic',
      ),
    )
    client.ws.close()
  })
})

describe('expiring credentials', () => {
  test('a socket whose connect set an expiry is closed with 1008 then', async () => {
    const s = await server({})
    const started = Date.now()
    const client = await rawClient(`${s.url}/websocket?vsn=2.0.0&ttl=300`)
    client.send(['1', '1', 'room:expiring', 'phx_join', {}])
    const { code, reason } = await client.closed
    const lived = Date.now() - started
    assert.equal(code, 1008)
    assert.equal(reason, 'credentials expired')
    assert.ok(lived >= 250 && lived < 3000, `closed after ${lived} ms`)
    const frames = client.frames as unknown[][]
    assert.deepEqual(
      frames.map((f) => f[3]),
      ['phx_reply'],
      'the join was answered; nothing after the close',
    )
  })

  test('an expiry already past refuses the connection (403)', async () => {
    const s = await server({})
    await assert.rejects(rawClient(`${s.url}/websocket?vsn=2.0.0&ttl=-1`), /HTTP 403/)
  })
})

describe('LongPoll', () => {
  type Body = { status: number; token?: string; messages?: string[] }
  const get = async (base: string, query: string): Promise<Body> =>
    (await (await fetch(`${base}/longpoll?vsn=2.0.0${query}`)).json()) as Body

  test('a session that is not polled while frames pile up is closed with 1008', async () => {
    const s = await server({ maxQueuedBytes: 64 * 1024 })
    const base = `http://127.0.0.1:${s.port}/socket`
    const opened = await get(base, '')
    const token = encodeURIComponent(opened.token ?? '')
    const joinLine = JSON.stringify(['1', '1', 'room:lp', 'phx_join', {}])
    const posted = await fetch(`${base}/longpoll?vsn=2.0.0&token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: joinLine,
    })
    assert.equal(((await posted.json()) as Body).status, 200)
    // The client does not poll; a WebSocket neighbour broadcasts 100 KB to the topic.
    const phoenix = await openClient(s.url, { vsn: '2.0.0' })
    const shouter = await join(phoenix, 'room:lp')
    for (let i = 0; i < 10; i++) shouter.push('shout', { blob: 'q'.repeat(10 * 1024) })
    await until(() => s.logs.some((l) => l.includes('LongPoll session')), 5000, 'the close')
    assert.match(
      s.logs.find((l) => l.includes('LongPoll session')) ?? '',
      /with 1008 slow consumer: \d+ characters waited for its next poll \(maxQueuedBytes 65536\)/,
    )
    assert.equal((await get(base, `&token=${token}`)).status, 410, 'the session is gone')
    const [status] = await outcome(shouter.push('ping', {}))
    assert.equal(status, 'ok', 'the neighbour carries on')
    phoenix.disconnect()
  })
})
