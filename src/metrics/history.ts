/**
 * The last minutes of a few figures, one sample per interval, for the
 * dashboard's charts: fixed ring buffers (`length` numbers per series),
 * filled by the metrics sampler whether or not a dashboard is open, so a
 * chart opened now shows what happened before.
 */

/** What the sampler records at each tick. */
export const HISTORY_SERIES = [
  'sockets',
  'channels',
  'liveViews',
  'processes',
  'joinsPerSecond',
  'messagesInPerSecond',
  'messagesOutPerSecond',
  'bytesOutPerSecond',
  'broadcastsPerSecond',
  'loopDelayP99Ms',
  'heapUsedMb',
  'rssMb',
  'presences',
  'restartsPerSecond',
] as const

export type HistorySeries = (typeof HISTORY_SERIES)[number]

/** A chart's data: times (ms since the epoch) and one array per series, oldest first. */
export interface HistorySnapshot {
  readonly times: number[]
  readonly series: Partial<Record<HistorySeries, number[]>>
}

export class History {
  readonly length: number
  readonly #times: Float64Array
  readonly #values: Record<HistorySeries, Float64Array>
  /** Samples recorded so far (the ring holds the last `length`). */
  #count = 0

  constructor(length: number) {
    this.length = length
    this.#times = new Float64Array(length)
    this.#values = Object.fromEntries(
      HISTORY_SERIES.map((name) => [name, new Float64Array(length)]),
    ) as Record<HistorySeries, Float64Array>
  }

  record(at: number, values: Readonly<Record<HistorySeries, number>>): void {
    const slot = this.#count % this.length
    this.#times[slot] = at
    for (const name of HISTORY_SERIES) this.#values[name][slot] = values[name]
    this.#count++
  }

  /** How many samples are held. */
  get size(): number {
    return Math.min(this.#count, this.length)
  }

  /** The held samples of `names`, oldest first. */
  snapshot(names: readonly HistorySeries[] = HISTORY_SERIES): HistorySnapshot {
    const size = this.size
    const first = this.#count - size
    const index = (i: number) => (first + i) % this.length
    const times = Array.from({ length: size }, (_, i) => this.#times[index(i)] as number)
    const series: Partial<Record<HistorySeries, number[]>> = {}
    for (const name of names) {
      const ring = this.#values[name]
      series[name] = Array.from({ length: size }, (_, i) => ring[index(i)] as number)
    }
    return { times, series }
  }

  /** The last sample of each series, or undefined before the first. */
  latest(): Record<HistorySeries, number> | undefined {
    if (this.#count === 0) return undefined
    const slot = (this.#count - 1) % this.length
    return Object.fromEntries(
      HISTORY_SERIES.map((name) => [name, this.#values[name][slot] as number]),
    ) as Record<HistorySeries, number>
  }
}
