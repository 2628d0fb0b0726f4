/**
 * LiveView snapshots: what a view declares durable (`persist` / `restore`)
 * outlives its process. When the view stops because its node drains (a
 * deploy, SIGTERM) or its client's connection dropped, `persist` runs and
 * its result goes to the cluster's store, signed and bound to the container
 * id, the view and the session token it was joined with. The client rejoins
 * by itself (on another node, or on this one restarted) with the same id and
 * session token; the join takes the snapshot (once: taking removes it) and
 * `restore` runs after `mount`. See docs/durability.md.
 *
 * Nothing here is implicit: a view without both callbacks costs nothing, not
 * even a read of the store. A snapshot over `maxBytes`, of another
 * `persistVersion`, expired, or that does not verify is not restored: the
 * view mounts as it would have without one.
 */
import { createHash } from 'node:crypto'
import { type ClusterStore, createMemoryStore } from '../cluster/store.ts'
import { CinderError, describe, type ErrorCode } from '../errors.ts'
import { getLogger } from '../logger.ts'
import { type LiveSnapshotEvent, liveSnapshot } from '../telemetry/index.ts'
import type { LiveTokens } from './live-session.ts'
import type { LiveView } from './live-view.ts'

/** `createLive({ snapshots })`: where and for how long views' persisted state waits. */
export interface LiveSnapshotOptions {
  /**
   * The cluster's store (`startRedisStore`, `startNatsStore`), shared by every node.
   * Default: a memory store of this process (one node: plain reconnects only).
   */
  readonly store?: ClusterStore
  /** How long a snapshot waits for its client to rejoin, ms. Default 300 000 (5 min). */
  readonly ttl?: number
  /** The largest persisted state, in bytes of JSON; a larger one is not saved. Default 65 536. */
  readonly maxBytes?: number
  /** The store's space (Redis key prefix part, NATS bucket). Default `live_snapshots`. */
  readonly space?: string
}

/** The view a snapshot is of: its container id, its key and the session token it joined with. */
export interface SnapshotOwner {
  readonly id: string
  readonly viewKey: string
  readonly sessionToken: string
}

const DEFAULT_TTL = 300_000
const DEFAULT_MAX_BYTES = 65_536

/** Saves and takes the snapshots of one live configuration. */
export class LiveSnapshots {
  readonly #store: ClusterStore
  readonly #tokens: LiveTokens
  readonly ttl: number
  readonly maxBytes: number
  readonly #space: string

  constructor(options: LiveSnapshotOptions, tokens: LiveTokens) {
    this.#store = options.store ?? createMemoryStore()
    if (this.#store.putExpiring === undefined || this.#store.takeExpiring === undefined) {
      throw configError(`the ${this.#store.kind} store keeps no expiring values`)
    }
    this.ttl = positiveInteger('ttl', options.ttl ?? DEFAULT_TTL)
    this.maxBytes = positiveInteger('maxBytes', options.maxBytes ?? DEFAULT_MAX_BYTES)
    this.#space = options.space ?? 'live_snapshots'
    this.#tokens = tokens
  }

  /** Whether `view` takes part: both callbacks, explicitly. */
  static durable(view: LiveView<object>): boolean {
    return typeof view.persist === 'function' && typeof view.restore === 'function'
  }

  /** Runs `persist` and stores its result; never throws (what fails is logged, nothing saved). */
  async save(view: LiveView<object>, owner: SnapshotOwner, assigns: object): Promise<void> {
    const name = view.name ?? owner.viewKey
    let json: string | undefined
    try {
      json = JSON.stringify(view.persist?.call(view, assigns as never))
    } catch (err) {
      publish(name, owner, 'failed')
      return warn('CINDER_ERR_LIVE_SNAPSHOT', `${name}.persist failed: ${reason(err)}`)
    }
    if (json === undefined) return
    const bytes = Buffer.byteLength(json)
    if (bytes > this.maxBytes) {
      publish(name, owner, 'too_large', bytes)
      return warn(
        'CINDER_ERR_LIVE_SNAPSHOT_TOO_LARGE',
        `${name}.persist returned ${bytes} bytes of JSON, over snapshots.maxBytes (${this.maxBytes}): not saved, the view will mount afresh`,
      )
    }
    const token = this.#tokens.signSnapshot(
      { ...claimsOf(view, owner), state: json },
      Math.ceil(this.ttl / 1000),
    )
    try {
      await this.#store.putExpiring?.(this.#space, owner.id, token, this.ttl)
      publish(name, owner, 'saved', bytes)
    } catch (err) {
      publish(name, owner, 'failed')
      warn('CINDER_ERR_LIVE_SNAPSHOT', `${name}'s snapshot was not saved: ${reason(err)}`)
    }
  }

  /** The saved state for a joining view, if a valid snapshot waits for it (taken: gone after). */
  async take(
    view: LiveView<object>,
    owner: SnapshotOwner,
  ): Promise<{ readonly saved: unknown } | undefined> {
    const name = view.name ?? owner.viewKey
    let token: string | undefined
    try {
      token = await this.#store.takeExpiring?.(this.#space, owner.id)
    } catch (err) {
      publish(name, owner, 'failed')
      warn('CINDER_ERR_LIVE_SNAPSHOT', `${name}'s snapshot could not be read: ${reason(err)}`)
      return undefined
    }
    if (token === undefined) return undefined
    const claims = this.#tokens.verifySnapshot(token, Math.ceil(this.ttl / 1000))
    const expected = claimsOf(view, owner)
    if (claims === undefined || claims.id !== owner.id || claims.session !== expected.session) {
      publish(name, owner, 'refused')
      warn(
        'CINDER_ERR_LIVE_SNAPSHOT_INVALID',
        `refused the snapshot of ${name} (${owner.id}): it does not verify, expired, or belongs to another session`,
      )
      return undefined
    }
    if (claims.view !== expected.view || claims.version !== expected.version) {
      publish(name, owner, 'outdated')
      getLogger().info(
        `${name} (${owner.id}) mounts afresh: its snapshot is of ${claims.view} version ${claims.version}, this is ${expected.view} version ${expected.version}`,
      )
      return undefined
    }
    publish(name, owner, 'restored', Buffer.byteLength(claims.state))
    return { saved: JSON.parse(claims.state) as unknown }
  }
}

function publish(
  view: string,
  owner: SnapshotOwner,
  outcome: LiveSnapshotEvent['outcome'],
  bytes = 0,
): void {
  if (liveSnapshot.hasSubscribers) liveSnapshot.publish({ view, id: owner.id, outcome, bytes })
}

function claimsOf(view: LiveView<object>, owner: SnapshotOwner) {
  return {
    id: owner.id,
    view: owner.viewKey,
    session: createHash('sha256').update(owner.sessionToken).digest('base64url'),
    version: String(view.persistVersion ?? 1),
  }
}

function warn(code: ErrorCode, message: string): void {
  getLogger().warn(`${message} (${code})`, { code })
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : describe(err)
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value
  throw configError(`snapshots.${name} must be a positive integer, got: ${describe(value)}`)
}

function configError(message: string): CinderError {
  return new CinderError('CINDER_ERR_LIVE_CONFIG', `createLive: ${message}`)
}
