// Fuzz: random and malformed frames on several raw connections for a bounded
// time. The server must stay up, never crash, and a well-behaved official
// client beside them must keep getting its replies.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import {
  join,
  openClient,
  outcome,
  type PhxChannel,
  type RawClient,
  rawClient,
  startServer,
} from './support.ts'

const FUZZ_MS = 5000
const CONNECTIONS = 4

const ref = fc.oneof(
  fc.constant(null),
  fc.nat(20).map(String),
  fc.integer(),
  fc.string({ maxLength: 3 }),
)
const topic = fc.oneof(
  fc.constantFrom('room:1', 'room:2', 'phoenix', 'nope', ''),
  fc.string({ maxLength: 12 }),
  fc.integer(),
)
const event = fc.oneof(
  fc.constantFrom(
    'phx_join',
    'phx_leave',
    'heartbeat',
    'ping',
    'broadcast',
    'shout',
    'push',
    'crash',
    'stop',
    'noreply',
  ),
  fc.string({ maxLength: 10 }),
  fc.constant(null),
)
const payload = fc.oneof(fc.object({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), fc.constant({}))

/** One frame: valid-looking V2 arrays, wrong arity, wrong types, garbage text, binary, oversized. */
const frame: fc.Arbitrary<string | Buffer> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(ref, ref, topic, event, payload).map((m) => JSON.stringify(m)) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 7 })
      .map((a) => JSON.stringify(a)),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat(2), fc.uint8Array({ minLength: 0, maxLength: 30 }))
      .map(([kind, rest]) => Buffer.concat([Buffer.from([kind, 1, 1, 6, 4]), Buffer.from(rest)])),
  },
  {
    weight: 1,
    arbitrary: fc
      .nat(50)
      .map((n) => JSON.stringify([String(n), String(n), `room:${n}`, 'phx_join', {}])),
  },
  {
    weight: 1,
    arbitrary: fc.constant(
      JSON.stringify([null, '1', 'phoenix', 'heartbeat', { x: 'y'.repeat(70_000) }]),
    ),
  },
)

/** Sequential pings until `deadline`; each must come back ok with its payload. */
async function roundTrips(channel: PhxChannel, deadline: number): Promise<number> {
  let n = 0
  while (Date.now() < deadline) {
    const [status, response] = await outcome(channel.push('ping', { n }, 2000))
    assert.equal(status, 'ok')
    assert.deepEqual(response, { n })
    n++
  }
  return n
}

test('random and malformed frames never take the server down or disturb a good client', async (t) => {
  const server = await startServer({ maxFrameSize: 64 * 1024 })
  const good = await openClient(server.url)
  const channel = await join(good, 'room:good')
  const deadline = Date.now() + FUZZ_MS
  const url = `${server.url}/websocket?vsn=2.0.0`
  let sent = 0
  let goodReplies = 0
  let reconnects = 0

  async function fuzzer(seed: number): Promise<void> {
    let client: RawClient | undefined
    // Small batches: sampling is synchronous, and the good client must keep its turn.
    for (let batch = 0; Date.now() < deadline; batch++) {
      for (const next of fc.sample(frame, { seed: seed * 100_003 + batch, numRuns: 50 })) {
        await send(next)
      }
      await new Promise((r) => setImmediate(r))
    }
    client?.ws.terminate()

    async function send(next: string | Buffer): Promise<void> {
      if (client === undefined || client.ws.readyState !== client.ws.OPEN) {
        client?.ws.terminate()
        client = await rawClient(url)
        reconnects++
      }
      client.ws.send(next)
      sent++
    }
  }

  async function wellBehaved(): Promise<void> {
    goodReplies = await roundTrips(channel, deadline)
  }

  let goodCloses = 0
  good.onClose(() => goodCloses++)
  try {
    await Promise.all([
      wellBehaved(),
      ...Array.from({ length: CONNECTIONS }, (_, i) => fuzzer(i + 1)),
    ])
  } catch (error) {
    good.disconnect()
    await server.stop()
    const kinds = new Map<string, number>()
    for (const line of server.logs)
      kinds.set(line.slice(0, 60), (kinds.get(line.slice(0, 60)) ?? 0) + 1)
    console.log({ sent, goodReplies, goodCloses, reconnects, kinds })
    throw error
  }
  t.diagnostic(
    `${sent} frames on ${reconnects} connections; ${goodReplies} good replies; ${server.logs.length} log lines`,
  )
  try {
    assert.equal(goodCloses, 0)
    assert.ok(sent > 1000, `sent only ${sent} frames`)
    // The good client keeps its turn among the fuzzers: on a quiet machine about one round
    // trip per 250 frames of fuzz; a busy machine slows both alike, so the ratio is what counts.
    assert.ok(
      goodReplies >= 5 && goodReplies * 1000 >= sent,
      `the good client got only ${goodReplies} replies while the fuzzers sent ${sent} frames`,
    )
    assert.ok(reconnects >= CONNECTIONS)
    // Still serving new connections.
    const fresh = await openClient(server.url)
    const freshChannel = await join(fresh, 'room:after-fuzz')
    assert.deepEqual(await outcome(freshChannel.push('ping', { end: true })), ['ok', { end: true }])
    fresh.disconnect()
  } finally {
    good.disconnect()
    await server.stop()
  }
})
