/**
 * The `nats` history engine: durable topics in a NATS JetStream stream, so a
 * client may resume on any node. Needs JetStream (`nats-server --jetstream`,
 * 2.9 or later).
 *
 * Each set of limits has one stream, `CINDER_H_<pubsub>_<maxMessages>_<maxAgeMs>`,
 * whose subjects are `cinder.history.<pubsub>.<limits>.<topic>`: it keeps
 * `maxMessages` per subject for `maxAgeMs`. A topic's offsets are the
 * stream's sequence numbers, so they have holes; each message carries the
 * sequence of its topic's message before it (`Cinder-Prev`), written with
 * JetStream's expected-last-subject-sequence check, so the chain cannot
 * lie: a node whose idea of the last sequence is stale gets refused, looks
 * it up and tries again. The stream republishes every stored message, in
 * stream order, on `cinder.historylive.…`, with its sequence: every node
 * subscribes there and so gets each topic's messages in order. The epoch is
 * the stream's creation time (each message carries it, `Cinder-Epoch`): a
 * deleted stream starts a new epoch.
 *
 * Broadcasts of one topic from one node are published one after the other
 * (each needs the sequence of the one before), so one topic's rate from one
 * node is bounded by the round trip to NATS.
 */
import { CinderError } from '../../errors.ts'
import { subjectToken } from '../adapters/nats.ts'
import { throttledLog } from '../durable.ts'
import { decodeFrame, encodeFrame } from '../encoding.ts'
import type {
  DurableLimits,
  DurableRecord,
  HistoryContext,
  HistoryEngine,
  HistoryEntry,
  HistoryRead,
} from '../history.ts'

/** Options of `natsHistory`. */
export interface NatsHistoryOptions {
  /** NATS servers, as `nats://host:port` (one or a list). Default `nats://127.0.0.1:4222`. */
  readonly servers?: string | string[]
  /** Timeout of the first connect, in ms. Default 5000. */
  readonly connectTimeout?: number
  /** Extra options handed to the client's `connect` (user, pass, token, tls …). */
  readonly connectOptions?: Record<string, unknown>
  /** Options of the streams it creates (`replicas`, `storage` …). Default: file storage, 1 replica. */
  readonly streamOptions?: Record<string, unknown>
}

interface Headers {
  get(key: string): string
  set(key: string, value: string): void
}
interface Msg {
  readonly subject: string
  readonly data: Uint8Array
  readonly headers?: Headers
}
interface JsMsg extends Msg {
  readonly seq: number
}
interface Messages extends AsyncIterable<JsMsg> {
  stop(): void
}
interface NatsModule {
  connect(options: object): Promise<NatsConnection>
  headers(): Headers
}
interface NatsConnection {
  jetstream(): JetStream
  jetstreamManager(): Promise<Jsm>
  subscribe(subject: string, options: { callback(err: Error | null, msg: Msg): void }): unknown
  status(): AsyncIterable<{ type: string }>
  close(): Promise<void>
}
interface JetStream {
  publish(
    subject: string,
    data: string,
    options: { headers: Headers; expect: { lastSubjectSequence: number } },
  ): Promise<{ seq: number }>
  consumers: { get(stream: string, options: object): Promise<{ consume(): Promise<Messages> }> }
}
interface Jsm {
  streams: {
    add(config: object): Promise<unknown>
    info(name: string): Promise<{ created: string }>
    getMessage(stream: string, query: object): Promise<{ seq: number }>
  }
}

/** JetStream's "wrong last sequence": another node published on the topic first. */
const WRONG_LAST_SEQUENCE = 10071
/** How often a publish is tried again after losing that race. */
const MAX_PUBLISH_ATTEMPTS = 100
/** Topics whose last sequence a node remembers. */
const MAX_CHAINS = 10_000
/** How long a read of a topic's history may take. */
const READ_TIMEOUT_MS = 10_000

/** Creates a history engine on NATS JetStream (one per PubSub). */
export function natsHistory(options: NatsHistoryOptions = {}): HistoryEngine {
  return new NatsHistory(options)
}

/** One topic's publishing line on this node: its last sequence, and the queue. */
interface Chain {
  last: number | undefined
  tail: Promise<void>
  pending: number
}

class NatsHistory implements HistoryEngine {
  readonly kind = 'nats'
  readonly shared = true
  readonly #options: NatsHistoryOptions
  #nats: NatsModule | undefined
  #nc: NatsConnection | undefined
  #js: JetStream | undefined
  #jsm: Jsm | undefined
  #ctx: HistoryContext | undefined
  #pubsub = ''
  readonly #streams = new Map<string, Promise<void>>()
  readonly #chains = new Map<string, Chain>()
  #logError: (line: string) => void = () => {}

  constructor(options: NatsHistoryOptions) {
    this.#options = options
  }

  async start(ctx: HistoryContext): Promise<void> {
    const { servers = 'nats://127.0.0.1:4222', connectTimeout = 5000 } = this.#options
    this.#ctx = ctx
    this.#pubsub = subjectToken(ctx.pubsub)
    this.#logError = throttledLog(ctx.logger)
    this.#nats = (await import('nats')) as unknown as NatsModule
    try {
      const nc = await this.#nats.connect({
        ...this.#options.connectOptions,
        servers,
        name: `cinder-history:${ctx.pubsub}:${ctx.node}`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        timeout: connectTimeout,
      })
      this.#nc = nc
      this.#js = nc.jetstream()
      this.#jsm = await nc.jetstreamManager()
      nc.subscribe(`cinder.historylive.${this.#pubsub}.>`, {
        callback: (err, msg) => {
          if (err === null) this.#received(msg)
        },
      })
      void this.#watch(nc)
    } catch (err) {
      await this.#nc?.close()
      throw new CinderError(
        'CINDER_ERR_PUBSUB_CONNECT',
        `expected NATS with JetStream to answer at ${String(servers)} for the history of pubsub ${JSON.stringify(ctx.pubsub)}, got: ${(err as Error).message}`,
        { cause: err },
      )
    }
  }

  append(record: DurableRecord, limits: DurableLimits): void {
    const frame = encodeFrame(record.origin, record.topic, record.dispatcher, record.message)
    if (this.#js === undefined) return
    const chain = this.#chain(record.topic)
    chain.pending++
    chain.tail = chain.tail
      .then(() => this.#publish(chain, record, limits, frame))
      .catch((err: Error) =>
        this.#logError(
          `[history nats] lost a broadcast on ${JSON.stringify(record.topic)}: ${err.message}`,
        ),
      )
      .finally(() => {
        chain.pending--
      })
  }

  async read(
    topic: string,
    after: number | undefined,
    limits: DurableLimits,
  ): Promise<HistoryRead> {
    const jsm = this.#jsm
    if (jsm === undefined) throw new Error('the nats history engine is not started')
    await this.#ensureStream(limits)
    const stream = this.#streamName(limits)
    const { created } = await jsm.streams.info(stream)
    const epoch = Date.parse(created).toString(36)
    const subject = this.#subject(topic, limits)
    const head = await this.#lastSequence(stream, subject)
    if (after === undefined || after >= head) return { epoch, head, entries: [] }
    const entries = await this.#range(stream, subject, after + 1, head, epoch)
    return { epoch, head, entries }
  }

  /** What was republished while this node was away is gone from its feed: say so when back. */
  async #watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'reconnect') this.#ctx?.reconnected()
    }
  }

  async stop(): Promise<void> {
    const nc = this.#nc
    this.#nc = undefined
    this.#js = undefined
    this.#ctx = undefined
    await nc?.close()
  }

  async #publish(
    chain: Chain,
    record: DurableRecord,
    limits: DurableLimits,
    frame: string,
  ): Promise<void> {
    const js = this.#js
    const nats = this.#nats
    if (js === undefined || nats === undefined) return
    await this.#ensureStream(limits)
    const subject = this.#subject(record.topic, limits)
    for (let attempt = 1; ; attempt++) {
      chain.last ??= await this.#lastSequence(this.#streamName(limits), subject)
      const headers = nats.headers()
      headers.set('Cinder-Prev', String(chain.last))
      headers.set('Cinder-Skip', String(record.skip))
      headers.set('Cinder-Epoch', this.#epochs.get(this.#streamName(limits)) ?? '')
      try {
        const ack = await js.publish(subject, frame, {
          headers,
          expect: { lastSubjectSequence: chain.last },
        })
        chain.last = ack.seq
        return
      } catch (err) {
        const actual = wrongLastSequence(err)
        // No stream any more (deleted): make sure of it again next time, under its new epoch.
        if (actual === undefined) this.#streams.delete(this.#streamName(limits))
        if (actual === undefined || attempt >= MAX_PUBLISH_ATTEMPTS) throw err
        // Another node came first: JetStream says where the topic is now. Back off a little, at
        // random, so two nodes that keep colliding on one topic drift apart.
        chain.last = actual >= 0 ? actual : undefined
        if (attempt > 1)
          await new Promise((resolve) => setTimeout(resolve, Math.random() * attempt))
      }
    }
  }

  #chain(topic: string): Chain {
    let chain = this.#chains.get(topic)
    if (chain !== undefined) return chain
    if (this.#chains.size >= MAX_CHAINS) {
      for (const [name, idle] of this.#chains) {
        if (idle.pending === 0) {
          this.#chains.delete(name)
          break
        }
      }
    }
    chain = { last: undefined, tail: Promise.resolve(), pending: 0 }
    this.#chains.set(topic, chain)
    return chain
  }

  async #lastSequence(stream: string, subject: string): Promise<number> {
    try {
      return (await (this.#jsm as Jsm).streams.getMessage(stream, { last_by_subj: subject })).seq
    } catch (err) {
      if (isNotFound(err)) return 0
      throw err
    }
  }

  /** The topic's messages from `from` to `to`, through an ordered consumer. */
  async #range(
    stream: string,
    subject: string,
    from: number,
    to: number,
    epoch: string,
  ): Promise<HistoryEntry[]> {
    const consumer = await (this.#js as JetStream).consumers.get(stream, {
      filterSubjects: subject,
      deliver_policy: 'by_start_sequence',
      opt_start_seq: from,
    })
    const messages = await consumer.consume()
    const timer = setTimeout(() => messages.stop(), READ_TIMEOUT_MS)
    const entries: HistoryEntry[] = []
    try {
      for await (const msg of messages) {
        const entry = this.#entry(msg, msg.seq, epoch)
        if (entry !== undefined) entries.push(entry)
        if (msg.seq >= to) break
      }
    } finally {
      clearTimeout(timer)
      messages.stop()
    }
    if (entries.at(-1)?.position.offset !== to) {
      throw new Error(`read of ${subject} stopped before sequence ${to}`)
    }
    return entries
  }

  #received(msg: Msg): void {
    const ctx = this.#ctx
    const seq = Number(msg.headers?.get('Nats-Sequence'))
    if (ctx === undefined || !Number.isSafeInteger(seq)) return
    const epoch = msg.headers?.get('Cinder-Epoch') ?? ''
    const entry = epoch === '' ? undefined : this.#entry(msg, seq, epoch)
    if (entry === undefined) return
    const chain = this.#chains.get(entry.record.topic)
    if (chain !== undefined && chain.pending === 0) chain.last = seq
    ctx.deliver(entry)
  }

  #entry(msg: Msg, seq: number, epoch: string): HistoryEntry | undefined {
    const decoded = decodeFrame(msg.data)
    if (!decoded.ok) return undefined
    const { origin, topic, dispatcher, message } = decoded.frame
    const skip = Number(msg.headers?.get('Cinder-Skip') ?? 0)
    const previous = Number(msg.headers?.get('Cinder-Prev') ?? Number.NaN)
    return {
      position: { epoch, offset: seq },
      record: { origin, skip, topic, dispatcher, message },
      ...(Number.isSafeInteger(previous) ? { previous } : {}),
    }
  }

  /** Stream epochs by name, learned when the stream is made sure of. */
  readonly #epochs = new Map<string, string>()

  #ensureStream(limits: DurableLimits): Promise<void> {
    const name = this.#streamName(limits)
    let ready = this.#streams.get(name)
    if (ready === undefined) {
      ready = this.#createStream(name, limits)
      ready.catch(() => this.#streams.delete(name)) // try again next time
      this.#streams.set(name, ready)
    }
    return ready
  }

  async #createStream(name: string, limits: DurableLimits): Promise<void> {
    const jsm = this.#jsm as Jsm
    const subjects = `cinder.history.${this.#pubsub}.${limitsToken(limits)}.>`
    try {
      await jsm.streams.add({
        storage: 'file',
        num_replicas: 1,
        ...this.#options.streamOptions,
        name,
        subjects: [subjects],
        max_msgs_per_subject: limits.maxMessages,
        max_age: limits.maxAgeMs * 1_000_000,
        discard: 'old',
        republish: {
          src: subjects,
          dest: `cinder.historylive.${this.#pubsub}.${limitsToken(limits)}.>`,
        },
      })
    } catch (err) {
      // Created by another node (or by an older run with other options): use it as it is.
      if (!/already in use/i.test((err as Error).message)) throw err
    }
    const { created } = await jsm.streams.info(name)
    this.#epochs.set(name, Date.parse(created).toString(36))
  }

  #streamName(limits: DurableLimits): string {
    return `CINDER_H_${this.#pubsub.replace(/~/g, '_')}_${limitsToken(limits)}`
  }

  #subject(topic: string, limits: DurableLimits): string {
    return `cinder.history.${this.#pubsub}.${limitsToken(limits)}.${subjectToken(topic)}`
  }
}

function limitsToken(limits: DurableLimits): string {
  return `${limits.maxMessages}_${limits.maxAgeMs}`
}

/** The topic's actual last sequence, when JetStream refused a publish for a stale one. */
function wrongLastSequence(err: unknown): number | undefined {
  const api = (err as { api_error?: { err_code?: number; description?: string } }).api_error
  const text = api?.description ?? String(err)
  if (api?.err_code !== WRONG_LAST_SEQUENCE && !/wrong last sequence/i.test(text)) return undefined
  const actual = Number(/wrong last sequence: (\d+)/i.exec(text)?.[1])
  return Number.isSafeInteger(actual) ? actual : -1 // refused, without saying where: look it up
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  return code === '404' || code === 404 || /no message found/i.test(String(err))
}
