/**
 * The `redis` adapter: nodes joined through Redis pub/sub, with the official
 * `redis` client (loaded only when the adapter starts).
 *
 * Each PubSub uses two Redis channels: `<prefix><pubsub>` carries broadcasts
 * to every node, `<prefix><pubsub>:node:<node>` carries direct broadcasts to
 * one node. A node holds two connections, one publishing and one subscribed
 * (a subscribed RESP2 connection cannot publish).
 *
 * Reconnects are automatic, with a backoff capped at `maxReconnectDelay`; the
 * client subscribes again by itself. The link counts as down while either
 * connection is. While the publishing one is down, outgoing frames are
 * dropped rather than queued (Redis pub/sub keeps nothing
 * for a subscriber that is away, so a queue would only delay the loss), and
 * frames published by other nodes meanwhile never arrive: delivery is
 * at-most-once, as with Phoenix.
 */
import { CinderError } from '../../errors.ts'
import type { Adapter, AdapterContext } from '../adapter.ts'
import { redisHistory } from '../history/redis.ts'
import type { HistoryEngine } from '../history.ts'

/** Options of the `redis` adapter. */
export interface RedisAdapterOptions {
  /** Where Redis listens, as `redis://[user:pass@]host:port[/db]` or `rediss://…`. Default `redis://127.0.0.1:6379`. */
  url?: string
  /** Prefix of the Redis channel names. Default `cinder:pubsub:`. */
  channelPrefix?: string
  /** Longest wait between two reconnect attempts, in ms. Default 2000. */
  maxReconnectDelay?: number
  /** Timeout of one connect attempt, in ms. Default 5000. */
  connectTimeout?: number
}

/** The part of the `redis` client the adapter uses. */
interface RedisClient {
  on(event: 'error', listener: (err: Error) => void): unknown
  on(event: 'ready' | 'end', listener: () => void): unknown
  connect(): Promise<unknown>
  duplicate(): RedisClient
  publish(channel: string, message: string): Promise<unknown>
  subscribe(channels: string[], listener: (message: string) => void): Promise<unknown>
  close(): Promise<void>
  destroy(): void
}

/** The Redis channel that carries broadcasts of the PubSub named `pubsub`. */
export function redisChannel(pubsub: string, prefix = 'cinder:pubsub:'): string {
  return `${prefix}${pubsub}`
}

/** The Redis channel that carries direct broadcasts to `node`. */
export function redisNodeChannel(pubsub: string, node: string, prefix = 'cinder:pubsub:'): string {
  return `${prefix}${pubsub}:node:${node}`
}

/** Creates a `redis` adapter for one PubSub. */
export function redisAdapter(options: RedisAdapterOptions = {}): Adapter {
  return new RedisAdapter(options)
}

type CreateClient = (options: object) => RedisClient

class RedisAdapter implements Adapter {
  readonly kind = 'redis'
  readonly multiNode = true
  readonly #url: string
  readonly #channelPrefix: string
  readonly #maxReconnectDelay: number
  readonly #connectTimeout: number
  #ctx: AdapterContext | undefined
  #publisher: RedisClient | undefined
  #subscriber: RedisClient | undefined
  #channel = ''
  #started = false
  #stopping = false
  // Which of the two connections are down; the link is up when none is.
  readonly #down = new Set<string>()

  constructor(options: RedisAdapterOptions) {
    const {
      url = 'redis://127.0.0.1:6379',
      channelPrefix = 'cinder:pubsub:',
      maxReconnectDelay = 2000,
      connectTimeout = 5000,
    } = options
    this.#url = url
    this.#channelPrefix = channelPrefix
    this.#maxReconnectDelay = maxReconnectDelay
    this.#connectTimeout = connectTimeout
  }

  async start(context: AdapterContext): Promise<void> {
    this.#ctx = context
    this.#channel = redisChannel(context.pubsub, this.#channelPrefix)
    const { createClient } = (await import('redis')) as unknown as { createClient: CreateClient }
    const publisher = createClient(this.#clientOptions(context))
    const subscriber = publisher.duplicate()
    this.#publisher = publisher
    this.#subscriber = subscriber
    this.#watch(publisher, 'publish')
    this.#watch(subscriber, 'subscribe')
    try {
      await Promise.all([publisher.connect(), subscriber.connect()])
      await subscriber.subscribe(
        [this.#channel, redisNodeChannel(context.pubsub, context.node, this.#channelPrefix)],
        (message: string): void => context.receive(message),
      )
    } catch (err) {
      publisher.destroy()
      subscriber.destroy()
      throw new CinderError(
        'CINDER_ERR_PUBSUB_CONNECT',
        `expected Redis to answer at ${this.#url} for pubsub ${JSON.stringify(context.pubsub)}, got: ${(err as Error).message}`,
        { cause: err },
      )
    }
    this.#started = true
  }

  broadcast(frame: string): void {
    this.#publish(this.#channel, frame)
  }

  history(): HistoryEngine {
    return redisHistory({ url: this.#url, connectTimeout: this.#connectTimeout })
  }

  directBroadcast(node: string, frame: string): void {
    const ctx = this.#ctx
    if (ctx !== undefined) {
      this.#publish(redisNodeChannel(ctx.pubsub, node, this.#channelPrefix), frame)
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true
    const clients = [this.#publisher, this.#subscriber]
    this.#publisher = undefined
    this.#subscriber = undefined
    await Promise.all(
      clients.map(async (client) => {
        if (client === undefined) return
        try {
          await client.close() // lets frames already written reach Redis
        } catch {
          client.destroy()
        }
      }),
    )
  }

  #clientOptions(context: AdapterContext): object {
    return {
      url: this.#url,
      // CLIENT SETNAME refuses spaces and newlines.
      name: `cinder-pubsub:${context.pubsub}:${context.node}`.replace(/[^\x21-\x7e]/g, '_'),
      disableOfflineQueue: true,
      socket: {
        connectTimeout: this.#connectTimeout,
        // The first attempt fails fast so a wrong URL shows at start; later ones retry forever.
        reconnectStrategy: (retries: number, cause: Error) =>
          this.#started
            ? Math.min(50 * 2 ** Math.min(retries, 10), this.#maxReconnectDelay)
            : cause,
      },
    }
  }

  #watch(client: RedisClient, role: string): void {
    client.on('error', (err) => {
      if (!this.#started || this.#stopping) return
      this.#down.add(role)
      this.#ctx?.linkDown(`${role} connection: ${err.message}`)
    })
    client.on('ready', () => {
      if (!this.#down.delete(role) || this.#down.size > 0) return
      this.#ctx?.linkUp()
    })
  }

  #publish(to: string, frame: string): void {
    if (this.#publisher === undefined || this.#down.has('publish')) {
      this.#ctx?.dropped()
      return
    }
    this.#publisher.publish(to, frame).catch(() => this.#ctx?.dropped())
  }
}
