// The HTTP server's limits against raw TCP clients on a real port: idle and
// trickling connections, kept-alive idle ones, slow bodies, header size and
// count. Timeouts are shrunk to a few hundred ms; lower bounds are tight
// (nothing is closed early), upper bounds leave room for a loaded machine.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { type AddressInfo, connect, type Socket } from 'node:net'
import { after, describe, test } from 'node:test'
import { createHttpServer, HTTP_LIMITS, type HttpLimits } from '../../src/http/index.ts'

const servers: Server[] = []
after(() => {
  for (const server of servers) {
    server.closeAllConnections()
    server.close()
  }
})

/** A server that answers `ok` once it has read the whole body. */
async function listen(limits: HttpLimits): Promise<number> {
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    req.on('end', () => res.end('ok'))
  }, limits)
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as AddressInfo).port
}

interface RawClient {
  readonly socket: Socket
  /** Everything received so far. */
  received(): string
  /** When the server closed it: ms after connecting, and what it had sent. */
  readonly closed: Promise<{ after: number; data: string }>
}

async function rawClient(port: number): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  const start = performance.now()
  let data = ''
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => {
    data += chunk
  })
  socket.on('error', () => {})
  const closed = new Promise<{ after: number; data: string }>((resolve) =>
    socket.on('close', () => resolve({ after: performance.now() - start, data })),
  )
  return { socket, received: () => data, closed }
}

/** Writes `text` one byte every `every` ms until the socket closes. */
function trickle(socket: Socket, text: string, every: number): void {
  let at = 0
  const timer = setInterval(() => {
    if (socket.destroyed || at >= text.length) clearInterval(timer)
    else socket.write(text[at++] ?? '')
  }, every)
}

const fast = { connectionsCheckingInterval: 50 }
const SLACK = 1500

describe('HTTP server limits', { concurrency: true }, () => {
  test('the defaults are on: head 5 s, request 60 s, keep-alive 5 s, 16 KB and 100 headers', () => {
    // Node keeps the last two as plain fields, missing from its types.
    const server = createHttpServer(() => {}) as Server & {
      maxHeaderSize: number
      connectionsCheckingInterval: number
    }
    assert.equal(server.headersTimeout, 5_000)
    assert.equal(server.requestTimeout, 60_000)
    assert.equal(server.keepAliveTimeout, 5_000)
    assert.equal(server.maxHeaderSize, 16_384)
    assert.equal(server.connectionsCheckingInterval, 1_000)
    assert.deepEqual(HTTP_LIMITS, {
      headersTimeout: 5_000,
      requestTimeout: 60_000,
      keepAliveTimeout: 5_000,
      maxHeaderSize: 16_384,
      maxHeaders: 100,
      connectionsCheckingInterval: 1_000,
    })
  })

  test('a connection that sends nothing is closed (408) after headersTimeout', async () => {
    const client = await rawClient(await listen({ ...fast, headersTimeout: 300 }))
    const { after, data } = await client.closed
    assert.ok(after >= 280 && after < 300 + SLACK, `closed after ${after} ms`)
    assert.match(data, /^HTTP\/1\.1 408 /)
  })

  test('a head trickled byte by byte is closed (408) headersTimeout after the connection opened', async () => {
    const client = await rawClient(await listen({ ...fast, headersTimeout: 400 }))
    trickle(client.socket, `GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'y'.repeat(100)}\r\n\r\n`, 20)
    const { after, data } = await client.closed
    assert.ok(after >= 380 && after < 400 + SLACK, `closed after ${after} ms`)
    assert.match(data, /^HTTP\/1\.1 408 /)
  })

  test('a kept-alive connection idle after its response is closed after keepAliveTimeout', async () => {
    const client = await rawClient(await listen({ ...fast, keepAliveTimeout: 1_000 }))
    client.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    const { after, data } = await client.closed
    assert.match(data, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Keep-Alive: timeout=1\r\n/i)
    // Node closes 1 s after the time it advertises, to beat clients that reuse at the last moment.
    assert.ok(after >= 1_950 && after < 2_000 + SLACK, `closed after ${after} ms`)
  })

  test('the next request on a kept-alive connection must complete its head within headersTimeout of its first byte', async () => {
    const client = await rawClient(
      await listen({ ...fast, headersTimeout: 300, keepAliveTimeout: 5_000 }),
    )
    client.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    while (!client.received().includes('ok')) await once(client.socket, 'data')
    const second = performance.now()
    trickle(client.socket, `GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'y'.repeat(100)}\r\n\r\n`, 20)
    const { data } = await client.closed
    const after = performance.now() - second
    assert.ok(
      after >= 280 && after < 300 + SLACK,
      `closed ${after} ms after the second request began`,
    )
    assert.match(data, /HTTP\/1\.1 408 /)
  })

  test('a body trickled past requestTimeout is cut (408: no response had begun)', async () => {
    const client = await rawClient(
      await listen({ ...fast, headersTimeout: 200, requestTimeout: 500 }),
    )
    client.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n')
    trickle(client.socket, 'x'.repeat(1000), 20)
    const { after, data } = await client.closed
    assert.ok(after >= 480 && after < 500 + SLACK, `closed after ${after} ms`)
    assert.match(data, /^HTTP\/1\.1 408 /)
  })

  test('a head over maxHeaderSize is a 431', async () => {
    const client = await rawClient(await listen({ maxHeaderSize: 1_024 }))
    client.socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(2_000)}\r\n\r\n`)
    const { data } = await client.closed
    assert.match(data, /^HTTP\/1\.1 431 /)
  })

  test('more than maxHeaders header lines is a 431 and a closed connection; exactly that many pass', async () => {
    const port = await listen({ maxHeaders: 4 })
    const head = (n: number) =>
      `GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: n - 1 }, (_, i) => `X-${i}: 1\r\n`).join('')}\r\n`
    const refused = await rawClient(port)
    refused.socket.write(head(5))
    const { data } = await refused.closed
    assert.match(data, /^HTTP\/1\.1 431 /)
    const passed = await rawClient(port)
    passed.socket.write(head(4))
    while (!passed.received().includes('ok')) await once(passed.socket, 'data')
    assert.match(passed.received(), /^HTTP\/1\.1 200 /)
    passed.socket.destroy()
  })

  test('an upgraded connection leaves every HTTP timeout behind', async () => {
    const port = await listen({
      ...fast,
      headersTimeout: 100,
      requestTimeout: 200,
      keepAliveTimeout: 100,
    })
    const server = servers[servers.length - 1] as Server
    server.on('upgrade', (_req, socket: Socket) => {
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n',
      )
      socket.on('data', (chunk) => socket.write(chunk))
    })
    const client = await rawClient(port)
    client.socket.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n')
    await new Promise((resolve) => setTimeout(resolve, 800))
    client.socket.write('still here')
    while (!client.received().endsWith('still here')) await once(client.socket, 'data')
    assert.match(client.received(), /^HTTP\/1\.1 101 /)
    client.socket.destroy()
  })

  test('limits that are not integers, or a head timeout longer than the request timeout, are refused', () => {
    assert.throws(() => createHttpServer(() => {}, { headersTimeout: -1 }), {
      code: 'CINDER_ERR_HTTP_OPTIONS',
    })
    assert.throws(() => createHttpServer(() => {}, { maxHeaders: 0 }), /http.maxHeaders must be/)
    assert.throws(
      () => createHttpServer(() => {}, { headersTimeout: 10_000, requestTimeout: 5_000 }),
      /within http.requestTimeout/,
    )
    assert.ok(createHttpServer(() => {}, { requestTimeout: 0, headersTimeout: 90_000 }))
  })
})
