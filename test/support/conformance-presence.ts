/**
 * The presence half of the conformance server (conformance-server.ts calls in here):
 *
 * - `room:*` joined with `params.track = NAME` tracks presence key NAME with meta
 *   `{name: NAME}` for the join's process and then pushes `presence_state`;
 * - the push `presence_update` with a meta object updates that presence (reply ok, or
 *   error `{reason: "not tracked"}`);
 * - the cluster flags: `--pubsub redis://…|nats://…` (default: one node, local PubSub),
 *   `--node NAME`, `--pubsub-name NAME` (nodes of one cluster share it; default
 *   `conformance`), `--broadcast-period MS` and `--down-period MS` (Presence timings, so
 *   tests can shorten them).
 */
import {
  type ChannelSocket,
  CinderError,
  clusterAdapter,
  type Endpoint,
  type HandleInResult,
  type HandleResult,
  natsAdapter,
  noreply,
  type Payload,
  type Presence,
  type PubSub,
  push,
  redisAdapter,
  reply,
  self,
  send,
  startPresence,
  startPubSub,
} from '../../src/extend.ts'

/** Cluster and presence options of the conformance server. */
export interface PresenceServerOptions {
  /** `redis://…` or `nats://…`; default: a local (single-node) PubSub. */
  readonly pubsub?: string
  /** This node's name (default: the PubSub's default). */
  readonly node?: string
  /** The PubSub name the nodes of one cluster share. Default `conformance`. */
  readonly pubsubName?: string
  readonly broadcastPeriod?: number
  readonly downPeriod?: number
}

/** The flags `main()` parses into `PresenceServerOptions` (for `parseArgs`). */
export const presenceFlags = {
  pubsub: { type: 'string' },
  node: { type: 'string' },
  'pubsub-name': { type: 'string' },
  'broadcast-period': { type: 'string' },
  'down-period': { type: 'string' },
} as const

/** Reads the parsed flags. */
export function presenceOptions(values: Record<string, unknown>): PresenceServerOptions {
  const text = (name: string) =>
    typeof values[name] === 'string' ? (values[name] as string) : undefined
  const number = (name: string) => {
    const value = text(name)
    return value === undefined ? undefined : Number(value)
  }
  const out: Record<string, string | number> = {}
  const set = (key: string, value: string | number | undefined) => {
    if (value !== undefined) out[key] = value
  }
  set('pubsub', text('pubsub'))
  set('node', text('node'))
  set('pubsubName', text('pubsub-name'))
  set('broadcastPeriod', number('broadcast-period'))
  set('downPeriod', number('down-period'))
  return out as PresenceServerOptions
}

/** The PubSub of a conformance server: local, or joined to a cluster through Redis or NATS. */
export async function startServerPubSub(options: PresenceServerOptions): Promise<PubSub> {
  const name = options.pubsubName ?? 'conformance'
  const node = options.node === undefined ? {} : { node: options.node }
  const url = options.pubsub
  if (url === undefined) return startPubSub({ name, ...node })
  if (/^rediss?:\/\//.test(url))
    return startPubSub({ name, ...node, adapter: redisAdapter({ url, maxReconnectDelay: 250 }) })
  if (/^(nats|tls):\/\//.test(url))
    return startPubSub({ name, ...node, adapter: natsAdapter({ servers: url }) })
  // Under runCluster: node:cluster workers joined through the primary.
  if (url === 'cluster') return startPubSub({ name, ...node, adapter: clusterAdapter() })
  throw new CinderError(
    'CINDER_ERR_PUBSUB_BAD_ARG',
    `expected --pubsub redis://…, nats://… or cluster, got ${url}`,
  )
}

/** Starts the server's Presence on `pubsub`. */
export function startServerPresence(
  pubsub: PubSub,
  options: PresenceServerOptions,
): Promise<Presence> {
  return startPresence({
    pubsub,
    name: 'conformance',
    ...(options.broadcastPeriod === undefined ? {} : { broadcastPeriod: options.broadcastPeriod }),
    ...(options.downPeriod === undefined ? {} : { downPeriod: options.downPeriod }),
  })
}

/** What the channel's process sends itself after a tracking join. */
const PUSH_STATE = Symbol('conformance.presence_state')

/** Call from `join`: tracks `params.track` and has the process push `presence_state` next. */
export function presenceJoin(
  presence: Presence,
  params: Record<string, unknown>,
  socket: ChannelSocket<object>,
): void {
  const name = params.track
  if (typeof name !== 'string') return
  presence.track(socket, name, { name })
  send(self(), PUSH_STATE)
}

/** Call from `handleInfo`: pushes `presence_state`; undefined for other messages. */
export function presenceInfo<A extends object>(
  presence: Presence,
  message: unknown,
  socket: ChannelSocket<A>,
): HandleResult<A> | undefined {
  if (message !== PUSH_STATE) return undefined
  push(socket, 'presence_state', presence.list(socket))
  return noreply(socket)
}

/** Call from `handleIn`: `presence_update`; undefined for other events. */
export function presenceIn<A extends object>(
  presence: Presence,
  event: string,
  payload: Payload,
  socket: ChannelSocket<A>,
): HandleInResult<A> | undefined {
  if (event !== 'presence_update') return undefined
  const key = trackedKey(presence, socket)
  if (key === undefined || payload instanceof Uint8Array)
    return reply(['error', { reason: 'not tracked' }], socket)
  presence.update(socket, key, payload as Record<string, unknown>)
  return reply('ok', socket)
}

/** The key this channel's process tracks on its topic, if any. */
function trackedKey(presence: Presence, socket: ChannelSocket<object>): string | undefined {
  const pid = self().toString()
  const mine = presence.tracker.shardFor(socket.topic).state.getByPid(pid)
  return mine.find((entry) => entry.topic === socket.topic)?.key
}

/** The endpoint, with Presence and the PubSub stopped after it. */
export function withPresence(endpoint: Endpoint, presence: Presence, pubsub: PubSub): Endpoint {
  let stopping: Promise<void> | undefined
  return {
    start: () => endpoint.start(),
    stop() {
      stopping ??= (async () => {
        await endpoint.stop()
        await presence.stop()
        await pubsub.stop()
      })()
      return stopping
    },
    broadcast: (topic, event, payload) => endpoint.broadcast(topic, event, payload),
    get port() {
      return endpoint.port
    },
    get server() {
      return endpoint.server
    },
    get pubsub() {
      return endpoint.pubsub
    },
  }
}
