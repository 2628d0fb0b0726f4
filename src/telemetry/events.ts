/**
 * Cinder's events: every name, and what its context carries. The catalogue
 * with each field's meaning is docs/observability.md; a test subscribes to
 * each one and checks its payload.
 *
 * Spans (work with a duration) are TracingChannels: subscribe to
 * `tracing:<name>:start|end|asyncStart|asyncEnd|error`, or use
 * `subscribeSpan`. Points (something happened) are plain channels named
 * `<name>`. Emitters build a payload only when `hasSubscribers` is true.
 *
 * This part imports no other, so any part may emit: objects of other parts
 * (a conn, a pid) travel as `unknown`-typed fields documented below.
 */
import { type Channel, channel } from 'node:diagnostics_channel'
import { Span } from './span.ts'

// ---------------------------------------------------------------------------
// Spans

/** `cinder:endpoint:request`: one HTTP request through a plug (the endpoint's, or `createHandler`'s). */
export interface RequestContext {
  readonly method: string
  readonly path: string
  /** The `Conn`. */
  readonly conn: unknown
  /** The response status, when the span ends. */
  status?: number
}

/** `cinder:router:dispatch`: a matched route's pipelines and action. */
export interface DispatchContext {
  readonly router: string
  readonly method: string
  readonly path: string
  /** The route's pattern (`/users/:id`). */
  readonly route: string
  readonly kind: 'action' | 'forward' | 'live'
  readonly conn: unknown
}

/** `cinder:socket:connect`: a socket's `connect` callback for a new connection. */
export interface ConnectContext {
  readonly transport: string
  /** The serializer version the client asked for. */
  readonly vsn: string
  /** `'ok'`, or the error the connection was refused with (`'refused'`, `'credentials expired'`…). */
  result?: string
}

/** `cinder:channel:join`: a channel's `join`. */
export interface JoinContext {
  readonly topic: string
  /** The channel's name (`Channel.name`, else its route pattern). */
  readonly channel: string
  readonly transport: string
  /** The socket's id (`id` callback), or null. */
  readonly socketId: string | null
  readonly params: Readonly<Record<string, unknown>>
  /** `'ok'` or `'error'` when the join answered. */
  result?: 'ok' | 'error'
}

/** `cinder:channel:handle_in`: a client push handled by `handleIn`. */
export interface HandleInContext {
  readonly topic: string
  readonly channel: string
  readonly transport: string
  readonly event: string
  readonly payload: unknown
  readonly ref: string | null
}

/** `cinder:live:mount`: a LiveView's `mount`, on the HTTP render (`connected` false) and on join. */
export interface LiveMountContext {
  readonly view: string
  readonly connected: boolean
  readonly params: Readonly<Record<string, unknown>>
  readonly uri: string | undefined
  /** The container's DOM id (the topic is `lv:<id>`). */
  readonly id: string
}

/** `cinder:live:handle_params`: `handleParams` after a mount or a live patch. */
export interface LiveParamsContext {
  readonly view: string
  readonly params: Readonly<Record<string, unknown>>
  readonly uri: string
  readonly id: string
}

/** `cinder:live:handle_event`: a browser event handled by `handleEvent`. */
export interface LiveEventContext {
  readonly view: string
  readonly event: string
  readonly value: Readonly<Record<string, unknown>>
  readonly id: string
}

/** `cinder:live:render`: a connected render and its diff. */
export interface LiveRenderContext {
  readonly view: string
  readonly id: string
  /** The diff's size as JSON, in bytes (set when the span ends). */
  diffBytes?: number
}

export const endpointRequest = new Span<RequestContext>('cinder:endpoint:request')
export const routerDispatch = new Span<DispatchContext>('cinder:router:dispatch')
export const socketConnect = new Span<ConnectContext>('cinder:socket:connect')
export const channelJoin = new Span<JoinContext>('cinder:channel:join')
export const channelHandleIn = new Span<HandleInContext>('cinder:channel:handle_in')
export const liveMount = new Span<LiveMountContext>('cinder:live:mount')
export const liveHandleParams = new Span<LiveParamsContext>('cinder:live:handle_params')
export const liveHandleEvent = new Span<LiveEventContext>('cinder:live:handle_event')
export const liveRender = new Span<LiveRenderContext>('cinder:live:render')

// ---------------------------------------------------------------------------
// Points

/** A plain channel whose messages are `T`. */
export class Point<T> {
  readonly name: string
  readonly channel: Channel<unknown, T>

  constructor(name: string) {
    this.name = name
    this.channel = channel(name) as Channel<unknown, T>
  }

  /** True when anything listens: only then does an emitter build its message. */
  get hasSubscribers(): boolean {
    return this.channel.hasSubscribers
  }

  publish(message: T): void {
    this.channel.publish(message)
  }
}

/** Subscribes `fn` to a point; returns a function that unsubscribes. */
export function subscribePoint<T>(point: Point<T>, fn: (message: T) => void): () => void {
  const listener = fn as (message: unknown) => void
  point.channel.subscribe(listener)
  return () => {
    point.channel.unsubscribe(listener)
  }
}

/** `cinder:channel:leave`: a joined channel stopped, for any reason (left, closed, crashed…). */
export interface ChannelLeaveEvent {
  readonly topic: string
  readonly channel: string
  readonly transport: string
  readonly reason: unknown
  /** False for a crash (the client gets `phx_error`). */
  readonly graceful: boolean
}

/** `cinder:channel:crash`: a channel's process crashed (after join, or in it). */
export interface ChannelCrashEvent {
  readonly topic: string
  readonly channel: string
  readonly transport: string
  readonly reason: unknown
}

/** `cinder:pubsub:broadcast`: a broadcast made on this node. */
export interface BroadcastEvent {
  readonly pubsub: string
  readonly node: string
  readonly topic: string
  /** `cluster` (every node), `local` (this node) or `direct` (one named node). */
  readonly scope: 'cluster' | 'local' | 'direct'
  /** The dispatcher's name (`'fastlane'` for channel broadcasts), or null. */
  readonly dispatcher: string | null
  /** Subscriptions on this node the message went to (the fan-out here). */
  readonly subscribers: number
}

/** `cinder:pubsub:receive`: a broadcast from another node, dispatched here. */
export interface ReceiveEvent {
  readonly pubsub: string
  readonly node: string
  /** The node that broadcast it. */
  readonly origin: string
  readonly topic: string
  readonly dispatcher: string | null
  readonly subscribers: number
  /** The encoded frame's size, in bytes (characters for a string frame). */
  readonly bytes: number
}

/** `cinder:presence:track`: a presence was tracked on this node. */
export interface PresenceTrackEvent {
  readonly tracker: string
  readonly topic: string
  readonly key: string
  /** The owner's pid, as `<node.id>`. */
  readonly pid: string
  readonly meta: Readonly<Record<string, unknown>>
}

/** `cinder:presence:untrack`: presences of this node untracked (by call, or as their owner stopped). */
export interface PresenceUntrackEvent {
  readonly tracker: string
  readonly topic: string | undefined
  readonly key: string | undefined
  readonly pid: string
  readonly removed: number
}

/** `cinder:presence:diff`: a `presence_diff` broadcast to a topic's clients. */
export interface PresenceDiffEvent {
  readonly topic: string
  readonly joins: number
  readonly leaves: number
}

/** `cinder:process:crash`: a process stopped with an abnormal reason (logged once, as here). */
export interface ProcessCrashEvent {
  /** The `Pid`. */
  readonly pid: unknown
  /** Its registered name or behaviour name. */
  readonly name: string | undefined
  readonly reason: unknown
}

/** `cinder:process:restart`: a supervisor restarts children. */
export interface ProcessRestartEvent {
  /** The supervisor's `Pid`. */
  readonly supervisor: unknown
  readonly strategy: string
  /** The ids of the children it restarts. */
  readonly children: readonly string[]
  /** The exit reason of the child that stopped. */
  readonly reason: unknown
}

/** `cinder:supervisor:intensity`: a supervisor passed its restart intensity and gives up. */
export interface IntensityEvent {
  readonly supervisor: unknown
  readonly maxRestarts: number
  readonly maxSeconds: number
}

/** `cinder:socket:overload`: a connection closed or refused by a limit. */
export interface OverloadEvent {
  readonly transport: string
  /**
   * `slow_consumer` (outbound queue over `maxQueuedBytes`), `send_timeout`,
   * `rate_limit` (went on past its rate), `credentials_expired`,
   * `idle_timeout`, `too_many_headers` (HTTP 431).
   */
  readonly reason: string
  /** The WebSocket close code or HTTP status. */
  readonly code: number
}

/** `cinder:live:snapshot`: what became of a LiveView's persisted state (docs/durability.md). */
export interface LiveSnapshotEvent {
  readonly view: string
  /** The container id. */
  readonly id: string
  /**
   * `saved`, `restored`; not saved: `too_large`, `failed` (persist threw, the store failed);
   * not restored: `refused` (signature, container or session), `outdated` (another view or
   * `persistVersion`).
   */
  readonly outcome: 'saved' | 'restored' | 'too_large' | 'failed' | 'refused' | 'outdated'
  /** Bytes of the persisted JSON (saved, restored, too_large), else 0. */
  readonly bytes: number
}

export const channelLeave = new Point<ChannelLeaveEvent>('cinder:channel:leave')
export const channelCrash = new Point<ChannelCrashEvent>('cinder:channel:crash')
export const pubsubBroadcast = new Point<BroadcastEvent>('cinder:pubsub:broadcast')
export const pubsubReceive = new Point<ReceiveEvent>('cinder:pubsub:receive')
export const presenceTrack = new Point<PresenceTrackEvent>('cinder:presence:track')
export const presenceUntrack = new Point<PresenceUntrackEvent>('cinder:presence:untrack')
export const presenceDiff = new Point<PresenceDiffEvent>('cinder:presence:diff')
export const processCrash = new Point<ProcessCrashEvent>('cinder:process:crash')
export const processRestart = new Point<ProcessRestartEvent>('cinder:process:restart')
export const supervisorIntensity = new Point<IntensityEvent>('cinder:supervisor:intensity')
export const socketOverload = new Point<OverloadEvent>('cinder:socket:overload')
export const liveSnapshot = new Point<LiveSnapshotEvent>('cinder:live:snapshot')

/** Every span's and point's name, for documentation and tests. */
export const EVENT_NAMES = {
  spans: [
    endpointRequest,
    routerDispatch,
    socketConnect,
    channelJoin,
    channelHandleIn,
    liveMount,
    liveHandleParams,
    liveHandleEvent,
    liveRender,
  ].map((s) => s.name),
  points: [
    channelLeave,
    channelCrash,
    pubsubBroadcast,
    pubsubReceive,
    presenceTrack,
    presenceUntrack,
    presenceDiff,
    processCrash,
    processRestart,
    supervisorIntensity,
    socketOverload,
    liveSnapshot,
  ].map((p) => p.name),
} as const
