/**
 * The Node process's own health: how late the event loop runs timers
 * (`perf_hooks.monitorEventLoopDelay`, a timer every 10 ms, summarised over
 * each sampling window). The histogram records each timer's whole
 * interval, so the resolution is taken off to leave the delay. The event
 * loop is what every process of a node shares: a high p99 is a handler
 * that blocks it.
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks'

/** The event loop delay of the last complete window, in seconds. */
export interface LoopDelay {
  readonly p50: number
  readonly p99: number
  readonly max: number
  readonly mean: number
}

const NS = 1e9
const RESOLUTION_MS = 10
const IDLE: LoopDelay = { p50: 0, p99: 0, max: 0, mean: 0 }

export class RuntimeStats {
  #histogram: IntervalHistogram | undefined
  #last: LoopDelay = IDLE

  /** Starts sampling the event loop. */
  start(): void {
    if (this.#histogram !== undefined) return
    this.#histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
    this.#histogram.enable()
  }

  stop(): void {
    this.#histogram?.disable()
    this.#histogram = undefined
  }

  /** Closes the current window: its figures become `loopDelay`, and a new one starts. */
  rotate(): void {
    const h = this.#histogram
    if (h === undefined || h.count === 0) return
    const delay = (ns: number) => Math.max(0, ns / NS - RESOLUTION_MS / 1000)
    this.#last = {
      p50: delay(h.percentile(50)),
      p99: delay(h.percentile(99)),
      max: delay(h.max),
      mean: delay(h.mean),
    }
    h.reset()
  }

  get loopDelay(): LoopDelay {
    return this.#last
  }

  /** Seconds since these stats were created (about the node's uptime). */
  get uptime(): number {
    return process.uptime()
  }
}
