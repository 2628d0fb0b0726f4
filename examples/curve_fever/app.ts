/**
 * Curve Fever, assembled: PubSub (local, or Redis/NATS for a cluster) → Presence → the lobby
 * and the rooms → the HTTP pipeline with the live pages → one Endpoint serving `/socket` (the
 * game channel) and `/live` (LiveView). `stop()` takes it down in the reverse order.
 */
import { hostname } from 'node:os'
import {
  type Adapter,
  createEndpoint,
  createHandler,
  createLive,
  createPresence,
  createPubSub,
  type Endpoint,
  natsAdapter,
  type Presence,
  type PubSub,
  pipeline,
  redisAdapter,
  type SessionOptions,
  session,
} from 'cinder'
import { userSocket } from './channels/user-socket.ts'
import { Lobby } from './lobby/lobby.ts'
import type { RoomSettings, TrafficMeter } from './rooms/room.ts'
import { Rooms } from './rooms/rooms.ts'
import type { TickStats } from './rooms/tick-stats.ts'
import { buildBundle, serveBundle } from './web/assets.ts'
import { webContext } from './web/context.ts'
import { layout } from './web/layout.ts'
import { buildRouter } from './web/router.ts'

/** Only for development: set SECRET_KEY_BASE (64+ bytes, the same on every node) in production. */
const DEV_SECRET = 'curve-fever-development-secret-key-base-do-not-use-in-production-0123456789'

export interface CurveFeverOptions {
  /** Default 4000; 0 picks a free port. */
  readonly port?: number
  /** Default 127.0.0.1. */
  readonly host?: string
  /** Carries the cluster (e.g. `clusterAdapter()` in a `runCluster` worker); wins over the URLs. */
  readonly adapter?: Adapter
  /** Joins a cluster through Redis (`redis://…`) or NATS (`nats://…`); default: one node. */
  readonly redisUrl?: string
  readonly natsUrl?: string
  /** The cluster's name: nodes with the same name (and server) share everything. Default `curve_fever`. */
  readonly cluster?: string
  /** This node's name in the cluster. Default: `<hostname>-<port>`. */
  readonly node?: string
  /** Signs sessions and tokens; the same on every node. Default: a development secret. */
  readonly secretKeyBase?: string
  /** Offers the room crash control. Default false. */
  readonly dev?: boolean
  /** Room behaviour (tests shorten pauses, set a target score…). */
  readonly room?: Partial<RoomSettings>
  /** Presence heartbeat period in ms (default 1500; tests of clusters use less). */
  readonly presenceBroadcastPeriod?: number
  readonly stats?: TickStats
  readonly meter?: TrafficMeter
  /** Minify the client bundle. Default false. */
  readonly minify?: boolean
}

export interface CurveFever {
  readonly endpoint: Endpoint
  readonly pubsub: PubSub
  readonly presence: Presence
  readonly rooms: Rooms
  readonly lobby: Lobby
  /** `http://host:port` */
  readonly url: string
  stop(): Promise<void>
}

export async function startCurveFever(options: CurveFeverOptions = {}): Promise<CurveFever> {
  const port = options.port ?? 4000
  const host = options.host ?? '127.0.0.1'
  const secretKeyBase = options.secretKeyBase ?? DEV_SECRET
  const dev = options.dev ?? false
  const cluster = options.cluster ?? 'curve_fever'
  const pubsub = await createPubSub({
    name: cluster,
    node: options.node ?? `${hostname()}-${port}`,
    ...adapterOf(options),
  })
  const presence = await createPresence({
    pubsub,
    name: cluster,
    ...(options.presenceBroadcastPeriod === undefined
      ? {}
      : { broadcastPeriod: options.presenceBroadcastPeriod }),
  })
  const lobby = await Lobby.start({ pubsub, presence })
  let endpoint: Endpoint | undefined
  const rooms = await Rooms.start({
    pubsub,
    presence,
    broadcast: (topic, event, payload) => endpoint?.broadcast(topic, event, payload as never),
    settings: { dev, ...options.room },
    onMatchOver: (result) => lobby.recordWin(result.winner),
    ...(options.stats === undefined ? {} : { stats: options.stats }),
    ...(options.meter === undefined ? {} : { meter: options.meter }),
  })

  const sessionOptions: SessionOptions = {
    key: '_curve_fever_key',
    secretKeyBase,
    signingSalt: 'cf-session-v1',
  }
  const bundle = await buildBundle({ minify: options.minify ?? false })
  const live = createLive({
    secretKeyBase,
    signingSalt: 'cf-live-view-v1',
    session: sessionOptions,
    layout: layout(bundle.path),
  })
  const web = webContext({ secretKeyBase, rooms, lobby, dev })
  const router = buildRouter(web, live)
  const handler = createHandler(
    pipeline([session(sessionOptions), serveBundle(bundle), router.plug]),
    { debugErrors: dev },
  )
  endpoint = createEndpoint({
    port,
    host,
    pubsub,
    secretKeyBase,
    handler,
    sockets: [
      {
        path: '/socket',
        socket: userSocket({ secretKeyBase, rooms, pubsub, dev }),
        websocket: { checkOrigin: 'conn' },
      },
      { path: '/live', socket: live.socket(router), websocket: { checkOrigin: 'conn' } },
    ],
  })
  await endpoint.start()
  const running = endpoint
  let stopping: Promise<void> | undefined
  return {
    endpoint: running,
    pubsub,
    presence,
    rooms,
    lobby,
    url: `http://${host}:${running.port}`,
    stop() {
      stopping ??= (async () => {
        await rooms.stop()
        await running.stop()
        await lobby.stop()
        await presence.stop()
        await pubsub.stop()
      })()
      return stopping
    },
  }
}

function adapterOf(options: CurveFeverOptions) {
  if (options.adapter !== undefined) return { adapter: options.adapter }
  if (options.redisUrl !== undefined) return { adapter: redisAdapter({ url: options.redisUrl }) }
  if (options.natsUrl !== undefined) return { adapter: natsAdapter({ servers: options.natsUrl }) }
  return {}
}
