/**
 * The durable side of a PubSub: which topics are durable, and the trip of
 * their broadcasts through the history engine (see `history.ts`).
 *
 * A plain broadcast never comes here: PubSub checks `declared` (false until
 * a topic is declared durable) before it looks a topic up.
 */
import { CinderError, describe } from '../errors.ts'
import type { Logger } from '../logger.ts'
import {
  DEFAULT_MAX_AGE_MS,
  DEFAULT_MAX_MESSAGES,
  type DurableLimits,
  type DurableOptions,
  type HistoryContext,
  type HistoryEngine,
  type HistoryEntry,
  MAX_MAX_AGE_MS,
  MAX_MAX_MESSAGES,
  type Position,
  type Recovery,
  recoveryOf,
} from './history.ts'
import type { Subscriber } from './pubsub.ts'

/** Dispatches a durable message on this node (PubSub's own dispatch). */
export type DurableDispatch = (
  topic: string,
  from: Subscriber | undefined,
  message: unknown,
  dispatcher: string | null,
  position: Position,
) => void

/**
 * Senders skipped by `broadcastFrom`, by token, until their message comes
 * back from the engine. Bounded: past it the oldest are forgotten (their
 * sender then gets its own message).
 */
const MAX_PENDING_SKIPS = 10_000

export class DurableTopics {
  readonly engine: HistoryEngine
  readonly #exact = new Map<string, DurableLimits>()
  readonly #prefixes: Array<[string, DurableLimits]> = []
  readonly #skips = new Map<number, Subscriber>()
  #nextSkip = 1
  declared = false
  /** Start the engine with the PubSub, or only once a topic is declared durable. */
  readonly #eager: boolean
  #ctx: HistoryContext | undefined
  #started: Promise<void> | undefined
  #ready = false

  constructor(engine: HistoryEngine, eager: boolean) {
    this.engine = engine
    this.#eager = eager
  }

  /**
   * At PubSub start: starts the engine now if it was given (or if a topic
   * is already durable), so a wrong URL shows at once; an engine the
   * adapter provides starts at the first declaration, so an application
   * without durable topics never needs it (JetStream, say).
   */
  attach(ctx: HistoryContext): Promise<void> {
    this.#ctx = ctx
    return this.#eager || this.declared ? this.#start() : Promise.resolve()
  }

  async stop(): Promise<void> {
    const started = this.#started
    this.#ctx = undefined
    if (started !== undefined)
      await started.then(
        () => this.engine.stop(),
        () => {},
      )
  }

  #start(): Promise<void> {
    const ctx = this.#ctx
    if (this.#started !== undefined || ctx === undefined) return this.#started ?? Promise.resolve()
    this.#started = this.engine.start(ctx).then(() => {
      this.#ready = true
    })
    return this.#started
  }

  /** Declares `pattern` (a topic, or a prefix ending in `*`) durable. */
  declare(pattern: string, options: DurableOptions = {}): void {
    const limits = resolveLimits(pattern, options)
    const star = pattern.indexOf('*')
    if (
      typeof pattern !== 'string' ||
      pattern === '' ||
      (star !== -1 && star !== pattern.length - 1)
    ) {
      throw new CinderError(
        'CINDER_ERR_PUBSUB_DURABLE',
        `expected a topic or a prefix ending in '*' to declare durable, got ${describe(pattern)}`,
      )
    }
    const existing = this.#declaredLimits(pattern)
    if (existing !== undefined) {
      if (existing.maxMessages === limits.maxMessages && existing.maxAgeMs === limits.maxAgeMs)
        return
      throw new CinderError(
        'CINDER_ERR_PUBSUB_DURABLE',
        `expected ${describe(pattern)} to be declared durable once, or again with the same limits; got ${describe(limits)} after ${describe(existing)}`,
      )
    }
    if (star === -1) this.#exact.set(pattern, limits)
    else this.#prefixes.push([pattern.slice(0, -1), limits])
    this.declared = true
    this.#start().catch((err: Error) =>
      this.#ctx?.logger.error(
        `the ${this.engine.kind} history engine did not start: ${err.message}`,
      ),
    )
  }

  /** The limits of `topic`, or undefined when it is not durable. */
  limits(topic: string): DurableLimits | undefined {
    const exact = this.#exact.get(topic)
    if (exact !== undefined) return exact
    for (const [prefix, limits] of this.#prefixes) if (topic.startsWith(prefix)) return limits
    return undefined
  }

  /** Hands a broadcast to the engine, remembering whom `broadcastFrom` skips. */
  append(
    node: string,
    from: Subscriber | undefined,
    topic: string,
    message: unknown,
    dispatcher: string | undefined,
    limits: DurableLimits,
  ): void {
    let skip = 0
    if (from !== undefined) {
      skip = this.#nextSkip++
      this.#skips.set(skip, from)
      if (this.#skips.size > MAX_PENDING_SKIPS) {
        this.#skips.delete(this.#skips.keys().next().value as number)
      }
    }
    const record = { origin: node, skip, topic, dispatcher: dispatcher ?? null, message }
    if (this.#ready) {
      this.engine.append(record, limits)
      return
    }
    // Still starting: in order, once it runs (a message that cannot be encoded is lost there).
    this.#started
      ?.then(() => this.engine.append(record, limits))
      .catch((err: Error) =>
        this.#ctx?.logger.error(`a durable broadcast was lost: ${err.message}`),
      )
  }

  /** A message the engine delivered: dispatch it here with its position. */
  delivered(node: string, entry: HistoryEntry, dispatch: DurableDispatch): void {
    const { origin, skip, topic, message, dispatcher } = entry.record
    let from: Subscriber | undefined
    if (skip !== 0 && origin === node) {
      from = this.#skips.get(skip)
      this.#skips.delete(skip)
    }
    dispatch(topic, from, message, dispatcher, entry.position)
  }

  /** What a client that saw `from` missed on `topic` (or only where the topic stands). */
  async recover(topic: string, from: Position | undefined): Promise<Recovery> {
    const limits = this.limits(topic)
    if (limits === undefined) {
      throw new CinderError(
        'CINDER_ERR_PUBSUB_DURABLE',
        `expected a durable topic to read the history of, got ${describe(topic)}`,
      )
    }
    await this.#start()
    const read = await this.engine.read(topic, from?.offset, limits)
    return recoveryOf(read, from)
  }

  #declaredLimits(pattern: string): DurableLimits | undefined {
    if (!pattern.endsWith('*')) return this.#exact.get(pattern)
    const prefix = pattern.slice(0, -1)
    return this.#prefixes.find(([p]) => p === prefix)?.[1]
  }
}

function resolveLimits(pattern: string, options: DurableOptions): DurableLimits {
  const { maxMessages = DEFAULT_MAX_MESSAGES, maxAgeMs = DEFAULT_MAX_AGE_MS } = options ?? {}
  const within = (value: number, max: number) =>
    Number.isSafeInteger(value) && value >= 1 && value <= max
  if (!within(maxMessages, MAX_MAX_MESSAGES) || !within(maxAgeMs, MAX_MAX_AGE_MS)) {
    throw new CinderError(
      'CINDER_ERR_PUBSUB_DURABLE',
      `expected durable limits of ${describe(pattern)} with maxMessages an integer in 1..${MAX_MAX_MESSAGES} and maxAgeMs an integer in 1..${MAX_MAX_AGE_MS}, got ${describe(options)}`,
    )
  }
  return { maxMessages, maxAgeMs }
}

/** Logs an engine failure once per `interval` (a dead engine must not flood the log). */
export function throttledLog(logger: Logger, interval = 5000): (line: string) => void {
  let last = Number.NEGATIVE_INFINITY
  let unlogged = 0
  return (line) => {
    const now = performance.now()
    if (now - last < interval) {
      unlogged++
      return
    }
    last = now
    logger.error(unlogged > 0 ? `${line} (and ${unlogged} more since the last report)` : line)
    unlogged = 0
  }
}
