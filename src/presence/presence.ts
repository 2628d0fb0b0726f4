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
 *   and diffs alike.
 */

import { broadcastMessage } from '../channel/broadcast.ts'
import { FASTLANE } from '../channel/fastlane.ts'
import { ChannelSocket } from '../channel/index.ts'
import { CinderError, describe } from '../errors.ts'
import { getLogger, type Pid } from '../process/index.ts'
import { ensureFastlane } from '../socket/connection.ts'
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

/** Options of `createPresence`: the Tracker's (but `onDiff`), plus `fetch` and `diffBurst`. */
export interface PresenceOptions extends Omit<TrackerOptions, 'onDiff'> {
  /**
   * Adds data to what clients receive: gets a topic's presences grouped by key (in a list,
   * or the joins or leaves of a diff) and returns them, e.g. with a `user` field beside each
   * `metas`. Default: unchanged.
   */
  readonly fetch?: (topic: string, presences: PresenceMap) => PresenceMap
  /** `presence_diff`s a topic may send per broadcast period before they are batched. Default 10. */
  readonly diffBurst?: number
}

/** A meta, or a function of the previous meta (without its refs) giving the new one. */
export type MetaUpdate = Meta | ((previous: Meta) => Meta)

/** Starts a Presence (and its Tracker). */
export async function createPresence(options: PresenceOptions): Promise<Presence> {
  const presence = new Presence(options)
  await presence.start()
  return presence
}

/** Presence on a Tracker. See `createPresence`. */
export class Presence {
  readonly #options: PresenceOptions
  readonly #batcher: DiffBatcher
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
    ensureFastlane(this.#options.pubsub)
    const { fetch: _fetch, diffBurst: _burst, ...trackerOptions } = this.#options
    this.#starting ??= startTracker({ ...trackerOptions, onDiff: (diff) => this.#onDiff(diff) })
    this.#running = await this.#starting
  }

  /** Stops the Tracker; pending diffs are dropped. */
  async stop(): Promise<void> {
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

  /** The `presence_state` payload of a topic (or of a channel socket's topic). */
  list(topic: string | ChannelSocket<object>): PresenceMap {
    const name = topicOf(topic)
    return this.#fetch(name, presenceState(this.#live().list(name)))
  }

  /** One key's presences on a topic, or undefined when nobody is there under that key. */
  get(topic: string | ChannelSocket<object>, key: string): PresenceGroup | undefined {
    const name = topicOf(topic)
    const found = this.#live().get(name, key)
    if (found.length === 0) return undefined
    return this.#fetch(name, presenceState(found))[key]
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
    let payload: PresenceDiff
    try {
      const raw = presenceDiff(joins, leaves)
      payload = { joins: this.#fetch(topic, raw.joins), leaves: this.#fetch(topic, raw.leaves) }
    } catch (err) {
      getLogger().error(
        `presence: fetch for ${describe(topic)} threw; diff dropped: ${describe(err)}`,
      )
      return
    }
    const message = broadcastMessage(topic, 'presence_diff', { ...payload })
    try {
      this.#options.pubsub.localBroadcast(topic, message, FASTLANE)
    } catch (err) {
      // The PubSub stopped before this Presence: nobody is left to tell.
      if (!(err instanceof CinderError && err.code === 'CINDER_ERR_PUBSUB_NOT_RUNNING')) throw err
    }
  }

  #fetch(topic: string, presences: PresenceMap): PresenceMap {
    const fetch = this.#options.fetch
    return fetch === undefined ? presences : fetch(topic, presences)
  }

  #live(): Tracker {
    const tracker = this.#running
    if (tracker === undefined) {
      throw new CinderError(
        'CINDER_ERR_PRESENCE_NOT_RUNNING',
        'expected a started Presence (await createPresence(…) or presence.start()), got one not started',
      )
    }
    return tracker
  }
}

function topicOf(topic: string | ChannelSocket<object>): string {
  if (topic instanceof ChannelSocket) return topic.topic
  if (typeof topic === 'string') return topic
  throw new CinderError(
    'CINDER_ERR_PRESENCE_BAD_ARG',
    `expected a topic (a string) or a channel socket, got ${describe(topic)}`,
  )
}
