// The hostile cases of issue 11 against a conformance server in its own
// process, with the default limits and a 256 MB heap: a stalled subscriber
// under a 10,000 messages/s storm, a client that never reads its replies,
// and a burst of 100,000 heartbeats. Each time the server stays up, drops
// only the offender, and a well-behaved client's round trips keep working
// (their worst is printed as a diagnostic).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import type { Socket as NetSocket } from 'node:net'
import { after, before, test } from 'node:test'
import { type NodeProcess, startNode } from '../cluster/support.ts'
import {
  delay,
  join,
  openClient,
  outcome,
  type PhxChannel,
  type PhxSocket,
  type RawClient,
  rawClient,
} from './support.ts'

let node: NodeProcess
let wellBehaved: PhxSocket
let pinger: PhxChannel

before(async () => {
  node = await startNode('overload', [], ['--max-old-space-size=256'])
  wellBehaved = await openClient(node.url, { vsn: '2.0.0' })
  pinger = await join(wellBehaved, 'room:calm')
})

after(async () => {
  wellBehaved.disconnect()
  await node.kill('SIGTERM')
})

/** Round trips of the well-behaved client, one after another, while `during` runs. */
async function roundTripsDuring(during: () => Promise<void>): Promise<number[]> {
  const times: number[] = []
  let running = true
  const loop = (async () => {
    while (running) {
      const started = performance.now()
      const [status] = await outcome(pinger.push('ping', {}, 10_000))
      assert.equal(status, 'ok', 'a well-behaved round trip failed')
      times.push(performance.now() - started)
      await delay(20)
    }
  })()
  try {
    await during()
  } finally {
    running = false
    await loop
  }
  return times
}

function rawSocket(client: RawClient): NetSocket {
  return (client.ws as unknown as { _socket: NetSocket })._socket
}

async function joinedRaw(topic: string): Promise<RawClient> {
  const client = await rawClient(`${node.url}/websocket?vsn=2.0.0`)
  client.send(['1', '1', topic, 'phx_join', {}])
  await client.next()
  return client
}

/** Peak and current resident memory of the server, in MB (Linux /proc). */
function serverMemory(): { peak: number; now: number } {
  const status = readFileSync(`/proc/${node.child.pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
  return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 }
}

function report(t: { diagnostic(message: string): void }, what: string, times: number[]): void {
  const worst = Math.max(...times)
  const { peak, now } = serverMemory()
  t.diagnostic(
    `${what}: ${times.length} round trips, worst ${worst.toFixed(1)} ms; server RSS peak ${peak.toFixed(0)} MB, now ${now.toFixed(0)} MB`,
  )
}

/** `count` copies of a client text frame (masked with a zero key, as RFC 6455 allows). */
function repeatFrame(text: string, count: number): Buffer {
  const payload = Buffer.from(text)
  assert.ok(payload.length < 126)
  const frame = Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0]), payload])
  const all = Buffer.alloc(frame.length * count)
  for (let i = 0; i < count; i++) frame.copy(all, i * frame.length)
  return all
}

function dropped(): boolean {
  return node.output.join('').includes('slow consumer')
}

test('a stalled subscriber under a 10,000 messages/s storm is dropped; the node stays up', async (t) => {
  const stalled = await joinedRaw('room:storm')
  rawSocket(stalled).pause()
  // Ten shouters at the default rate limit (1,000 messages/s each).
  const shouters = await Promise.all(Array.from({ length: 10 }, () => joinedRaw('room:storm')))
  const payload = { text: 'm'.repeat(512) }
  const times = await roundTripsDuring(async () => {
    for (let tick = 0; tick < 300 && !dropped(); tick++) {
      for (const shouter of shouters) {
        for (let i = 0; i < 10; i++) shouter.send(['1', null, 'room:storm', 'shout', payload])
      }
      await delay(10)
    }
  })
  assert.ok(dropped(), 'the stalled subscriber was dropped')
  report(t, 'storm', times)
  assert.ok(Math.max(...times) < 2000, 'round trips kept working')
  assert.equal(node.child.exitCode, null, 'the server is up')
  for (const shouter of shouters) assert.equal(shouter.ws.readyState, shouter.ws.OPEN)
  rawSocket(stalled).resume()
  assert.equal((await stalled.closed).code, 1006)
  for (const shouter of shouters) shouter.ws.close()
})

test('a client that never reads its replies to 60 KB pings is dropped', async (t) => {
  const before = node.output.join('').split('slow consumer').length
  const client = await joinedRaw('room:deaf')
  rawSocket(client).pause()
  const payload = { blob: 'p'.repeat(60 * 1024) }
  const times = await roundTripsDuring(async () => {
    for (let tick = 0; tick < 300; tick++) {
      if (client.ws.readyState !== client.ws.OPEN) break
      if (node.output.join('').split('slow consumer').length > before) break
      for (let i = 0; i < 5; i++)
        client.send(['1', String(tick * 5 + i), 'room:deaf', 'ping', payload])
      await delay(10)
    }
  })
  assert.ok(
    node.output.join('').split('slow consumer').length > before,
    'the deaf client was dropped',
  )
  report(t, 'deaf client', times)
  assert.equal(node.child.exitCode, null)
  rawSocket(client).resume()
  await client.closed
})

test('100,000 heartbeats from one socket: refused past the burst, closed with 1008', async (t) => {
  const client = await rawClient(`${node.url}/websocket?vsn=2.0.0`)
  // One write of 100,000 frames, so the flood costs this process (and its round trips) nothing.
  const burst = repeatFrame(JSON.stringify([null, '1', 'phoenix', 'heartbeat', {}]), 100_000)
  const times = await roundTripsDuring(async () => {
    rawSocket(client).write(burst)
    const { code, reason } = await client.closed
    assert.equal(code, 1008)
    assert.equal(reason, 'rate limit exceeded')
    await delay(100)
  })
  report(t, 'heartbeat flood', times)
  assert.ok(Math.max(...times) < 1000, 'round trips kept working')
  assert.equal(node.child.exitCode, null)
})
