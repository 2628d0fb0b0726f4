// Nodes with durable channels, and the official `phoenix` client (Node, `ws`
// transport) wrapped by `cinder/client/resume`, for the durable topic tests.
import assert from 'node:assert/strict'
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
  ok,
  type PubSub,
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
import { until } from '../contracts/pubsub.ts'

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

export interface DurableNode {
  readonly endpoint: Endpoint
  readonly pubsub: PubSub
  readonly url: string
  stop(): Promise<void>
}

/** A node: a PubSub (`adapter`, `history`) and an endpoint serving `/socket`. */
export async function startDurableNode(options: {
  name: string
  node: string
  adapter?: Adapter
  history?: HistoryEngine
}): Promise<DurableNode> {
  const logger = quietLogger()
  const pubsub = await startPubSub({ ...options, logger })
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
        socket: defineSocket({ channels: [channel('chat:*', Chat), channel('tiny:*', Tiny)] }),
      },
    ],
  })
  await endpoint.start()
  return {
    endpoint,
    pubsub,
    url: `ws://127.0.0.1:${endpoint.port}/socket`,
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
