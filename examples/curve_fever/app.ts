/**
 * Curve Fever, assembled as a supervision tree:
 *
 *     curve fever (rest_for_one)
 *     ├─ pubsub      local, or Redis/NATS for a cluster
 *     ├─ presence    who is online, the open games
 *     ├─ metrics     Prometheus metrics at /metrics; the dashboard at /dashboard (dev)
 *     ├─ cluster     which nodes are up; tells Presence, rooms and channels when one dies
 *     ├─ lobby       chat and leaderboard tables
 *     ├─ rooms       a cluster-wide supervisor of the rooms, the reply desk
 *     └─ endpoint    `/socket` (the game channel) and `/live` (LiveView)
 *
 * Rooms save their state to the cluster's engine (Redis or NATS key-value; memory on one node
 * or between `--workers` without either), so a room whose node dies starts again on another.
 * `curveFever()` only builds the parts; main.ts runs `children` as the application, tests
 * start them with `startCurveFever`. A part that restarts restarts the parts after it.
 */
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import {
  type Adapter,
  type ChildSpec,
  type Cluster,
  createCluster,
  createEndpoint,
  createHandler,
  createLive,
  createMetrics,
  createPresence,
  createPubSub,
  type Endpoint,
  liveDashboard,
  natsAdapter,
  type Pid,
  type Presence,
  type PubSub,
  pipeline,
  redisAdapter,
  type SessionOptions,
  session,
  startSupervisor,
  stopProcess,
} from 'cinder'
import { userSocket } from './channels/user-socket.ts'
import { DEFAULT_CHAT_LIMIT, Lobby } from './lobby/lobby.ts'
import type { RateLimit } from './rooms/rate-limit.ts'
import type { RoomSettings, TrafficMeter } from './rooms/room.ts'
import { RoomStore, type StoreEngine } from './rooms/room-store.ts'
import { Rooms } from './rooms/rooms.ts'
import type { TickStats } from './rooms/tick-stats.ts'
import { buildBundle, serveBundle } from './web/assets.ts'
import { webContext } from './web/context.ts'
import { serveFavicon } from './web/favicon.ts'
import { layout } from './web/layout.ts'
import { buildRouter } from './web/router.ts'

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
  /**
   * Signs sessions and tokens; the same on every node (64+ bytes). Default: a random secret of
   * this call, so sessions end with the process (main.ts keeps one: see secret.ts).
   */
  readonly secretKeyBase?: string
  /** Offers the room crash control. Default false. */
  readonly dev?: boolean
  /** Room behaviour (tests shorten pauses, set a target score…). */
  readonly room?: Partial<RoomSettings>
  /** Presence heartbeat period in ms (default 1500; tests of clusters use less). */
  readonly presenceBroadcastPeriod?: number
  /** Cluster heartbeat and down period in ms (default 1000 and 5000). */
  readonly heartbeatInterval?: number
  readonly downAfter?: number
  readonly stats?: TickStats
  readonly meter?: TrafficMeter
  /** What one user may do, and how many rooms this node runs (see `DEFAULT_LIMITS`). */
  readonly limits?: Partial<CurveFeverLimits>
  /** Minify the client bundle. Default false. */
  readonly minify?: boolean
  /** The live-reload script pages load under `npm run dev` (CINDER_LIVE_RELOAD). */
  readonly liveReload?: string
}

type Metrics = ReturnType<typeof createMetrics>

export interface CurveFeverLimits {
  /** Chat lines per user and node. */
  readonly chat: RateLimit
  /** Games a user may start from the lobby. */
  readonly newGames: RateLimit
  /** Rooms running on this node; "New game" says so past it. */
  readonly maxRooms: number
}

/** Chat: 5 lines at once, then 1 a second; games: 3 at once, then 1 every 20 s; 1000 rooms. */
export const DEFAULT_LIMITS: CurveFeverLimits = {
  chat: DEFAULT_CHAT_LIMIT,
  newGames: { burst: 3, perSecond: 1 / 20 },
  maxRooms: 1000,
}

/** The parts of one node, built and not yet running. */
export interface CurveFeverParts {
  readonly pubsub: PubSub
  readonly presence: Presence
  readonly metrics: Metrics
  readonly cluster: Cluster
  /** Where rooms save their state: connected by its part of the tree. */
  readonly store: RoomStore
  readonly lobby: Lobby
  readonly rooms: Rooms
  readonly endpoint: Endpoint & { childSpec(): ChildSpec }
  /** The tree's children, in start order. */
  readonly children: ChildSpec[]
}

/** A node started outside an application (tests, `runCluster` workers). */
export interface CurveFever extends CurveFeverParts {
  /** `http://host:port` */
  readonly url: string
  /** The root supervisor. */
  readonly pid: Pid
  stop(): Promise<void>
}

/** Builds the parts of one node (the client bundle too); nothing runs yet. */
export async function curveFever(options: CurveFeverOptions = {}): Promise<CurveFeverParts> {
  const port = options.port ?? 4000
  const secretKeyBase = options.secretKeyBase ?? randomBytes(48).toString('base64url')
  const dev = options.dev ?? false
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  const name = options.cluster ?? 'curve_fever'
  const pubsub = createPubSub({
    name,
    node: options.node ?? `${hostname()}-${port}`,
    ...adapterOf(options),
  })
  const presence = createPresence({
    pubsub,
    name,
    ...(options.presenceBroadcastPeriod === undefined
      ? {}
      : { broadcastPeriod: options.presenceBroadcastPeriod }),
  })
  const metrics = createMetrics({ pubsub, presences: [presence] })
  const cluster = createCluster({
    pubsub,
    name,
    presences: [presence],
    ...(options.heartbeatInterval === undefined
      ? {}
      : { heartbeatInterval: options.heartbeatInterval }),
    ...(options.downAfter === undefined ? {} : { downAfter: options.downAfter }),
  })
  const store = new RoomStore(storeEngine(options))
  const lobby = new Lobby({ pubsub, presence, chatLimit: limits.chat })
  const broadcastVia: { endpoint?: Endpoint } = {}
  const rooms = new Rooms({
    pubsub,
    presence,
    cluster,
    store,
    broadcast: (topic, event, payload) => broadcastVia.endpoint?.broadcast(topic, event, payload),
    settings: { dev, ...options.room },
    maxRooms: limits.maxRooms,
    onMatchOver: (result) => lobby.recordWin(result.winner),
    ...(options.stats === undefined ? {} : { stats: options.stats }),
    ...(options.meter === undefined ? {} : { meter: options.meter }),
  })
  const endpoint = await buildEndpoint(options, {
    pubsub,
    rooms,
    lobby,
    metrics,
    cluster,
    secretKeyBase,
    dev,
    limits,
  })
  broadcastVia.endpoint = endpoint
  const children = [pubsub, presence, metrics, cluster, lobby, store, rooms, endpoint].map((part) =>
    part.childSpec(),
  )
  return { pubsub, presence, metrics, cluster, store, lobby, rooms, endpoint, children }
}

/** Builds and starts one node; `stop()` stops its tree. */
export async function startCurveFever(options: CurveFeverOptions = {}): Promise<CurveFever> {
  const parts = await curveFever(options)
  const pid = await startSupervisor(parts.children, { strategy: 'rest_for_one' })
  let stopping: Promise<void> | undefined
  return {
    ...parts,
    pid,
    url: `http://${options.host ?? '127.0.0.1'}:${parts.endpoint.port}`,
    stop() {
      stopping ??= stopProcess(pid, 'shutdown').catch(() => {})
      return stopping
    },
  }
}

interface EndpointParts {
  readonly pubsub: PubSub
  readonly rooms: Rooms
  readonly lobby: Lobby
  readonly metrics: Metrics
  readonly cluster: Cluster
  readonly secretKeyBase: string
  readonly dev: boolean
  readonly limits: CurveFeverLimits
}

/** The HTTP pipeline with the live pages, the game socket and the live socket. */
async function buildEndpoint(options: CurveFeverOptions, parts: EndpointParts) {
  const { pubsub, rooms, lobby, metrics, cluster, secretKeyBase, dev, limits } = parts
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
    layout: layout(bundle.path, options.liveReload),
  })
  const router = buildRouter(
    webContext({ secretKeyBase, rooms, lobby, dev, newGames: limits.newGames }),
    live,
  )
  // In development, the live dashboard (rooms show as processes under the room supervisor).
  if (dev)
    router.scope('/', { pipeThrough: ['browser'] }, (r) =>
      liveDashboard(r, '/dashboard', { metrics, cluster }),
    )
  const handler = createHandler(
    pipeline([
      session(sessionOptions),
      serveBundle(bundle),
      serveFavicon,
      metrics.plug,
      router.plug,
    ]),
    { debugErrors: dev },
  )
  return createEndpoint({
    port: options.port ?? 4000,
    host: options.host ?? '127.0.0.1',
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
}

/** The cluster's engine keeps the rooms' state: Redis or NATS key-value, else this process. */
function storeEngine(options: CurveFeverOptions): StoreEngine {
  if (options.adapter !== undefined) return { memory: true }
  if (options.redisUrl !== undefined) return { redis: options.redisUrl }
  if (options.natsUrl !== undefined) return { nats: options.natsUrl }
  return { memory: true }
}

function adapterOf(options: CurveFeverOptions) {
  if (options.adapter !== undefined) return { adapter: options.adapter }
  if (options.redisUrl !== undefined) return { adapter: redisAdapter({ url: options.redisUrl }) }
  if (options.natsUrl !== undefined) return { adapter: natsAdapter({ servers: options.natsUrl }) }
  return {}
}
