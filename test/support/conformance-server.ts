/**
 * The conformance server: the contract the conformance tests and the
 * benchmarks drive. Keep it stable.
 *
 *   npm run bench:server -- --port 4000     (prints `listening on <port>`)
 *
 * - socket `/socket` (WebSocket and LongPoll), origin check off;
 *   - `params.reject` set → connect refused (HTTP 403);
 *   - `params.user` set → socket id `user_socket:<user>`;
 *   - `params.ttl = MS` → the connection's credentials expire MS after connect (`expireAt`);
 * - channel `room:*`:
 *   - `params.deny` set → join refused with `{reason: "denied"}`;
 *   - `params.track = NAME` → tracks presence key NAME with meta `{name: NAME}`, then
 *     pushes `presence_state`; `presence_update` → updates it (test/support/conformance-presence.ts);
 *   - `ping` → reply ok with the payload (binary payloads too);
 *   - `broadcast` → broadcast `msg` with the payload to the topic;
 *   - `shout` → the same to all but the sender;
 *   - `push` → push `msg` with the payload to the sender only, then reply ok;
 *   - `noreply` → no reply (the client's push times out);
 *   - `stop` → reply ok, then the channel stops normally (`phx_close`);
 *   - `crash` → the channel process crashes (`phx_error`);
 *   - `disconnect` → server-side `disconnect` broadcast to `payload.id`
 *     (closes every socket with that id, code 1001), then reply ok;
 * - channel `durable:*`: the same, on durable topics (100 messages, 2 minutes; docs/durability.md);
 * - `GET /hello` answers `{"hello":"world"}` (through the router);
 * - LiveView fixtures (see test/support/live-fixtures): `/lv/counter`, `/lv/form`,
 *   `/lv/chat`, `/lv/list?n=300`, `/lv/nav`, `/lv/plain`, the `/live` socket
 *   and the client bundle at `/assets/app.js`.
 *
 * Test knobs (options of `startConformanceServer`, or CLI flags):
 * `idleTimeout` (`--idle-timeout MS`), `maxFrameSize` (`--max-frame-size BYTES`),
 * `limits` (`--max-channels N` sets `limits.maxChannels`), `maxQueuedBytes`, `sendTimeout`, `checkOrigin` (on with `--check-origin HOST`),
 * `longpollWindow` (`--longpoll-window MS`). The secret key base is `SECRET_KEY_BASE` or a
 * fixed test value, the same on every node (LongPoll tokens cross nodes).
 * Cluster and presence (`presence`): `--pubsub redis://…|nats://…`, `--node NAME`,
 * `--pubsub-name NAME`, `--broadcast-period MS`, `--down-period MS`.
 * `--workers N`: N worker processes sharing the port, joined by the `cluster`
 * PubSub adapter (test/support/conformance-cluster.ts); without it, one process.
 */
import { parseArgs } from 'node:util'
import {
  broadcast,
  broadcastFrom,
  type Channel,
  type CheckOrigin,
  channel,
  createEndpoint,
  createHandler,
  defineSocket,
  type Endpoint,
  error,
  expireAt,
  json,
  type Logger,
  noreply,
  ok,
  type Presence,
  push,
  Router,
  reply,
  type SocketLimits,
  stop,
} from '../../src/extend.ts'
import { runConformanceCluster } from './conformance-cluster.ts'
import {
  type PresenceServerOptions,
  presenceFlags,
  presenceIn,
  presenceInfo,
  presenceJoin,
  presenceOptions,
  startServerPresence,
  startServerPubSub,
  withPresence,
} from './conformance-presence.ts'
import { liveFixtures } from './live-fixtures/index.ts'

/** Options of the conformance server (all optional). */
export interface ConformanceOptions {
  readonly port?: number
  readonly host?: string
  readonly idleTimeout?: number
  readonly maxFrameSize?: number
  /** The socket's limits (rate, lengths, maxChannels). */
  readonly limits?: SocketLimits
  /** Outbound limits of the WebSocket transport. */
  readonly maxQueuedBytes?: number
  readonly sendTimeout?: number
  readonly checkOrigin?: CheckOrigin
  /** The endpoint's public host (what `checkOrigin: true` compares with). */
  readonly urlHost?: string
  readonly logger?: Logger
  /** The LongPoll window, ms (default 10 000). */
  readonly longpollWindow?: number
  /** The cluster (PubSub adapter, node name) and presence timings. */
  readonly presence?: PresenceServerOptions
}

type Assigns = { user?: string }

function roomChannel(endpoint: () => Endpoint, presence: () => Presence): Channel<Assigns> {
  return {
    name: 'RoomChannel',
    join(_topic, params, socket) {
      if (params.deny) return error({ reason: 'denied' })
      presenceJoin(presence(), params, socket)
      return ok(socket)
    },
    handleInfo(message, socket) {
      return presenceInfo(presence(), message, socket) ?? noreply(socket)
    },
    handleIn(event, payload, socket) {
      switch (event) {
        case 'ping':
          return reply(['ok', payload], socket)
        case 'broadcast':
          broadcast(socket, 'msg', payload)
          return reply('ok', socket)
        case 'shout':
          broadcastFrom(socket, 'msg', payload)
          return reply('ok', socket)
        case 'push':
          push(socket, 'msg', payload)
          return reply('ok', socket)
        case 'noreply':
          return noreply(socket)
        case 'stop':
          return stop('normal', socket, 'ok')
        case 'crash':
          throw new Error('crash requested by the client')
        case 'disconnect': {
          const id = payload instanceof Uint8Array ? undefined : payload.id
          if (typeof id === 'string') endpoint().broadcast(id, 'disconnect', {})
          return reply('ok', socket)
        }
        default:
          return (
            presenceIn(presence(), event, payload, socket) ??
            reply(['error', { reason: `unknown event ${event}` }], socket)
          )
      }
    },
  }
}

const hello = createHandler(
  new Router({ name: 'ConformanceRouter' }).get('/hello', (conn) => json(conn, { hello: 'world' }))
    .plug,
)

const SECRET_KEY_BASE =
  process.env.SECRET_KEY_BASE ?? 'conformance-server-secret-key-base-not-for-production-0123456789'

/** Starts the conformance server; resolves with the running endpoint. */
export async function startConformanceServer(options: ConformanceOptions = {}): Promise<Endpoint> {
  let self: Endpoint | undefined
  const endpointRef = (): Endpoint => {
    if (self === undefined) throw new Error('the endpoint is not started')
    return self
  }
  const pubsub = await startServerPubSub(options.presence ?? {})
  const presence = await startServerPresence(pubsub, options.presence ?? {})
  const UserSocket = defineSocket<Assigns>({
    channels: [
      channel(
        'room:*',
        roomChannel(endpointRef, () => presence),
      ),
      channel('durable:*', {
        ...roomChannel(endpointRef, () => presence),
        name: 'DurableChannel',
        durable: { maxMessages: 100, maxAgeMs: 120_000 },
      }),
    ],
    connect(params, socket) {
      if (params.reject !== undefined) return false
      if (typeof params.user === 'string') socket.assigns = { user: params.user }
      // `ttl=MS`: the connection's credentials expire that long after connect.
      if (typeof params.ttl === 'string') return expireAt(socket, Date.now() + Number(params.ttl))
      return socket
    },
    id: (socket) =>
      socket.assigns.user === undefined ? null : `user_socket:${socket.assigns.user}`,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  })
  const live = liveFixtures()
  self = createEndpoint({
    port: options.port ?? 4000,
    host: options.host ?? '127.0.0.1',
    url: { host: options.urlHost ?? 'localhost' },
    handler: live.handler(hello),
    secretKeyBase: SECRET_KEY_BASE,
    pubsub,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    sockets: [
      {
        path: '/socket',
        socket: UserSocket,
        websocket: {
          checkOrigin: options.checkOrigin ?? false,
          ...(options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout }),
          ...(options.maxFrameSize === undefined ? {} : { maxFrameSize: options.maxFrameSize }),
          ...(options.maxQueuedBytes === undefined
            ? {}
            : { maxQueuedBytes: options.maxQueuedBytes }),
          ...(options.sendTimeout === undefined ? {} : { sendTimeout: options.sendTimeout }),
        },
        longpoll: {
          checkOrigin: options.checkOrigin ?? false,
          ...(options.longpollWindow === undefined ? {} : { window: options.longpollWindow }),
          ...(options.maxQueuedBytes === undefined
            ? {}
            : { maxQueuedBytes: options.maxQueuedBytes }),
        },
      },
      live.socket,
    ],
  })
  await self.start()
  return withPresence(self, presence, pubsub)
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4000' },
      host: { type: 'string', default: '127.0.0.1' },
      'idle-timeout': { type: 'string' },
      'max-frame-size': { type: 'string' },
      'max-channels': { type: 'string' },
      'check-origin': { type: 'string' },
      'longpoll-window': { type: 'string' },
      workers: { type: 'string' },
      ...presenceFlags,
    },
  })
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value))
  const idleTimeout = number(values['idle-timeout'])
  const maxFrameSize = number(values['max-frame-size'])
  const maxChannels = number(values['max-channels'])
  const longpollWindow = number(values['longpoll-window'])
  const options: ConformanceOptions = {
    port: Number(values.port),
    host: values.host,
    ...(idleTimeout === undefined ? {} : { idleTimeout }),
    ...(maxFrameSize === undefined ? {} : { maxFrameSize }),
    ...(maxChannels === undefined ? {} : { limits: { maxChannels } }),
    ...(longpollWindow === undefined ? {} : { longpollWindow }),
    ...(values['check-origin'] === undefined
      ? {}
      : { checkOrigin: true, urlHost: values['check-origin'] }),
    presence: presenceOptions(values),
  }
  const workers = number(values.workers)
  if (workers !== undefined) return runConformanceCluster(workers, options)
  const endpoint = await startConformanceServer(options)
  const shutdown = (): void => {
    void endpoint.stop().then(() => process.exit(0))
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
  console.log(`listening on ${endpoint.port}`)
}

// Run as a program (not when imported by a test).
const entry = process.argv[1]
if (entry !== undefined && /conformance-server\.(js|ts)$/.test(entry)) void main()
