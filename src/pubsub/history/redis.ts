/**
 * The `redis` history engine: each durable topic's history in a Redis
 * Stream, so a client may resume on any node.
 *
 * A topic has two keys in one hash slot: a hash `…:meta` with its epoch and
 * head offset, and a stream whose entry ids are `<offset>-0`. A broadcast is
 * one Lua script, atomic on the server: it bumps the offset, appends to the
 * stream (trimmed to `maxMessages`), refreshes both keys' TTL to `maxAgeMs`
 * and PUBLISHes the message with its position on the PubSub's history
 * channel. Every node is subscribed to that channel, so each receives the
 * messages of a topic in offset order. When the keys expire (a topic silent
 * for longer than `maxAgeMs`) or are deleted, the next script starts a new
 * epoch.
 *
 * Delivery is at-most-once while Redis is away: a script that fails is
 * logged and its broadcast lost, and messages published while a node's
 * subscription is down never reach it live (a client resuming from the
 * history still gets them).
 */
import { CinderError } from '../../errors.ts'
import { throttledLog } from '../durable.ts'
import { decodeFrame, encodeFrame } from '../encoding.ts'
import {
  type DurableLimits,
  type DurableRecord,
  type HistoryContext,
  type HistoryEngine,
  type HistoryEntry,
  type HistoryRead,
  newEpoch,
} from '../history.ts'

/** Options of `redisHistory`. */
export interface RedisHistoryOptions {
  /** Where Redis listens. Default `redis://127.0.0.1:6379`. */
  readonly url?: string
  /** Prefix of the keys and of the channel. Default `cinder:history:`. */
  readonly prefix?: string
  /** Timeout of one connect attempt, in ms. Default 5000. */
  readonly connectTimeout?: number
}

/** The part of the `redis` client the engine uses. */
interface RedisClient {
  on(event: 'error', listener: (err: Error) => void): unknown
  on(event: 'ready', listener: () => void): unknown
  connect(): Promise<unknown>
  duplicate(): RedisClient
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>
  close(): Promise<void>
  destroy(): void
}

// KEYS: stream, meta. ARGV: new epoch, maxMessages, maxAgeMs, channel, skip, frame.
const APPEND = `
local epoch = redis.call('HGET', KEYS[2], 'e')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'e', epoch, 'o', 0)
end
local offset = redis.call('HINCRBY', KEYS[2], 'o', 1)
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], offset .. '-0', 't', now, 's', ARGV[5], 'f', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', ARGV[4], epoch .. ' ' .. offset .. ' ' .. ARGV[5] .. ' ' .. ARGV[6])
return offset`

// KEYS: stream, meta. ARGV: after ('' for the head only), maxAgeMs, new epoch.
const READ = `
local epoch = redis.call('HGET', KEYS[2], 'e')
if not epoch then
  epoch = ARGV[3]
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'e', epoch, 'o', 0)
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  return {epoch, 0, {}}
end
local head = tonumber(redis.call('HGET', KEYS[2], 'o'))
if ARGV[1] == '' then return {epoch, head, {}} end
local t = redis.call('TIME')
local oldest = t[1] * 1000 + math.floor(t[2] / 1000) - tonumber(ARGV[2])
local out = {}
for _, e in ipairs(redis.call('XRANGE', KEYS[1], (tonumber(ARGV[1]) + 1) .. '-0', '+')) do
  local f = e[2]
  if tonumber(f[2]) >= oldest then out[#out + 1] = {e[1], f[4], f[6]} end
end
return {epoch, head, out}`

/** Creates a history engine on Redis Streams (one per PubSub). */
export function redisHistory(options: RedisHistoryOptions = {}): HistoryEngine {
  return new RedisHistory(options)
}

class RedisHistory implements HistoryEngine {
  readonly kind = 'redis'
  readonly shared = true
  readonly #url: string
  readonly #prefix: string
  readonly #connectTimeout: number
  #ctx: HistoryContext | undefined
  #client: RedisClient | undefined
  #subscriber: RedisClient | undefined
  #channel = ''
  #logError: (line: string) => void = () => {}

  constructor(options: RedisHistoryOptions) {
    this.#url = options.url ?? 'redis://127.0.0.1:6379'
    this.#prefix = options.prefix ?? 'cinder:history:'
    this.#connectTimeout = options.connectTimeout ?? 5000
  }

  async start(ctx: HistoryContext): Promise<void> {
    this.#ctx = ctx
    this.#channel = `${this.#prefix}${ctx.pubsub}`
    this.#logError = throttledLog(ctx.logger)
    const { createClient } = (await import('redis')) as unknown as {
      createClient(options: object): RedisClient
    }
    const client = createClient({
      url: this.#url,
      disableOfflineQueue: true,
      socket: { connectTimeout: this.#connectTimeout },
    })
    const subscriber = client.duplicate()
    client.on('error', () => {}) // it reconnects by itself
    // The subscription comes back by itself too, but what was published meanwhile is gone.
    let lost = false
    subscriber.on('error', () => {
      lost = true
    })
    subscriber.on('ready', () => {
      if (!lost) return
      lost = false
      this.#ctx?.reconnected()
    })
    try {
      await Promise.all([client.connect(), subscriber.connect()])
      await subscriber.subscribe(this.#channel, (message) => this.#received(message))
    } catch (err) {
      client.destroy()
      subscriber.destroy()
      throw new CinderError(
        'CINDER_ERR_PUBSUB_CONNECT',
        `expected Redis to answer at ${this.#url} for the history of pubsub ${JSON.stringify(ctx.pubsub)}, got: ${(err as Error).message}`,
        { cause: err },
      )
    }
    this.#client = client
    this.#subscriber = subscriber
  }

  append(record: DurableRecord, limits: DurableLimits): void {
    const frame = encodeFrame(record.origin, record.topic, record.dispatcher, record.message)
    const client = this.#client
    if (client === undefined) return
    client
      .eval(APPEND, {
        keys: this.#keys(record.topic),
        arguments: [
          newEpoch(),
          String(limits.maxMessages),
          String(limits.maxAgeMs),
          this.#channel,
          String(record.skip),
          frame,
        ],
      })
      .catch((err: Error) =>
        this.#logError(
          `[history redis] lost a broadcast on ${JSON.stringify(record.topic)}: ${err.message}`,
        ),
      )
  }

  async read(
    topic: string,
    after: number | undefined,
    limits: DurableLimits,
  ): Promise<HistoryRead> {
    const client = this.#client
    if (client === undefined) throw new Error('the redis history engine is not started')
    const reply = (await client.eval(READ, {
      keys: this.#keys(topic),
      arguments: [after === undefined ? '' : String(after), String(limits.maxAgeMs), newEpoch()],
    })) as [string, number, Array<[string, string, string]>]
    const [epoch, head, raw] = reply
    const entries: HistoryEntry[] = []
    for (const [id, skip, frame] of raw) {
      const entry = this.#entry(epoch, Number.parseInt(id, 10), Number(skip), frame)
      if (entry !== undefined) entries.push(entry)
    }
    return { epoch, head: Number(head), entries }
  }

  async stop(): Promise<void> {
    const clients = [this.#client, this.#subscriber]
    this.#client = undefined
    this.#subscriber = undefined
    this.#ctx = undefined
    await Promise.all(clients.map((c) => c?.close().catch(() => c.destroy())))
  }

  /** The stream and meta keys, in one hash slot (Redis Cluster runs the scripts). */
  #keys(topic: string): string[] {
    const base = `${this.#prefix}{${this.#channel.slice(this.#prefix.length)}:${topic}}`
    return [base, `${base}:meta`]
  }

  /** A PUBLISHed message: `<epoch> <offset> <skip> <frame>`. */
  #received(message: string): void {
    const ctx = this.#ctx
    if (ctx === undefined) return
    const a = message.indexOf(' ')
    const b = message.indexOf(' ', a + 1)
    const c = message.indexOf(' ', b + 1)
    if (a < 0 || b < 0 || c < 0) return
    const entry = this.#entry(
      message.slice(0, a),
      Number(message.slice(a + 1, b)),
      Number(message.slice(b + 1, c)),
      message.slice(c + 1),
    )
    if (entry !== undefined) ctx.deliver(entry)
  }

  #entry(epoch: string, offset: number, skip: number, frame: string): HistoryEntry | undefined {
    const decoded = decodeFrame(frame)
    if (!decoded.ok) return undefined
    const { origin, topic, dispatcher, message } = decoded.frame
    return { position: { epoch, offset }, record: { origin, skip, topic, dispatcher, message } }
  }
}
