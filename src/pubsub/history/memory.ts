/**
 * The `memory` history engine, the default: each topic's history in a ring
 * on this node. It serves one node (or nodes that share one process); its
 * epochs die with the process, so after a restart every client gets
 * `recovered: false` once.
 *
 * A topic silent for longer than `maxAgeMs` has nothing left to recover: a
 * sweep drops it, and its next message starts a new epoch.
 */
import {
  type DurableLimits,
  type DurableRecord,
  type HistoryContext,
  type HistoryEngine,
  type HistoryEntry,
  type HistoryRead,
  newEpoch,
} from '../history.ts'

/** How often silent topics are dropped. */
const SWEEP_INTERVAL_MS = 10_000

/** One topic's history: the last `maxMessages` entries, oldest at `start`. */
class Ring {
  readonly epoch = newEpoch()
  head = 0
  start = 0
  readonly entries: HistoryEntry[] = []
  readonly times: number[] = []
  lastTime = 0

  add(entry: HistoryEntry, now: number, max: number): void {
    this.head = entry.position.offset
    this.lastTime = now
    if (this.entries.length < max) {
      this.entries.push(entry)
      this.times.push(now)
      return
    }
    this.entries[this.start] = entry
    this.times[this.start] = now
    this.start = (this.start + 1) % this.entries.length
  }

  /** Entries after `after` younger than `oldest`, in order. */
  since(after: number, oldest: number): HistoryEntry[] {
    const out: HistoryEntry[] = []
    const length = this.entries.length
    for (let i = 0; i < length; i++) {
      const at = (this.start + i) % length
      const entry = this.entries[at] as HistoryEntry
      if (entry.position.offset > after && (this.times[at] as number) >= oldest) out.push(entry)
    }
    return out
  }
}

/** Creates the in-memory history engine (the PubSub default). */
export function memoryHistory(): HistoryEngine {
  return new MemoryHistory()
}

class MemoryHistory implements HistoryEngine {
  readonly kind = 'memory'
  readonly shared = false
  readonly #topics = new Map<string, { ring: Ring; maxAgeMs: number }>()
  #ctx: HistoryContext | undefined
  #sweeper: ReturnType<typeof setInterval> | undefined

  async start(ctx: HistoryContext): Promise<void> {
    this.#ctx = ctx
    this.#sweeper = setInterval(() => this.#sweep(), SWEEP_INTERVAL_MS)
    this.#sweeper.unref()
  }

  append(record: DurableRecord, limits: DurableLimits): void {
    const ctx = this.#ctx
    if (ctx === undefined) return
    const now = Date.now()
    const ring = this.#ring(record.topic, limits, now)
    const entry: HistoryEntry = { position: { epoch: ring.epoch, offset: ring.head + 1 }, record }
    ring.add(entry, now, limits.maxMessages)
    ctx.deliver(entry)
  }

  async read(
    topic: string,
    after: number | undefined,
    limits: DurableLimits,
  ): Promise<HistoryRead> {
    const now = Date.now()
    const ring = this.#ring(topic, limits, now)
    const entries = after === undefined ? [] : ring.since(after, now - limits.maxAgeMs)
    return { epoch: ring.epoch, head: ring.head, entries }
  }

  async stop(): Promise<void> {
    clearInterval(this.#sweeper)
    this.#topics.clear()
    this.#ctx = undefined
  }

  /** The topic's ring; a new one (new epoch) when it was silent for longer than `maxAgeMs`. */
  #ring(topic: string, limits: DurableLimits, now: number): Ring {
    const found = this.#topics.get(topic)
    if (
      found !== undefined &&
      (found.ring.head === 0 || now - found.ring.lastTime <= limits.maxAgeMs)
    ) {
      found.maxAgeMs = limits.maxAgeMs
      return found.ring
    }
    const ring = new Ring()
    ring.lastTime = now
    this.#topics.set(topic, { ring, maxAgeMs: limits.maxAgeMs })
    return ring
  }

  #sweep(): void {
    const now = Date.now()
    for (const [topic, { ring, maxAgeMs }] of this.#topics) {
      if (now - ring.lastTime > maxAgeMs) this.#topics.delete(topic)
    }
  }
}
