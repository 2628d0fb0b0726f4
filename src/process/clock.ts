/**
 * Injectable time. Every timer of the runtime (sendAfter, call timeouts,
 * shutdown timeouts) and every reading of "now" (restart intensity) goes
 * through the current `Clock`, so tests swap in a `TestClock` and move time by
 * hand instead of sleeping.
 */

/** An opaque timer handle returned by `Clock.setTimeout`. */
export type TimerHandle = unknown

/** A source of time and one-shot timers. */
export interface Clock {
  /** Milliseconds on a monotonic scale (only differences are meaningful). */
  now(): number
  /** Runs `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle
  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void
}

// setTimeout fires at once for delays above 2^31-1 ms; longer delays re-arm.
const MAX_DELAY = 2 ** 31 - 1

interface LongTimer {
  timeout: ReturnType<typeof setTimeout>
}

/** The real clock: `performance.now()` and Node's timers. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    if (ms <= MAX_DELAY) return setTimeout(fn, Math.max(0, ms))
    const handle: LongTimer = { timeout: setTimeout(rearm, MAX_DELAY) }
    let left = ms - MAX_DELAY
    function rearm(): void {
      const step = Math.min(left, MAX_DELAY)
      left -= step
      handle.timeout = setTimeout(left > 0 ? rearm : fn, step)
    }
    return handle
  },
  clearTimeout(handle) {
    if (typeof handle === 'object' && handle !== null && 'timeout' in handle) {
      clearTimeout((handle as LongTimer).timeout)
    } else {
      clearTimeout(handle as ReturnType<typeof setTimeout>)
    }
  },
}

interface ManualTimer {
  readonly due: number
  readonly seq: number
  readonly fn: () => void
  live: boolean
}

/**
 * A clock that only moves when told to. Timers fire, in due order, inside
 * `advance`; they never hold the Node process open.
 *
 * @example
 * const clock = new TestClock()
 * const restore = setClock(clock)
 * clock.advance(5_000) // fires every timer due within the next 5 s
 * restore()
 */
export class TestClock implements Clock {
  #now: number
  #seq = 0
  #timers: ManualTimer[] = []

  constructor(start = 0) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = {
      due: this.#now + Math.max(0, ms),
      seq: this.#seq++,
      fn,
      live: true,
    }
    this.#timers.push(timer)
    return timer
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = this.#timers.find((t) => t === handle)
    if (timer) timer.live = false
    this.#timers = this.#timers.filter((t) => t.live)
  }

  /** Number of timers that have not fired or been cleared. */
  get pending(): number {
    return this.#timers.filter((t) => t.live).length
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way
   * (including timers that those callbacks set), each at its own due time.
   */
  advance(ms: number): void {
    const target = this.#now + ms
    for (;;) {
      const next = this.#nextDue(target)
      if (!next) break
      this.#now = Math.max(this.#now, next.due)
      next.live = false
      this.#timers = this.#timers.filter((t) => t.live)
      next.fn()
    }
    this.#now = target
  }

  #nextDue(limit: number): ManualTimer | undefined {
    let best: ManualTimer | undefined
    for (const t of this.#timers) {
      if (!t.live || t.due > limit) continue
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t
    }
    return best
  }
}

let current: Clock = realClock

/** The clock the runtime uses now. Other parts (heartbeats, presence) should use it too. */
export function getClock(): Clock {
  return current
}

/** Makes `clock` the runtime's clock; returns a function that puts the previous one back. */
export function setClock(clock: Clock): () => void {
  const previous = current
  current = clock
  return () => {
    current = previous
  }
}
