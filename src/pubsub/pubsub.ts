/**
 * PubSub: deliver a message on a topic to every subscriber, on this node and,
 * through an adapter, on every other node of the cluster.
 *
 * How it works:
 * - Subscriptions live on their node only (see `subscriptions.ts`). A process
 *   subscription is dropped when the process stops, through the runtime's
 *   `onExit` hook (one per subscribed process, removed with its last topic;
 *   see `subscribed-processes.ts`).
 *   This is the mechanism `Registry` uses; PubSub keeps its own table rather
 *   than a duplicate-key Registry because it also holds function subscribers
 *   and hands dispatchers an allocation-free `Iterable` of entries.
 *   TODO(process): a Registry that accepted non-Pid owners and exposed
 *   `entries(key): Iterable<RegistryEntry>` over its Map could hold this table.
 * - A broadcast is dispatched here, synchronously, and handed once, encoded,
 *   to the adapter, which carries it to the other nodes; each of them
 *   dispatches it to its own subscribers. The sender is skipped only on its
 *   own node: on other nodes it cannot be a subscriber.
 * - A dispatcher decides how the entries of a topic receive a message. The
 *   default one sends the message to each process and calls each function.
 *   Custom dispatchers are registered by name on every node, and travel by
 *   name, so the receiving node applies the same one (the channel layer's
 *   fastlane is one).
 */
import { CinderError, describe } from '../errors.ts'
import { type Logger, runtimeLogger } from '../logger.ts'
import { type ChildSpec, isAlive, Pid, send } from '../process/index.ts'
import { indexPids } from '../process/process.ts'
import { pubsubBroadcast, pubsubReceive } from '../telemetry/index.ts'
import type { Adapter, AdapterContext } from './adapter.ts'
import { localAdapter } from './adapters/local.ts'
import { DurableTopics } from './durable.ts'
import { decodeFrame, encodeFrame } from './encoding.ts'
import { ForeignFrames } from './foreign-frames.ts'
import { memoryHistory } from './history/memory.ts'
import type { DurableLimits, DurableOptions, HistoryEngine, Position, Recovery } from './history.ts'
import { pubsubChildSpec } from './holder.ts'
import { defaultNodeName } from './node-name.ts'
import { SubscribedProcesses } from './subscribed-processes.ts'
import type { Dispatcher, SubscribeOptions, Subscriber } from './subscriber.ts'
import { type SubscriberEntry, Subscriptions, type TopicEntries } from './subscriptions.ts'

export {
  type Dispatcher,
  deliver,
  type SubscribeOptions,
  type Subscriber,
  type SubscriberFn,
} from './subscriber.ts'

/** Options of a PubSub. */
export interface PubSubOptions {
  /** The PubSub's name; nodes join the same PubSub by using the same name. */
  name: string
  /** Carries broadcasts between nodes. Default: `localAdapter()` (one node). */
  adapter?: Adapter
  /** This node's name, unique in the cluster. Default: see `defaultNodeName`. */
  node?: string
  /** Where log lines go. Default: the runtime's logger (`getLogger()` at the time of each line). */
  logger?: Logger
  /** Keeps the history of durable topics. Default: the adapter's (Redis, NATS), else `memoryHistory()`. */
  history?: HistoryEngine
}

/**
 * Builds a PubSub without starting it: put `pubsub.childSpec()` in the
 * application's supervision tree (or call `pubsub.start()`).
 */
export function createPubSub(options: PubSubOptions): PubSub {
  return new PubSub(options)
}

/** Builds a PubSub and starts its adapter. */
export async function startPubSub(options: PubSubOptions): Promise<PubSub> {
  const pubsub = new PubSub(options)
  await pubsub.start()
  return pubsub
}

/** A publish/subscribe hub over one node or a cluster. See `docs/pubsub.md`. */
export class PubSub {
  readonly name: string
  readonly node: string
  readonly #adapter: Adapter
  readonly #logger: Logger
  readonly #durable: DurableTopics
  readonly #subs = new Subscriptions<Subscriber>()
  /** Topics of each subscribed process, to drop them when it stops. */
  readonly #processes = new SubscribedProcesses((pid, topics) => {
    for (const topic of topics) this.#subs.remove(topic, pid)
  })
  readonly #dispatchers = new Map<string, Dispatcher>()
  readonly #reconnectHooks = new Set<() => void>()
  readonly #nodeDownHooks = new Set<(node: string, reason: string) => void>()
  #state: 'new' | 'starting' | 'running' | 'stopped' = 'new'
  readonly #link = { down: false, since: 0, reason: '', dropped: 0 }
  readonly #unknownDispatchers = new Set<string>()
  readonly #foreign = new ForeignFrames(
    () => this.#prefix(),
    () => this.#logger,
    () => this.#adapter.kind,
  )

  constructor(options: PubSubOptions) {
    const {
      name,
      adapter = localAdapter(),
      node = defaultNodeName(),
      logger = runtimeLogger,
      history,
    } = options
    if (typeof name !== 'string' || name === '') {
      throw new CinderError(
        'CINDER_ERR_PUBSUB_BAD_ARG',
        `expected a non-empty string as PubSub name, got ${describe(name)}`,
      )
    }
    if (typeof node !== 'string' || node === '') {
      throw new CinderError(
        'CINDER_ERR_PUBSUB_BAD_ARG',
        `expected a non-empty string as node name, got ${describe(node)}`,
      )
    }
    this.name = name
    this.node = node
    this.#adapter = adapter
    this.#logger = logger
    this.#durable = new DurableTopics(
      history ?? adapter.history?.() ?? memoryHistory(),
      history !== undefined,
    )
  }

  /** The adapter's kind (`local`, `memory`, `redis`, `nats` …). */
  get adapterKind(): string {
    return this.#adapter.kind
  }

  /** Whether the link to the other nodes is up (always true for a single-node adapter). */
  get connected(): boolean {
    return this.#state === 'running' && !this.#link.down
  }

  /** Where the PubSub is in its life: `new`, `starting`, `running` or `stopped`. */
  get state(): 'new' | 'starting' | 'running' | 'stopped' {
    return this.#state
  }

  /**
   * Runs this PubSub in a supervision tree: the tree starts its adapter
   * and, when it stops, stops it (after the children that use it, which
   * come later in the list). A PubSub stopped for good does not restart.
   *
   * @example
   * const pubsub = createPubSub({ name: 'app', adapter: redisAdapter({ url }) })
   * await startSupervisor([pubsub.childSpec(), presence.childSpec(), endpoint.childSpec()])
   */
  childSpec(id = `pubsub ${this.name}`): ChildSpec {
    return pubsubChildSpec(this, id)
  }

  /** Starts the adapter; resolves once broadcasts can flow between nodes. */
  async start(): Promise<void> {
    if (this.#state !== 'new') {
      throw new CinderError(
        'CINDER_ERR_PUBSUB_NOT_RUNNING',
        `expected a new PubSub to start, got one that is ${this.#state}`,
      )
    }
    this.#state = 'starting'
    // Other nodes name this node's processes by number (`<node.id>`): let them be found.
    if (this.#adapter.multiNode) indexPids()
    try {
      await this.#adapter.start(this.#context())
      await this.#durable.attach({
        pubsub: this.name,
        node: this.node,
        logger: this.#logger,
        deliver: (entry) => this.#durable.delivered(this.node, entry, this.#durableDispatch),
        reconnected: () => this.#runReconnectHooks(),
      })
    } catch (err) {
      this.#state = 'stopped'
      throw err
    }
    this.#state = 'running'
  }

  /**
   * Subscribes `subscriber` to `topic` on this node. A process is
   * unsubscribed from everything when it stops; a function stays until
   * `unsubscribe`. Subscribing the same subscriber twice makes it receive
   * each message twice.
   */
  subscribe(topic: string, subscriber: Subscriber, options?: SubscribeOptions): void {
    this.#assertRunning('subscribe')
    if (typeof topic !== 'string') {
      throw new CinderError(
        'CINDER_ERR_PUBSUB_BAD_ARG',
        `expected a string topic to subscribe to, got ${describe(topic)}`,
      )
    }
    const isFunction = typeof subscriber === 'function'
    if (!isFunction && !(subscriber instanceof Pid)) {
      throw new CinderError(
        'CINDER_ERR_PUBSUB_BAD_ARG',
        `expected a Pid or a function as subscriber of ${describe(topic)}, got ${describe(subscriber)}`,
      )
    }
    if (isFunction) {
      this.#subs.add(topic, subscriber, options?.metadata)
      return
    }
    if (!isAlive(subscriber)) return // as if it had subscribed and stopped at once
    this.#subs.add(topic, subscriber, options?.metadata)
    this.#processes.add(subscriber, topic)
  }

  /** Removes every subscription of `subscriber` to `topic`; a no-op when there is none. */
  unsubscribe(topic: string, subscriber: Subscriber): void {
    if (!this.#subs.remove(topic, subscriber) || typeof subscriber === 'function') return
    this.#processes.remove(subscriber, topic)
  }

  /** The subscriptions to `topic` on this node (a copy). */
  subscribers(topic: string): SubscriberEntry<Subscriber>[] {
    const entries = this.#subs.get(topic)
    return entries === undefined
      ? []
      : Array.from(entries.values(), ({ subscriber, metadata }) => ({ subscriber, metadata }))
  }

  /** The number of subscriptions to `topic` on this node. */
  subscriberCount(topic: string): number {
    return this.#subs.count(topic)
  }

  /**
   * Registers a dispatcher under `name`. Register it on every node: a
   * broadcast names its dispatcher and each node applies its own copy.
   */
  registerDispatcher(name: string, dispatcher: Dispatcher): void {
    if (typeof dispatcher !== 'function' || typeof name !== 'string' || name === '') {
      throw new CinderError(
        'CINDER_ERR_PUBSUB_BAD_ARG',
        `expected a name and a function to register a dispatcher, got ${describe(name)} and ${describe(dispatcher)}`,
      )
    }
    if (this.#dispatchers.has(name)) {
      throw new CinderError(
        'CINDER_ERR_PUBSUB_BAD_ARG',
        `expected a new dispatcher name, got ${describe(name)} which is already registered`,
      )
    }
    this.#dispatchers.set(name, dispatcher)
  }

  /** Broadcasts to every subscriber of `topic` on every node. */
  broadcast(topic: string, message: unknown, dispatcher?: string): void {
    this.#publish(undefined, topic, message, dispatcher)
  }

  /** Broadcasts to every subscriber of `topic` on every node, except `from`. */
  broadcastFrom(from: Subscriber, topic: string, message: unknown, dispatcher?: string): void {
    this.#publish(from, topic, message, dispatcher)
  }

  /**
   * Declares `pattern` (a topic, or a prefix ending in `*`) durable: its
   * broadcasts get positions and a history, kept by the `history` engine,
   * from which a client that comes back recovers what it missed. See
   * `docs/durability.md`.
   */
  durable(pattern: string, options?: DurableOptions): void {
    this.#durable.declare(pattern, options)
  }

  /** The history limits of `topic`, or undefined when it is not durable. */
  durableLimits(topic: string): DurableLimits | undefined {
    return this.#durable.declared ? this.#durable.limits(topic) : undefined
  }

  /** What a client that saw `from` on the durable `topic` missed (where it stands, without `from`). */
  recover(topic: string, from?: Position): Promise<Recovery> {
    this.#assertRunning('read history')
    return this.#durable.recover(topic, from)
  }

  /** Broadcasts to the subscribers of `topic` on this node only. */
  localBroadcast(topic: string, message: unknown, dispatcher?: string): void {
    this.#assertRunning('broadcast')
    this.#dispatch(topic, undefined, message, this.#dispatcherFor(dispatcher))
    if (pubsubBroadcast.hasSubscribers) this.#published('local', topic, dispatcher)
  }

  /** Broadcasts to the subscribers of `topic` on this node only, except `from`. */
  localBroadcastFrom(from: Subscriber, topic: string, message: unknown, dispatcher?: string): void {
    this.#assertRunning('broadcast')
    this.#dispatch(topic, from, message, this.#dispatcherFor(dispatcher))
    if (pubsubBroadcast.hasSubscribers) this.#published('local', topic, dispatcher)
  }

  /**
   * Broadcasts to the subscribers of `topic` on the node named `node` only
   * (this node included). A node nobody runs receives nothing.
   */
  directBroadcast(node: string, topic: string, message: unknown, dispatcher?: string): void {
    this.#assertRunning('broadcast')
    const apply = this.#dispatcherFor(dispatcher)
    if (node === this.node) {
      this.#dispatch(topic, undefined, message, apply)
    } else if (this.#adapter.multiNode) {
      this.#adapter.directBroadcast(
        node,
        encodeFrame(this.node, topic, dispatcher ?? null, message),
      )
    }
    if (pubsubBroadcast.hasSubscribers) this.#published('direct', topic, dispatcher)
  }

  /**
   * Runs `hook` each time the link to the other nodes comes back after a
   * loss (messages may have been lost meanwhile: resynchronise state here).
   * Returns a function that removes the hook.
   */
  onReconnect(hook: () => void): () => void {
    this.#reconnectHooks.add(hook)
    return () => this.#reconnectHooks.delete(hook)
  }

  /**
   * Runs `hook(node, reason)` each time the adapter learns that another node is gone, before
   * any heartbeat could tell: the `cluster` adapter reports `worker_exit` when the primary sees
   * a worker die. Other adapters never do; a membership layer (docs/cluster.md) listens here
   * and times silent nodes out itself. Returns a function that removes the hook.
   */
  onNodeDown(hook: (node: string, reason: string) => void): () => void {
    this.#nodeDownHooks.add(hook)
    return () => this.#nodeDownHooks.delete(hook)
  }

  /** Stops the adapter and forgets every subscription. Idempotent. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return
    this.#state = 'stopped'
    this.#subs.clear()
    this.#processes.clear()
    this.#reconnectHooks.clear()
    this.#nodeDownHooks.clear()
    await Promise.all([this.#adapter.stop(), this.#durable.stop()])
  }

  #publish(
    from: Subscriber | undefined,
    topic: string,
    message: unknown,
    dispatcher: string | undefined,
  ): void {
    this.#assertRunning('broadcast')
    const apply = this.#dispatcherFor(dispatcher)
    if (this.#durable.declared && this.#publishDurable(from, topic, message, dispatcher)) return
    // Encode first: a message that cannot cross nodes reaches no one.
    if (this.#adapter.multiNode) {
      this.#adapter.broadcast(encodeFrame(this.node, topic, dispatcher ?? null, message))
    }
    this.#dispatch(topic, from, message, apply)
    if (pubsubBroadcast.hasSubscribers) this.#published('cluster', topic, dispatcher)
  }

  /** To the history engine; a node-local one (memory) gets each node's copy through the adapter. */
  #publishDurable(
    from: Subscriber | undefined,
    topic: string,
    message: unknown,
    dispatcher?: string,
  ) {
    const limits = this.#durable.limits(topic)
    if (limits === undefined) return false
    if (!this.#durable.engine.shared && this.#adapter.multiNode) {
      this.#adapter.broadcast(encodeFrame(this.node, topic, dispatcher ?? null, message))
    }
    this.#durable.append(this.node, from, topic, message, dispatcher, limits)
    if (pubsubBroadcast.hasSubscribers) this.#published('cluster', topic, dispatcher)
    return true
  }

  /** Publishes `cinder:pubsub:broadcast` (the caller checked that anyone listens). */
  #published(scope: 'cluster' | 'local' | 'direct', topic: string, dispatcher?: string): void {
    pubsubBroadcast.publish({
      pubsub: this.name,
      node: this.node,
      topic,
      scope,
      dispatcher: dispatcher ?? null,
      subscribers: this.#subs.count(topic),
    })
  }

  readonly #durableDispatch = (
    topic: string,
    from: Subscriber | undefined,
    message: unknown,
    name: string | null,
    position: Position,
  ): void => {
    if (this.#state !== 'running') return
    const dispatcher = name === null ? undefined : this.#dispatchers.get(name)
    if (name !== null && dispatcher === undefined) return // not registered here: never subscribed
    this.#dispatch(topic, from, message, dispatcher, position)
  }

  #dispatch(
    topic: string,
    from: Subscriber | undefined,
    message: unknown,
    dispatcher: Dispatcher | undefined,
    position?: Position,
  ): void {
    const entries = this.#subs.get(topic)
    if (entries === undefined) return
    if (dispatcher === undefined) {
      this.#dispatchDefault(topic, entries, from, message)
      return
    }
    try {
      dispatcher(entries.values(), from, message, position)
    } catch (err) {
      this.#logger.error(
        `${this.#prefix()} a dispatcher threw on topic ${describe(topic)}: ${errorText(err)}`,
      )
    }
  }

  // The hot loop: no allocation per subscriber beyond what `send` does.
  #dispatchDefault(
    topic: string,
    entries: TopicEntries<Subscriber>,
    from: Subscriber | undefined,
    message: unknown,
  ): void {
    const limit = this.#subs.seq
    for (const entry of entries.values()) {
      const subscriber = entry.subscriber
      if (subscriber === from || entry.seq >= limit) continue
      if (typeof subscriber !== 'function') {
        send(subscriber, message)
        continue
      }
      try {
        subscriber(message)
      } catch (err) {
        this.#logger.error(
          `${this.#prefix()} a subscriber of ${describe(topic)} threw: ${errorText(err)}`,
        )
      }
    }
  }

  #dispatcherFor(name: string | undefined): Dispatcher | undefined {
    if (name === undefined) return undefined
    const dispatcher = this.#dispatchers.get(name)
    if (dispatcher === undefined) {
      throw new CinderError(
        'CINDER_ERR_PUBSUB_NO_DISPATCHER',
        `expected a dispatcher registered on pubsub ${describe(this.name)}, got ${describe(name)}`,
      )
    }
    return dispatcher
  }

  #receive(data: string | Uint8Array): void {
    if (this.#state !== 'running') return
    const decoded = decodeFrame(data)
    if (!decoded.ok) {
      if (decoded.kind === 'version') this.#foreign.refuse(decoded.origin, decoded.version)
      else this.#foreign.dropCorrupt(decoded.reason, data)
      return
    }
    const { origin, topic, dispatcher: name, message } = decoded.frame
    if (origin === this.node) return // our own broadcast, echoed by the server
    let dispatcher: Dispatcher | undefined
    if (name !== null) {
      dispatcher = this.#dispatchers.get(name)
      if (dispatcher === undefined) {
        if (!this.#unknownDispatchers.has(name)) {
          this.#unknownDispatchers.add(name)
          this.#logger.error(
            `${this.#prefix()} dropped broadcasts from node ${describe(origin)} for dispatcher ${describe(name)}, which is not registered on this node (logged once)`,
          )
        }
        return
      }
    }
    const limits = this.durableLimits(topic) // only with a node-local history engine
    if (limits === undefined) this.#dispatch(topic, undefined, message, dispatcher)
    else this.#durable.append(origin, undefined, topic, message, name ?? undefined, limits)
    if (pubsubReceive.hasSubscribers) {
      pubsubReceive.publish({
        pubsub: this.name,
        node: this.node,
        origin,
        topic,
        dispatcher: name,
        subscribers: this.#subs.count(topic),
        bytes: typeof data === 'string' ? data.length : data.byteLength,
      })
    }
  }

  #context(): AdapterContext {
    return {
      pubsub: this.name,
      node: this.node,
      logger: this.#logger,
      receive: (data) => this.#receive(data),
      linkDown: (reason) => this.#linkDown(reason),
      linkUp: () => this.#linkUp(),
      dropped: () => {
        this.#link.dropped++
      },
      nodeDown: (node, reason) => this.#nodeDown(node, reason),
    }
  }

  #nodeDown(node: string, reason: string): void {
    if (this.#state !== 'running' || node === this.node) return
    for (const hook of this.#nodeDownHooks) {
      try {
        hook(node, reason)
      } catch (err) {
        this.#logger.error(`${this.#prefix()} an onNodeDown hook threw: ${errorText(err)}`)
      }
    }
  }

  #linkDown(reason: string): void {
    if (this.#link.down || this.#state === 'stopped') return
    Object.assign(this.#link, { down: true, since: performance.now(), reason, dropped: 0 })
    this.#logger.warn(
      `${this.#prefix()} lost the ${this.#adapter.kind} link (${reason}); broadcasts between nodes are lost until it is back`,
    )
  }

  #linkUp(): void {
    if (!this.#link.down || this.#state === 'stopped') return
    this.#link.down = false
    const seconds = ((performance.now() - this.#link.since) / 1000).toFixed(1)
    this.#logger.info(
      `${this.#prefix()} the ${this.#adapter.kind} link is back after ${seconds} s (${this.#link.dropped} outgoing broadcasts dropped meanwhile)`,
    )
    this.#runReconnectHooks()
  }

  #runReconnectHooks(): void {
    if (this.#state !== 'running') return
    for (const hook of this.#reconnectHooks) {
      try {
        hook()
      } catch (err) {
        this.#logger.error(`${this.#prefix()} an onReconnect hook threw: ${errorText(err)}`)
      }
    }
  }

  #assertRunning(action: string): void {
    if (this.#state !== 'running') {
      throw new CinderError(
        'CINDER_ERR_PUBSUB_NOT_RUNNING',
        `expected a running PubSub to ${action}, got pubsub ${describe(this.name)} ${this.#state === 'stopped' ? 'stopped' : 'not started (call start())'}`,
      )
    }
  }

  #prefix(): string {
    return `[pubsub ${this.name}@${this.node}]`
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : describe(err)
}
