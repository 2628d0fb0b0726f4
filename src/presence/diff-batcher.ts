/**
 * Gathers the joins and leaves of each topic into `presence_diff` batches.
 *
 * A topic's changes made within one turn of the event loop always leave as one diff. Beyond
 * that, each topic may send `burst` diffs per window (the broadcast period); past it, under
 * load, its changes wait for the end of the window and leave as one diff. So a quiet room
 * hears of a join at once, and a busy one gets one diff per period instead of thousands.
 *
 * Within a batch, only the net change of each presence instance (by `phx_ref`) is sent:
 * one that joined and left again (or left and came back, as a node going down and up) is
 * not mentioned, since the client would apply the join before the leave and get it wrong.
 */

import { getClock, type TimerHandle } from '../process/index.ts'
import type { KeyedMeta } from './presence-diff.ts'

/** Sends one topic's batch. */
export type FlushDiff = (topic: string, joins: KeyedMeta[], leaves: KeyedMeta[]) => void

interface Change {
  readonly presence: KeyedMeta
  readonly first: 'join' | 'leave'
  last: 'join' | 'leave'
}

interface TopicBatch {
  changes: Map<string, Change>
  windowStart: number
  sent: number
  /** 'soon': flushes at the end of this turn; 'window': when the window ends. */
  scheduled: 'soon' | 'window' | undefined
  timer: TimerHandle | undefined
}

export interface DiffBatcherOptions {
  /** The window, in ms (the broadcast period). */
  readonly window: number
  /** Diffs a topic may send per window before its changes wait for the window's end. */
  readonly burst: number
  readonly flush: FlushDiff
}

export class DiffBatcher {
  readonly #options: DiffBatcherOptions
  readonly #topics = new Map<string, TopicBatch>()
  readonly #soon = new Set<string>()
  #immediate: ReturnType<typeof setImmediate> | undefined
  #lastPrune = 0
  #closed = false

  constructor(options: DiffBatcherOptions) {
    this.#options = options
  }

  /** Records a join or leave of one presence instance on `topic`. */
  add(topic: string, kind: 'join' | 'leave', presence: KeyedMeta): void {
    if (this.#closed) return
    const batch = this.#batch(topic)
    const ref = String(presence.meta.phx_ref)
    const change = batch.changes.get(ref)
    if (change === undefined) batch.changes.set(ref, { presence, first: kind, last: kind })
    else change.last = kind
    if (batch.scheduled === undefined) this.#schedule(topic, batch)
  }

  /** Sends every pending batch now. */
  flushAll(): void {
    for (const topic of [...this.#topics.keys()]) this.#flush(topic)
  }

  /** Drops pending batches and timers; later changes are ignored. */
  close(): void {
    this.#closed = true
    if (this.#immediate !== undefined) clearImmediate(this.#immediate)
    for (const batch of this.#topics.values()) {
      if (batch.timer !== undefined) getClock().clearTimeout(batch.timer)
    }
    this.#topics.clear()
    this.#soon.clear()
  }

  #batch(topic: string): TopicBatch {
    let batch = this.#topics.get(topic)
    if (batch === undefined) {
      batch = {
        changes: new Map(),
        windowStart: getClock().now(),
        sent: 0,
        scheduled: undefined,
        timer: undefined,
      }
      this.#topics.set(topic, batch)
    }
    return batch
  }

  #schedule(topic: string, batch: TopicBatch): void {
    const now = getClock().now()
    const { window, burst } = this.#options
    if (now - batch.windowStart >= window) {
      batch.windowStart = now
      batch.sent = 0
    }
    if (batch.sent < burst) {
      batch.scheduled = 'soon'
      this.#soon.add(topic)
      this.#immediate ??= setImmediate(() => this.#flushSoon())
      return
    }
    batch.scheduled = 'window'
    batch.timer = getClock().setTimeout(
      () => {
        batch.timer = undefined
        this.#flush(topic)
      },
      batch.windowStart + window - now,
    )
  }

  #flushSoon(): void {
    this.#immediate = undefined
    const topics = [...this.#soon]
    this.#soon.clear()
    for (const topic of topics) this.#flush(topic)
    this.#prune()
  }

  #flush(topic: string): void {
    const batch = this.#topics.get(topic)
    if (batch === undefined || batch.scheduled === undefined) return
    if (batch.timer !== undefined) getClock().clearTimeout(batch.timer)
    batch.timer = undefined
    batch.scheduled = undefined
    this.#soon.delete(topic)
    const changes = batch.changes
    batch.changes = new Map()
    const joins: KeyedMeta[] = []
    const leaves: KeyedMeta[] = []
    for (const { presence, first, last } of changes.values()) {
      if (first !== last) continue // joined and left again, or left and came back: no net change
      if (last === 'join') joins.push(presence)
      else leaves.push(presence)
    }
    if (joins.length === 0 && leaves.length === 0) return
    const now = getClock().now()
    if (now - batch.windowStart >= this.#options.window) {
      batch.windowStart = now
      batch.sent = 0
    }
    batch.sent++
    this.#options.flush(topic, joins, leaves)
  }

  /** Forgets topics whose window ended with nothing pending (at most once per window). */
  #prune(): void {
    const now = getClock().now()
    const { window } = this.#options
    if (now - this.#lastPrune < window) return
    this.#lastPrune = now
    for (const [topic, batch] of this.#topics) {
      if (batch.scheduled === undefined && now - batch.windowStart >= window)
        this.#topics.delete(topic)
    }
  }
}
