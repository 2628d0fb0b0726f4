/**
 * The wire payloads of presence, in the exact shapes the official client's `Presence` class
 * syncs (protocol notes §6.1):
 *
 *   presence_state  {key: {metas: [{...meta, phx_ref}]}}
 *   presence_diff   {joins: {key: {metas: [...]}}, leaves: {key: {metas: [...]}}}
 *
 * Each meta carries `phx_ref`, unique per tracked instance, and after an update
 * `phx_ref_prev`, the ref it replaced. An update is a join of the new meta and a leave of the
 * old one in the same diff; the client applies joins before leaves, so the key never blinks.
 *
 * Keys come from users: maps here are null-prototype objects, so `__proto__` or
 * `constructor` are ordinary keys.
 */

import { randomBytes } from 'node:crypto'
import { CinderError, describe } from '../errors.ts'

/** A meta as sent on the wire: the user's meta plus the refs. */
export type WireMeta = Readonly<Record<string, unknown>> & {
  readonly phx_ref: string
  readonly phx_ref_prev?: string
}

/** One key's presences. */
export interface PresenceGroup {
  metas: WireMeta[]
}

/** key → presences: the `presence_state` payload (and each side of a diff). */
export type PresenceMap = Record<string, PresenceGroup>

/** The `presence_diff` payload. */
export interface PresenceDiff {
  readonly joins: PresenceMap
  readonly leaves: PresenceMap
}

/** A presence as the tracker returns it: at least its key and its (wire) meta. */
export interface KeyedMeta {
  readonly key: string
  readonly meta: Readonly<Record<string, unknown>>
}

/** Builds the `presence_state` payload from a topic's presences. */
export function presenceState(presences: Iterable<KeyedMeta>): PresenceMap {
  const out: PresenceMap = Object.create(null)
  for (const { key, meta } of presences) {
    const group = out[key]
    if (group) group.metas.push(toWireMeta(meta))
    else out[key] = { metas: [toWireMeta(meta)] }
  }
  return out
}

/** Builds the `presence_diff` payload from a topic's joins and leaves. */
export function presenceDiff(
  joins: Iterable<KeyedMeta>,
  leaves: Iterable<KeyedMeta>,
): PresenceDiff {
  return { joins: presenceState(joins), leaves: presenceState(leaves) }
}

/** A diff has no join and no leave. */
export function isEmptyDiff(diff: PresenceDiff): boolean {
  return Object.keys(diff.joins).length === 0 && Object.keys(diff.leaves).length === 0
}

/**
 * Groups tracker entries (joins and leaves of any topics) by topic, preserving order, so one
 * `presence_diff` can be broadcast per topic.
 */
export function groupByTopic<E extends KeyedMeta & { readonly topic: string }>(
  joins: Iterable<E>,
  leaves: Iterable<E>,
): Map<string, { joins: E[]; leaves: E[] }> {
  const out = new Map<string, { joins: E[]; leaves: E[] }>()
  const slot = (topic: string) => {
    const found = out.get(topic)
    if (found) return found
    const made = { joins: [] as E[], leaves: [] as E[] }
    out.set(topic, made)
    return made
  }
  for (const e of joins) slot(e.topic).joins.push(e)
  for (const e of leaves) slot(e.topic).leaves.push(e)
  return out
}

/** The meta to store when tracking: the user's meta with a fresh `phx_ref`. */
export function trackedMeta(meta: Readonly<Record<string, unknown>>, ref: string): WireMeta {
  return { ...meta, phx_ref: ref }
}

/** The meta to store on update: the new meta, a fresh `phx_ref`, and the replaced one. */
export function updatedMeta(
  meta: Readonly<Record<string, unknown>>,
  ref: string,
  previousRef: string,
): WireMeta {
  return { ...meta, phx_ref: ref, phx_ref_prev: previousRef }
}

/**
 * Makes `phx_ref` values: 16 base64url characters (12 bytes, as Phoenix's), being 6 random
 * bytes chosen once per generator then a 48-bit counter. Unique per generator without
 * coordination; two generators (nodes, restarts) collide with odds of 2^-48.
 */
export function createRefGenerator(
  random: (size: number) => Uint8Array = randomBytes,
): () => string {
  // 6 bytes are exactly 8 base64url characters: the random half is encoded once, and the
  // counter's 48 bits are written as 8 digits of 6 bits (the same characters Buffer would give).
  const prefix = Buffer.from(random(6).subarray(0, 6)).toString('base64url')
  let counter = 0
  return () => {
    counter = counter + 1 >= 2 ** 48 ? 0 : counter + 1
    let n = counter
    let digits = ''
    for (let i = 0; i < 8; i++) {
      digits = BASE64URL[n % 64] + digits
      n = Math.floor(n / 64)
    }
    return prefix + digits
  }
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

function toWireMeta(meta: Readonly<Record<string, unknown>>): WireMeta {
  if (typeof meta.phx_ref !== 'string') {
    throw new CinderError(
      'CINDER_ERR_PRESENCE_BAD_ARG',
      `expected a meta with a string phx_ref (see trackedMeta), got ${describe(meta)}`,
    )
  }
  return meta as WireMeta
}
