// Nodes with durable channels, and the official `phoenix` client (Node, `ws`
// transport) wrapped by `cinder/client/resume`, for the durable topic tests.
import assert from 'node:assert/strict'
import { after, before, type TestContext, test } from 'node:test'
import { WebSocket } from 'ws'
import { resumable } from '../../src/client/resume.ts'
import {
  type Adapter,
  broadcast,
  type Channel,
  channel,
  createEndpoint,
  defineSocket,
  type Endpoint,
  type HistoryEngine,
  memoryHistory,
  noreply,
  ok,
  type PubSub,
  push,
  reply,
  startPubSub,
} from '../../src/extend.ts'
import {
  outcome,
  type PhxChannel,
  type PhxSocket,
  quietLogger,
  Socket,
} from '../conformance/support.ts'
import { uniqueName, until } from '../contracts/pubsub.ts'
import { requireService } from '../pubsub/service.ts'

/** `chat:*` keeps 2000 messages, `tiny:*` 10. */
const Chat: Channel = {
  durable: { maxMessages: 2000, maxAgeMs: 60_000 },
  join: (_topic, _params, socket) => ok(socket, { hello: 'chat' }),
  handleIn(_event, payload, socket) {
    broadcast(socket, 'msg', payload)
    return reply('ok', socket)
  },
}
const Tiny: Channel = { ...Chat, durable: { maxMessages: 10, maxAgeMs: 60_000 } }
/** `out:*` routes `msg` through `handleOut`, which pushes it on (its push carries the position). */
const Out: Channel = {
  ...Chat,
  intercept: ['msg'],
  handleOut(event, payload, socket) {
    push(socket, event, payload)
    return noreply(socket)
  },
}

export interface DurableNode {
  readonly endpoint: Endpoint
  readonly pubsub: PubSub
  readonly url: string
  /** Runs `during` inside the next read of a history after a position (a resuming join). */
  raceNextResume(during: () => Promise<void>): void
  stop(): Promise<void>
}

/**
 * Wraps an engine so that a test can broadcast while a resuming join reads
 * the history: those broadcasts reach the join's live buffer and the history
 * both, which the join must deduplicate.
 */
function racing(
  inner: HistoryEngine,
): HistoryEngine & { during?: (() => Promise<void>) | undefined } {
  const engine: HistoryEngine & { during?: (() => Promise<void>) | undefined } = {
    kind: inner.kind,
    shared: inner.shared,
    start: (ctx) => inner.start(ctx),
    append: (record, limits) => inner.append(record, limits),
    async read(topic, after, limits) {
      const during = engine.during
      if (after !== undefined && during !== undefined) {
        engine.during = undefined
        await during()
      }
      return inner.read(topic, after, limits)
    },
    stop: () => inner.stop(),
  }
  return engine
}

/** A node: a PubSub (`adapter`, `history`) and an endpoint serving `/socket`. */
export async function startDurableNode(options: {
  name: string
  node: string
  adapter?: Adapter
  history?: HistoryEngine
}): Promise<DurableNode> {
  const logger = quietLogger()
  const history = racing(options.history ?? memoryHistory())
  const pubsub = await startPubSub({ ...options, history, logger })
  const endpoint = createEndpoint({
    port: 0,
    host: '127.0.0.1',
    logger,
    pubsub,
    secretKeyBase: 'durable-test-secret-key-base-0123456789abcdef'.repeat(2),
    sockets: [
      {
        path: '/socket',
        websocket: { checkOrigin: false },
        socket: defineSocket({
          channels: [channel('chat:*', Chat), channel('tiny:*', Tiny), channel('out:*', Out)],
        }),
      },
    ],
  })
  await endpoint.start()
  return {
    endpoint,
    pubsub,
    url: `ws://127.0.0.1:${endpoint.port}/socket`,
    raceNextResume(during) {
      history.during = during
    },
    async stop() {
      await endpoint.stop()
      await pubsub.stop()
    },
  }
}

/** A client socket on `url` whose channels come from `resumable`. */
export interface ResumingClient {
  readonly socket: PhxSocket & { endPoint: string }
  readonly channel: PhxChannel
  /** Every `msg` payload's `n`, in arrival order. */
  readonly got: number[]
  /** Every join reply. */
  readonly joins: Array<{ position: string; recovered: boolean }>
}

export async function resumingClient(url: string, topic: string): Promise<ResumingClient> {
  const socket = new Socket(url, {
    transport: WebSocket,
    rejoinAfterMs: () => 50,
    reconnectAfterMs: () => 50,
  }) as PhxSocket & { endPoint: string }
  const opened = new Promise<void>((resolve) => socket.onOpen(resolve))
  socket.connect()
  await opened
  const channel = resumable(
    socket as unknown as Parameters<typeof resumable>[0],
    topic,
  ) as unknown as PhxChannel
  const got: number[] = []
  const joins: ResumingClient['joins'] = []
  channel.on('msg', (payload) => got.push((payload as { n: number }).n))
  const push = channel.join()
  push.receive('ok', (reply) => joins.push(reply as ResumingClient['joins'][number]))
  const [status] = await outcome(push)
  assert.equal(status, 'ok')
  return { socket, channel, got, joins }
}

/** Broadcasts `msg` `{n}` for n in [from, to) from `node`. */
export function broadcastRange(node: DurableNode, topic: string, from: number, to: number): void {
  for (let n = from; n < to; n++) node.endpoint.broadcast(topic, 'msg', { n })
}

/** Resolves once `node` reads `topic`'s head at `offset` or beyond (engines store asynchronously). */
export async function headReaches(node: DurableNode, topic: string, offset: number): Promise<void> {
  const deadline = performance.now() + 20_000
  while ((await node.pubsub.recover(topic)).position.offset < offset) {
    if (performance.now() > deadline) assert.fail(`${topic} never reached offset ${offset}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Disconnects the client, runs `whileAway`, then reconnects it to `nextUrl`. */
export async function awayAndBack(
  client: ResumingClient,
  nextUrl: string,
  whileAway: () => Promise<void>,
): Promise<void> {
  const errored = new Promise<void>((resolve) => client.channel.onError(() => resolve()))
  client.socket.disconnect()
  await errored
  await whileAway()
  client.socket.endPoint = `${nextUrl}/websocket`
  const joins = client.joins.length
  client.socket.connect()
  await until(() => client.joins.length > joins, 10_000)
}

/** Asserts `got` is exactly `from, from+1, …, to-1`. */
export function assertExactly(got: readonly number[], from: number, to: number): void {
  const expected = Array.from({ length: to - from }, (_, i) => from + i)
  const dupes = got.length - new Set(got).size
  assert.equal(dupes, 0, `${dupes} duplicates`)
  assert.deepEqual(got, expected)
}

/**
 * The tests of an engine that serves many nodes: two nodes of one PubSub,
 * a client that leaves one and resumes on the other.
 */
export function crossNodeSuite(
  kind: string,
  port: number,
  startNode: (name: string, node: string) => Promise<DurableNode>,
  cleanup?: (name: string) => Promise<void>,
): void {
  let skip: string | undefined
  let name = ''
  let a: DurableNode
  let b: DurableNode
  before(async () => {
    skip = (await requireService(kind, port))?.skip
    if (skip !== undefined) return
    name = uniqueName(`durable-${kind.toLowerCase()}`)
    a = await startNode(name, 'a')
    b = await startNode(name, 'b')
  })
  after(async () => {
    await a?.stop()
    await b?.stop()
    if (skip === undefined) await cleanup?.(name)
  })
  const skipped = (t: TestContext): boolean => {
    if (skip !== undefined) t.skip(skip)
    return skip !== undefined
  }

  test(`${kind}: a client away while 1,000 messages are broadcast resumes on another node with all of them, once, in order`, async (t) => {
    if (skipped(t)) return
    const topic = 'chat:cross'
    const client = await resumingClient(a.url, topic)
    broadcastRange(a, topic, 0, 5)
    await until(() => client.got.length === 5, 10_000)
    // Broadcasts from both nodes while the rejoin reads the history: they reach its live
    // buffer and the history both, and must reach the client once.
    b.raceNextResume(async () => {
      broadcastRange(b, topic, 1005, 1055)
      broadcastRange(a, topic, 1055, 1105)
      await headReaches(a, topic, 1105)
      await new Promise((resolve) => setTimeout(resolve, 50)) // delivered to b's buffer
    })
    await awayAndBack(client, b.url, async () => {
      broadcastRange(a, topic, 5, 1005)
      await headReaches(b, topic, 1005)
    })
    await until(() => client.got.length >= 1105, 20_000)
    await new Promise((resolve) => setTimeout(resolve, 100)) // a duplicate would arrive now
    assert.equal(client.joins[1]?.recovered, true)
    assert.equal(client.got.length, 1105)
    assertExactly(client.got.slice(0, 1005), 0, 1005)
    // The two racing runs come from two nodes and interleave: each in order, all there once.
    assertExactly(
      [...client.got].sort((x, y) => x - y),
      0,
      1105,
    )
    assertExactly(
      client.got.filter((n) => n >= 1005 && n < 1055),
      1005,
      1055,
    )
    assertExactly(
      client.got.filter((n) => n >= 1055),
      1055,
      1105,
    )
    client.socket.disconnect()
  })

  test(`${kind}: a gap beyond the history answers recovered: false`, async (t) => {
    if (skipped(t)) return
    const topic = 'tiny:cross'
    const client = await resumingClient(a.url, topic)
    broadcastRange(a, topic, 0, 3)
    await until(() => client.got.length === 3, 10_000)
    await awayAndBack(client, b.url, async () => {
      broadcastRange(a, topic, 3, 30)
      await headReaches(b, topic, 30)
    })
    assert.equal(client.joins[1]?.recovered, false)
    assert.match(client.joins[1]?.position ?? '', /:30$/)
    broadcastRange(b, topic, 30, 31)
    await until(() => client.got.length === 4, 10_000)
    assert.deepEqual(client.got, [0, 1, 2, 30])
    client.socket.disconnect()
  })
}
