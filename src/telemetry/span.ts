/**
 * A span: work with a duration, published on a `node:diagnostics_channel`
 * TracingChannel (`tracing:<name>:start`, `:end`, `:asyncStart`,
 * `:asyncEnd`, `:error`), so OpenTelemetry and APM agents subscribe without
 * Cinder knowing them.
 *
 * Cinder's callbacks may answer synchronously or with a promise, so a span
 * follows Node's protocol for both: `start`, then the function; a value
 * ends the span at `end`; a promise publishes `end` with `pending: true`
 * when the synchronous part returns, then `asyncStart` and `asyncEnd` when
 * it settles. A throw or a rejection publishes `error` first. `duration`
 * (ms) is on the context by the time the span ends; `subscribeSpan` hides
 * the two endings behind one `stop`.
 *
 * Zero cost when nobody listens: the emitter checks `hasSubscribers` before
 * it builds a context, and runs its function bare otherwise.
 */
import { type TracingChannel, tracingChannel } from 'node:diagnostics_channel'
import { performance } from 'node:perf_hooks'

/** What a span adds to the context its emitter gives. */
export interface SpanTiming {
  /** `performance.now()` at start, in ms. */
  startTime: number
  /** Ms from start to the end (set when the span ends). */
  duration?: number
  /** True at `end` when the work goes on in a promise (`asyncEnd` follows). */
  pending?: boolean
  /** What the function threw or rejected with. */
  error?: unknown
}

/** The callbacks of `subscribeSpan`. */
export interface SpanHandlers<C> {
  /** The work begins. */
  start?(context: C & SpanTiming): void
  /** The work ended, synchronously or not; `duration` is set, `error` when it failed. */
  stop?(context: C & SpanTiming): void
}

/** One named span. `C` is the context its emitter publishes. */
export class Span<C extends object> {
  readonly name: string
  readonly channel: TracingChannel<unknown, C & SpanTiming>

  constructor(name: string) {
    this.name = name
    this.channel = tracingChannel<unknown, C & SpanTiming>(name)
  }

  /** True when anything listens to any of the span's channels. */
  get hasSubscribers(): boolean {
    const c = this.channel
    return (
      c.start.hasSubscribers ||
      c.end.hasSubscribers ||
      c.asyncEnd.hasSubscribers ||
      c.error.hasSubscribers ||
      c.asyncStart.hasSubscribers
    )
  }

  /**
   * Runs `fn` as the span. `finish` may add what the result tells (a diff's
   * size, a join's outcome) to the context before the span ends. Call it
   * only when `hasSubscribers`; otherwise call `fn` directly.
   */
  trace<T>(
    context: C,
    fn: () => T,
    finish?: (context: C & SpanTiming, result: Awaited<T>) => void,
  ): T {
    const ctx = context as C & SpanTiming
    ctx.startTime = performance.now()
    return this.channel.start.runStores(ctx, () => this.#run(ctx, fn, finish))
  }

  #run<T>(
    ctx: C & SpanTiming,
    fn: () => T,
    finish: ((context: C & SpanTiming, result: Awaited<T>) => void) | undefined,
  ): T {
    const c = this.channel
    let out: T
    try {
      out = fn()
    } catch (error) {
      ctx.duration = performance.now() - ctx.startTime
      ctx.error = error
      c.error.publish(ctx)
      c.end.publish(ctx)
      throw error
    }
    if (!isThenable(out)) {
      ctx.duration = performance.now() - ctx.startTime
      finish?.(ctx, out as Awaited<T>)
      c.end.publish(ctx)
      return out
    }
    ctx.pending = true
    c.end.publish(ctx)
    return Promise.resolve(out).then(
      (value) => {
        ctx.duration = performance.now() - ctx.startTime
        finish?.(ctx, value as Awaited<T>)
        c.asyncStart.publish(ctx)
        c.asyncEnd.publish(ctx)
        return value
      },
      (error: unknown) => {
        ctx.duration = performance.now() - ctx.startTime
        ctx.error = error
        c.error.publish(ctx)
        c.asyncStart.publish(ctx)
        c.asyncEnd.publish(ctx)
        throw error
      },
    ) as T
  }
}

/**
 * Subscribes to a span by its two moments: `start`, and `stop` once it
 * ended (after `end` for synchronous work, `asyncEnd` for a promise).
 * Returns a function that unsubscribes.
 */
export function subscribeSpan<C extends object>(
  span: Span<C>,
  handlers: SpanHandlers<C>,
): () => void {
  const { start, stop } = handlers
  const subscribers = {
    start: (ctx: C & SpanTiming) => start?.(ctx),
    end: (ctx: C & SpanTiming) => {
      if (ctx.pending !== true) stop?.(ctx)
    },
    asyncStart: () => {},
    asyncEnd: (ctx: C & SpanTiming) => stop?.(ctx),
    error: () => {},
  }
  span.channel.subscribe(subscribers)
  return () => {
    span.channel.unsubscribe(subscribers)
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
