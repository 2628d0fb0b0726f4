// WebSocket transport behaviour: origin check, idle timeout, frame limit,
// drain on stop, malformed frames, coalesced writes (checklist 5, 34 and the
// issue's transport items). Each test runs its own server with the knob it needs.
import assert from 'node:assert/strict'
import { Socket as NetSocket, connect as tcpConnect } from 'node:net'
import { describe, test } from 'node:test'
import { WebSocket } from 'ws'
import { delay, join, openClient, outcome, rawClient, startServer } from './support.ts'

function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers })
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

describe('checkOrigin', () => {
  test('5: a mismatched Origin gets 403 and one log line; a matching or missing one connects', async () => {
    const server = await startServer({ checkOrigin: true, urlHost: 'example.com' })
    try {
      const url = `${server.url}/websocket?vsn=2.0.0`
      assert.equal(await upgradeStatus(url, { origin: 'https://evil.test' }), 403)
      assert.equal(server.logs.filter((l) => l.includes('evil.test')).length, 1)
      assert.equal(await upgradeStatus(url, { origin: 'https://example.com:8443' }), 101)
      assert.equal(await upgradeStatus(url), 101)
    } finally {
      await server.stop()
    }
  })

  test('a list with a wildcard host allows subdomains only', async () => {
    const server = await startServer({ checkOrigin: ['//*.example.com', 'https://other.org'] })
    try {
      const url = `${server.url}/websocket?vsn=2.0.0`
      assert.equal(await upgradeStatus(url, { origin: 'https://a.example.com' }), 101)
      assert.equal(await upgradeStatus(url, { origin: 'http://example.com' }), 101)
      assert.equal(await upgradeStatus(url, { origin: 'https://badexample.com' }), 403)
      assert.equal(await upgradeStatus(url, { origin: 'http://other.org' }), 403)
      assert.equal(await upgradeStatus(url, { origin: 'https://other.org' }), 101)
    } finally {
      await server.stop()
    }
  })
})

describe('idle timeout', () => {
  test('34: a silent connection is closed with 1001; heartbeats keep one open', async () => {
    const server = await startServer({ idleTimeout: 200 })
    try {
      const silent = await rawClient(`${server.url}/websocket?vsn=2.0.0`)
      const started = Date.now()
      const closed = await silent.closed
      assert.equal(closed.code, 1001)
      assert.equal(closed.reason, 'idle timeout')
      const elapsed = Date.now() - started
      assert.ok(elapsed >= 190 && elapsed < 600, `closed after ${elapsed} ms`)
      const beating = await openClient(server.url, { heartbeatIntervalMs: 50 })
      let closes = 0
      beating.onClose(() => closes++)
      await delay(500)
      assert.equal(closes, 0)
      beating.disconnect()
    } finally {
      await server.stop()
    }
  })
})

describe('frame limit', () => {
  test('a message over maxFrameSize closes with 1009 and a reason; the server stays up', async () => {
    const server = await startServer({ maxFrameSize: 1024 })
    try {
      const raw = await rawClient(`${server.url}/websocket?vsn=2.0.0`)
      raw.send(JSON.stringify([null, '1', 'phoenix', 'heartbeat', { pad: 'x'.repeat(2000) }]))
      const closed = await raw.closed
      assert.equal(closed.code, 1009)
      assert.equal(closed.reason, 'message too big')
      assert.ok(server.logs.some((l) => l.includes('1009')))
      const ok = await rawClient(`${server.url}/websocket?vsn=2.0.0`)
      ok.send([null, '2', 'phoenix', 'heartbeat', { pad: 'x'.repeat(900) }])
      assert.deepEqual(await ok.next(), [
        null,
        '2',
        'phoenix',
        'phx_reply',
        { status: 'ok', response: {} },
      ])
      ok.ws.close()
    } finally {
      await server.stop()
    }
  })
})

describe('malformed frames', () => {
  test('an undecodable frame closes that connection with 1007, never the others', async () => {
    const server = await startServer()
    try {
      const good = await rawClient(`${server.url}/websocket?vsn=2.0.0`)
      const bad = await rawClient(`${server.url}/websocket?vsn=2.0.0`)
      bad.send('{not json')
      assert.equal((await bad.closed).code, 1007)
      good.send([null, '1', 'phoenix', 'heartbeat', {}])
      assert.deepEqual(await good.next(), [
        null,
        '1',
        'phoenix',
        'phx_reply',
        { status: 'ok', response: {} },
      ])
      good.ws.close()
    } finally {
      await server.stop()
    }
  })
})

describe('drain on stop', () => {
  test('stop closes every socket with 1012 and the client reconnects (when a server is back)', async () => {
    const server = await startServer()
    const socket = await openClient(server.url, { reconnectAfterMs: () => 10_000 })
    await join(socket, 'room:drain')
    const closed = new Promise<{ code: number }>((resolve) => socket.onClose(resolve))
    await server.stop()
    assert.equal((await closed).code, 1012)
    socket.disconnect()
  })
})

describe('the close handshake', () => {
  test('after a drain, the server closes TCP once the client answered its close (as browsers wait for)', async () => {
    const server = await startServer()
    const stopping = server.stop.bind(server)
    // A raw client that answers the close frame and then waits, as Chromium does (it gives the
    // server 2 s to close the connection before it closes it itself).
    const tcp = tcpConnect(server.port, '127.0.0.1')
    await new Promise<void>((resolve) => tcp.once('connect', resolve))
    tcp.write(
      'GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    )
    let received = Buffer.alloc(0)
    const ended = new Promise<number>((resolve) => tcp.once('end', () => resolve(Date.now())))
    const closeFrame = new Promise<void>((resolve) => {
      tcp.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk])
        const body = received.subarray(received.indexOf('\r\n\r\n') + 4)
        if (body[0] === 0x88) resolve()
      })
    })
    await delay(50) // the upgrade is through
    const stopped = stopping()
    await closeFrame
    // A masked close frame with code 1012 (the mask is zero: the payload reads as sent).
    tcp.write(Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xf4]))
    const answered = Date.now()
    const end = await Promise.race([ended, delay(1000).then(() => Number.NaN)])
    tcp.destroy()
    await stopped
    assert.ok(end - answered < 1000, 'the server ended the connection after the handshake')
  })
})

describe('coalesced writes', () => {
  test('frames for one socket produced in one turn leave in one TCP write', async () => {
    const server = await startServer()
    try {
      // A raw TCP client: handshake by hand, then look at the chunks as they arrive.
      const tcp = tcpConnect(server.port, '127.0.0.1')
      await new Promise<void>((resolve) => tcp.once('connect', resolve))
      tcp.write(
        'GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      )
      const chunks: Buffer[] = []
      tcp.on('data', (chunk) => chunks.push(chunk))
      await delay(50)
      assert.match(String(chunks[0]), /^HTTP\/1\.1 101/)
      chunks.length = 0
      // Three heartbeats in one client frame burst -> three replies in one turn.
      const frame = (text: string) => {
        const payload = Buffer.from(text)
        const mask = Buffer.from([1, 2, 3, 4])
        const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)))
        return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked])
      }
      // Count the server's writes to the kernel (the client writes nothing meanwhile).
      const proto = NetSocket.prototype as unknown as Record<
        '_write' | '_writev',
        (...args: unknown[]) => unknown
      >
      const [write, writev] = [proto._write, proto._writev]
      // The burst goes out before the spy is in place: only the server's writes are counted.
      tcp.write(
        Buffer.concat(
          [1, 2, 3].map((n) =>
            frame(JSON.stringify([null, String(n), 'phoenix', 'heartbeat', {}])),
          ),
        ),
      )
      let writes = 0
      proto._write = function (this: unknown, ...args: unknown[]) {
        writes++
        return write.apply(this, args)
      }
      proto._writev = function (this: unknown, ...args: unknown[]) {
        writes++
        return writev.apply(this, args)
      }
      try {
        await delay(100)
      } finally {
        proto._write = write
        proto._writev = writev
      }
      tcp.destroy()
      assert.equal(writes, 1, `expected one write, got ${writes}`)
      assert.equal(
        (
          Buffer.concat(chunks)
            .toString()
            .match(/phx_reply/g) ?? []
        ).length,
        3,
      )
    } finally {
      await server.stop()
    }
  })
})

describe('connect refusal is answered before any upgrade', () => {
  test('403 with an empty body, and no channel state is created', async () => {
    const server = await startServer()
    try {
      assert.equal(await upgradeStatus(`${server.url}/websocket?reject=1&vsn=2.0.0`), 403)
      const socket = await openClient(server.url)
      const channel = await join(socket, 'room:after')
      assert.equal((await outcome(channel.push('ping', {})))[0], 'ok')
      socket.disconnect()
    } finally {
      await server.stop()
    }
  })
})
