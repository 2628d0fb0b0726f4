/**
 * Presence: who is in each topic, across the cluster, in the shapes the official client's
 * `Presence` class syncs (after Phoenix.Presence). See docs/presence.md.
 *
 * - `track(socket, key, meta)` from a channel (or `track(pid, topic, key, meta)` from any
 *   process) adds a presence; it is untracked when the channel or process stops.
 * - `list(socket)` is the `presence_state` payload, which a channel pushes after its join.
 * - Every change, on any node, reaches the channels of the topic on this node as a
 *   `presence_diff` broadcast: each node computes and sends its own diffs (a local broadcast),
 *   batched per topic under load (see diff-batcher.ts).
 * - `fetch(topic, presences)` may add fields beside `metas` (e.g. user records), for lists
 *   and diffs alike. It may return a promise (a database lookup): a topic's diffs then wait
 *   for one another, so they leave in order (Phoenix chains a task per topic the same way),
 *   and lists are read with `listAsync` / `getAsync`.
 */

import { broadcastMessage } from '../channel/broadcast.ts'
import { FASTLANE, registerFastlane } from '../channel/fastlane.ts'
import { ChannelSocket } from '../channel/index.ts'
import { CinderError, describe } from '../errors.ts'
import { type ChildSpec, getLogger, type Pid } from '../process/index.ts'
import { presenceDiff as diffEvent } from '../telemetry/index.ts'
import { DiffBatcher } from './diff-batcher.ts'
import {
  type KeyedMeta,
  type PresenceDiff,
  type PresenceGroup,
  type PresenceMap,
  presenceDiff,
  presenceState,
} from './presence-diff.ts'
import type { Diff, Meta } from './tracker/state.ts'
import { startTracker, type Tracker, type TrackerOptions, type TrackOwner } from './tracker.ts'

/** Options of `startPresence`: the Tracker's (but `onDiff`), plus `fetch` and `diffBurst`. */
export interface PresenceOptions extends Omit<TrackerOptions, 'onDiff'> {
  /**
   * Adds data to what clients receive: gets a topic's presences grouped by key (in a list,
   * or the joins or leaves of a diff) and returns them, e.g. with a `user` field beside each
   * `metas`. Default: unchanged. May return a promise: see `listAsync`.
   */
  readonly fetch?: (topic: string, presences: PresenceMap) => PresenceMap | Promise<PresenceMap>
  /** `presence_diff`s a topic may send per broadcast period before they are batched. Default 10. */
  readonly diffBurst?: number
}

/** A meta, or a function of the previous meta (without its refs) giving the new one. */
export type MetaUpdate = Meta | ((previous: Meta) => Meta)

/**
 * Builds a Presence without starting it: put `presence.childSpec()` in the
 * application's supervision tree (or call `presence.start()`).
 */
export function createPresence(options: PresenceOptions): Presence {
  return new Presence(options)
}

/** Builds and starts a Presence (and its Tracker). */
export async function startPresence(options: PresenceOptions): Promise<Presence> {
  const presence = new Presence(options)
  await presence.start()
  return presence
}

/** Presence on a Tracker. See `startPresence`. */
export class Presence {
  readonly #options: PresenceOptions
  readonly #batcher: DiffBatcher
  /** Per topic, the diff still waiting for an async fetch: later diffs of the topic wait behind it. */
  readonly #inFlight = new Map<string, Promise<void>>()
  #closed = false
  #starting: Promise<Tracker> | undefined
  #running: Tracker | undefined

  constructor(options: PresenceOptions) {
    if (typeof options !== 'object' || options === null || typeof options.pubsub !== 'object') {
      throw new CinderError(
        'CINDER_ERR_PRESENCE_BAD_ARG',
        `expected presence options with a pubsub, got ${describe(options)}`,
      )
    }
    const burst = options.diffBurst ?? 10
    if (!Number.isInteger(burst) || burst < 1) {
      throw new CinderError(
        'CINDER_ERR_PRESENCE_BAD_ARG',
        `expected diffBurst to be a positive integer, got ${describe(options.diffBurst)}`,
      )
    }
    this.#options = options
    this.#batcher = new DiffBatcher({
      window: options.broadcastPeriod ?? 1500,
      burst,
      flush: (topic, joins, leaves) => this.#sendDiff(topic, joins, leaves),
    })
  }

  /** The Tracker underneath (after `start`). */
  get tracker(): Tracker {
    return this.#live()
  }

  /** Starts the Tracker. */
  async start(): Promise<void> {
    this.#starting ??= this.#startTracker()
    this.#running = await this.#starting
  }

  #startTracker(): Promise<Tracker> {
    registerFastlane(this.#options.pubsub)
    const { fetch: _fetch, diffBurst: _burst, ...trackerOptions } = this.#options
    return startTracker({ ...trackerOptions, onDiff: (diff) => this.#onDiff(diff) })
  }

  /**
   * The Presence as a child of an application's supervision tree: starting it starts the
   * Tracker (its shard supervisor is the child's pid); if that supervisor gives up, the
   * parent's restart starts a fresh Tracker in its place. Use `new Presence(options)`, not
   * `startPresence`, when the tree starts it.
   *
   * @example
   * const presence = new Presence({ pubsub })
   * await startSupervisor([presence.childSpec(), …])
   */
  childSpec(id = `presence ${this.#options.name ?? 'presence'}`): ChildSpec {
    return {
      id,
      type: 'supervisor',
      shutdown: 'infinity',
      start: async () => {
        // A restart replaces a Tracker whose supervisor stopped.
        this.#starting = this.#startTracker()
        const tracker = await this.#starting
        this.#running = tracker
        const supervisor = tracker.supervisor
        if (supervisor === undefined) throw new Error('the tracker started without a supervisor')
        return supervisor
      },
    }
  }

  /** Tells the Tracker that `node` is gone: its presences leave now (see `Tracker.nodeDown`). */
  nodeDown(node: string): void {
    this.#running?.nodeDown(node)
  }

  /** Stops the Tracker; pending diffs are dropped (also those waiting for an async fetch). */
  async stop(): Promise<void> {
    this.#closed = true
    this.#batcher.close()
    await this.#running?.stop()
  }

  /**
   * Tracks a presence and returns its `phx_ref`.
   *
   * - `track(socket, key, meta)`: the channel's join on `socket.topic`; untracked when the
   *   channel stops (leave, crash, socket closed).
   * - `track(pid, topic, key, meta)`: a process; untracked when it stops.
   *
   * Throws CINDER_ERR_PRESENCE_ALREADY_TRACKED when that owner already tracks `key` there.
   */
  track(socket: ChannelSocket<object>, key: string, meta?: Meta): string
  track(pid: Pid, topic: string, key: string, meta?: Meta): string
  track(owner: TrackOwner, ...rest: unknown[]): string {
    const [topic, key, meta] = this.#args(owner, rest)
    return this.#live().track(owner, topic, key as string, (meta ?? {}) as Meta)
  }

  /**
   * Untracks a presence: `untrack(socket, key)` or `untrack(pid, topic, key)`; with no key,
   * every presence of the socket on its topic (`untrack(socket)`) or of the process
   * (`untrack(pid)`). Returns how many were removed.
   */
  untrack(socket: ChannelSocket<object>, key?: string): number
  untrack(pid: Pid, topic?: string, key?: string): number
  untrack(owner: TrackOwner, ...rest: unknown[]): number {
    const tracker = this.#live()
    if (owner instanceof ChannelSocket)
      return tracker.untrack(owner, owner.topic, rest[0] as string | undefined)
    return tracker.untrack(owner, rest[0] as string | undefined, rest[1] as string | undefined)
  }

  /**
   * Replaces a presence's meta: `update(socket, key, meta)` or `update(pid, topic, key, meta)`,
   * where `meta` may be a function of the previous one. Clients get one diff with the new meta
   * joining (`phx_ref_prev` = the old ref) and the old one leaving. Returns the new `phx_ref`.
   * Throws CINDER_ERR_PRESENCE_NOT_TRACKED.
   */
  update(socket: ChannelSocket<object>, key: string, meta: MetaUpdate): string
  update(pid: Pid, topic: string, key: string, meta: MetaUpdate): string
  update(owner: TrackOwner, ...rest: unknown[]): string {
    const [topic, key, meta] = this.#args(owner, rest)
    return this.#live().update(owner, topic, key as string, meta as MetaUpdate)
  }

  /**
   * The `presence_state` payload of a topic (or of a channel socket's topic). With a `fetch`
   * that returns a promise, throws CINDER_ERR_PRESENCE_ASYNC_FETCH: use `listAsync`.
   */
  list(topic: string | ChannelSocket<object>): PresenceMap {
    const name = topicOf(topic)
    return this.#fetchNow(name, presenceState(this.#live().list(name)), 'list')
  }

  /** `list`, for any `fetch`, synchronous or not. */
  async listAsync(topic: string | ChannelSocket<object>): Promise<PresenceMap> {
    const name = topicOf(topic)
    return this.#fetch(name, presenceState(this.#live().list(name)))
  }

  /**
   * One key's presences on a topic, or undefined when nobody is there under that key. With a
   * `fetch` that returns a promise, throws CINDER_ERR_PRESENCE_ASYNC_FETCH: use `getAsync`.
   */
  get(topic: string | ChannelSocket<object>, key: string): PresenceGroup | undefined {
    const name = topicOf(topic)
    const found = this.#live().get(name, key)
    if (found.length === 0) return undefined
    return this.#fetchNow(name, presenceState(found), 'get')[key]
  }

  /** `get`, for any `fetch`, synchronous or not. */
  async getAsync(
    topic: string | ChannelSocket<object>,
    key: string,
  ): Promise<PresenceGroup | undefined> {
    const name = topicOf(topic)
    const found = this.#live().get(name, key)
    if (found.length === 0) return undefined
    return (await this.#fetch(name, presenceState(found)))[key]
  }

  #args(owner: TrackOwner, rest: unknown[]): [string, unknown, unknown] {
    if (owner instanceof ChannelSocket) return [owner.topic, rest[0], rest[1]]
    const topic = rest[0]
    if (typeof topic !== 'string') {
      throw new CinderError(
        'CINDER_ERR_PRESENCE_BAD_ARG',
        `expected (pid, topic, key, meta) or (socket, key, meta), got a topic of ${describe(topic)}`,
      )
    }
    return [topic, rest[1], rest[2]]
  }

  #onDiff(diff: Diff): void {
    for (const entry of diff.joins) this.#batcher.add(entry.topic, 'join', entry)
    for (const entry of diff.leaves) this.#batcher.add(entry.topic, 'leave', entry)
  }

  #sendDiff(topic: string, joins: KeyedMeta[], leaves: KeyedMeta[]): void {
    const raw = presenceDiff(joins, leaves)
    const waiting = this.#inFlight.get(topic)
    if (waiting !== undefined) {
      this.#chain(
        topic,
        waiting.then(() => this.#fetchDiff(topic, raw)),
      )
      return
    }
    let fetched: PresenceDiff | Promise<PresenceDiff>
    try {
      fetched = this.#fetchDiff(topic, raw)
    } catch (err) {
      this.#fetchFailed(topic, err)
      return
    }
    if (isPromise(fetched)) this.#chain(topic, fetched)
    else this.#broadcastDiff(topic, fetched)
  }

  /** The diff with `fetch` applied to both sides: a value when `fetch` gave values. */
  #fetchDiff(topic: string, raw: PresenceDiff): PresenceDiff | Promise<PresenceDiff> {
    const joins = this.#fetch(topic, raw.joins)
    const leaves = this.#fetch(topic, raw.leaves)
    if (!isPromise(joins) && !isPromise(leaves)) return { joins, leaves }
    return Promise.all([joins, leaves]).then(([j, l]) => ({ joins: j, leaves: l }))
  }

  /** Makes `diff` the topic's last diff in flight; it is broadcast when it settles, in order. */
  #chain(topic: string, diff: Promise<PresenceDiff>): void {
    const done: Promise<void> = diff.then(
      (payload) => this.#broadcastDiff(topic, payload),
      (err: unknown) => this.#fetchFailed(topic, err),
    )
    this.#inFlight.set(topic, done)
    void done.then(() => {
      if (this.#inFlight.get(topic) === done) this.#inFlight.delete(topic)
    })
  }

  #fetchFailed(topic: string, err: unknown): void {
    if (this.#closed) return
    const logger = this.#options.logger ?? getLogger()
    const why = err instanceof Error ? err.message : describe(err)
    logger.error(`presence: fetch for ${describe(topic)} failed; diff dropped: ${why}`)
  }

  #broadcastDiff(topic: string, payload: PresenceDiff): void {
    if (this.#closed) return
    const message = broadcastMessage(topic, 'presence_diff', { ...payload })
    if (diffEvent.hasSubscribers) {
      const { joins, leaves } = payload
      const count = (side: object) => Object.keys(side).length
      diffEvent.publish({ topic, joins: count(joins), leaves: count(leaves) })
    }
    try {
      this.#options.pubsub.localBroadcast(topic, message, FASTLANE)
    } catch (err) {
      // The PubSub stopped before this Presence: nobody is left to tell.
      if (!(err instanceof CinderError && err.code === 'CINDER_ERR_PUBSUB_NOT_RUNNING')) throw err
    }
  }

  #fetch(topic: string, presences: PresenceMap): PresenceMap | Promise<PresenceMap> {
    const fetch = this.#options.fetch
    return fetch === undefined ? presences : fetch(topic, presences)
  }

  /** `fetch`'s answer for `list` / `get`, which cannot wait for a promise. */
  #fetchNow(topic: string, presences: PresenceMap, call: 'list' | 'get'): PresenceMap {
    const fetched = this.#fetch(topic, presences)
    if (!isPromise(fetched)) return fetched
    fetched.catch(() => {}) // nobody awaits it: its failure must not go unhandled
    throw new CinderError(
      'CINDER_ERR_PRESENCE_ASYNC_FETCH',
      `expected fetch to return presences for ${call}(${describe(topic)}), got a promise: await presence.${call}Async(…) instead`,
    )
  }

  #live(): Tracker {
    const tracker = this.#running
    if (tracker === undefined) {
      throw new CinderError(
        'CINDER_ERR_PRESENCE_NOT_RUNNING',
        'expected a started Presence (await startPresence(…) or presence.start()), got one not started',
      )
    }
    return tracker
  }
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

function topicOf(topic: string | ChannelSocket<object>): string {
  if (topic instanceof ChannelSocket) return topic.topic
  if (typeof topic === 'string') return topic
  throw new CinderError(
    'CINDER_ERR_PRESENCE_BAD_ARG',
    `expected a topic (a string) or a channel socket, got ${describe(topic)}`,
  )
}
