/**
 * The metrics' clock: every `interval` ms it closes the event loop's
 * window, reads the live gauges and records a history sample (counters as
 * rates per second); every `probeInterval` it sends the PubSub probe. One
 * unref'd timer: it never keeps a node alive.
 */
import { traffic } from '../socket/traffic.ts'
import { setLiveGauges } from './collect.ts'
import type { HistorySeries } from './history.ts'
import type { Metrics } from './metrics.ts'
import type { Family } from './registry.ts'

interface Totals {
  readonly at: number
  readonly joins: number
  readonly messagesIn: number
  readonly messagesOut: number
  readonly bytesOut: number
  readonly broadcasts: number
  readonly restarts: number
}

export class Sampler {
  readonly #metrics: Metrics
  readonly #interval: number
  readonly #probe: () => void
  #timer: ReturnType<typeof setInterval> | undefined
  #last: Totals | undefined
  #sinceProbe = 0
  #probeInterval = 0

  constructor(metrics: Metrics, interval: number, probe: () => void) {
    this.#metrics = metrics
    this.#interval = interval
    this.#probe = probe
  }

  start(probeInterval: number): void {
    if (this.#timer !== undefined) return
    this.#probeInterval = probeInterval
    this.#last = this.#totals()
    this.#timer = setInterval(() => this.tick(), this.#interval)
    this.#timer.unref()
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** One sample (the timer calls it; tests may too). */
  tick(): void {
    const metrics = this.#metrics
    metrics.runtime.rotate()
    const census = setLiveGauges(metrics)
    const now = this.#totals()
    const last = this.#last ?? now
    this.#last = now
    const seconds = Math.max((now.at - last.at) / 1000, 1e-3)
    const rate = (key: Exclude<keyof Totals, 'at'>) => (now[key] - last[key]) / seconds
    const memory = process.memoryUsage()
    const sample: Record<HistorySeries, number> = {
      sockets: census.sockets.websocket + census.sockets.longpoll,
      channels: census.channels.websocket + census.channels.longpoll,
      liveViews: census.liveViews,
      processes: census.processes,
      joinsPerSecond: rate('joins'),
      messagesInPerSecond: rate('messagesIn'),
      messagesOutPerSecond: rate('messagesOut'),
      bytesOutPerSecond: rate('bytesOut'),
      broadcastsPerSecond: rate('broadcasts'),
      restartsPerSecond: rate('restarts'),
      loopDelayP99Ms: metrics.runtime.loopDelay.p99 * 1000,
      heapUsedMb: memory.heapUsed / 2 ** 20,
      rssMb: memory.rss / 2 ** 20,
      presences: sumOf(metrics.families.presences, (labels) => labels.scope === 'cluster'),
    }
    metrics.history.record(Date.now(), sample)
    this.#sinceProbe += this.#interval
    if (this.#sinceProbe >= this.#probeInterval) {
      this.#sinceProbe = 0
      this.#probe()
    }
  }

  #totals(): Totals {
    const f = this.#metrics.families
    const ws = traffic.websocket
    const lp = traffic.longpoll
    return {
      at: Date.now(),
      joins: sumOf(f.joins),
      messagesIn: ws.framesIn + lp.framesIn,
      messagesOut: ws.framesOut + lp.framesOut,
      bytesOut: ws.bytesOut + lp.bytesOut,
      broadcasts: sumOf(f.broadcasts),
      restarts: sumOf(f.restarts),
    }
  }
}

/** The sum of a family's series (those whose labels pass `keep`). */
function sumOf(
  family: Family,
  keep: (labels: Readonly<Record<string, string>>) => boolean = () => true,
): number {
  let sum = 0
  for (const series of family.all) if (keep(series.labels)) sum += series.value
  return sum
}
