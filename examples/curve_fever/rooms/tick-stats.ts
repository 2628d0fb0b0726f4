/**
 * Tick lateness: how long after its due time each simulation tick ran. A fixed-bucket histogram
 * (0.1 ms buckets up to 100 ms), so recording costs nothing and rooms' figures merge exactly.
 */

const BUCKET_MS = 0.1
const BUCKETS = 1000

export interface TickSummary {
  readonly ticks: number
  /** Ticks skipped because the room fell too far behind to catch up. */
  readonly skipped: number
  readonly meanMs: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
}

export class TickStats {
  readonly #buckets = new Uint32Array(BUCKETS + 1)
  #count = 0
  #skipped = 0
  #sum = 0
  #max = 0

  /** Records one tick that ran `lateMs` after it was due (negative counts as 0). */
  record(lateMs: number): void {
    const late = Math.max(lateMs, 0)
    const bucket = Math.min(BUCKETS, Math.floor(late / BUCKET_MS))
    this.#buckets[bucket] = (this.#buckets[bucket] ?? 0) + 1
    this.#count += 1
    this.#sum += late
    if (late > this.#max) this.#max = late
  }

  skip(ticks: number): void {
    this.#skipped += ticks
  }

  get count(): number {
    return this.#count
  }

  /** The lateness under which `p` (0..1) of the ticks ran: a bucket's upper edge. */
  percentile(p: number): number {
    if (this.#count === 0) return 0
    const rank = Math.max(1, Math.ceil(p * this.#count))
    let seen = 0
    for (let i = 0; i <= BUCKETS; i++) {
      seen += this.#buckets[i] ?? 0
      if (seen >= rank) return i === BUCKETS ? this.#max : (i + 1) * BUCKET_MS
    }
    return this.#max
  }

  merge(other: TickStats): this {
    for (let i = 0; i <= BUCKETS; i++)
      this.#buckets[i] = (this.#buckets[i] ?? 0) + (other.#buckets[i] ?? 0)
    this.#count += other.#count
    this.#skipped += other.#skipped
    this.#sum += other.#sum
    this.#max = Math.max(this.#max, other.#max)
    return this
  }

  reset(): void {
    this.#buckets.fill(0)
    this.#count = 0
    this.#skipped = 0
    this.#sum = 0
    this.#max = 0
  }

  summary(): TickSummary {
    const round = (n: number): number => Math.round(n * 100) / 100
    return {
      ticks: this.#count,
      skipped: this.#skipped,
      meanMs: round(this.#count === 0 ? 0 : this.#sum / this.#count),
      p50Ms: round(this.percentile(0.5)),
      p99Ms: round(this.percentile(0.99)),
      maxMs: round(this.#max),
    }
  }
}
