/**
 * The `nats` adapter: nodes joined through NATS core subjects, with the
 * official `nats` client (loaded only when the adapter starts).
 *
 * Each PubSub uses two subjects: `<prefix>.<pubsub>` carries broadcasts to
 * every node, `<prefix>.<pubsub>.node.<node>` direct broadcasts to one node.
 * The PubSub and node names are escaped into single subject tokens (see
 * `subjectToken`), so a node named after a dotted host name is fine.
 *
 * The client reconnects by itself, forever, and subscribes again. While the
 * link is down outgoing frames are dropped (not buffered for later), and
 * frames other nodes publish meanwhile never arrive: delivery is
 * at-most-once, as with Phoenix.
 */
import { CinderError } from '../../errors.ts'
import type { Adapter, AdapterContext } from '../adapter.ts'
import { natsHistory } from '../history/nats.ts'
import type { HistoryEngine } from '../history.ts'

/** Options of the `nats` adapter. */
export interface NatsAdapterOptions {
  /** NATS servers, as `nats://host:port` (one or a list). Default `nats://127.0.0.1:4222`. */
  servers?: string | string[]
  /** First token(s) of the subjects. Default `cinder.pubsub`. */
  subjectPrefix?: string
  /** Wait between two reconnect attempts, in ms. Default 250. */
  reconnectTimeWait?: number
  /** Timeout of the first connect, in ms. Default 5000. */
  connectTimeout?: number
  /** Extra options handed to the client's `connect` (user, pass, token, tls …). */
  connectOptions?: Record<string, unknown>
}

/** The part of the `nats` client the adapter uses. */
interface NatsConnection {
  publish(subject: string, payload: string): void
  subscribe(
    subject: string,
    options: { callback(err: Error | null, msg: { data: Uint8Array }): void },
  ): unknown
  status(): AsyncIterable<{ type: string; data?: unknown }>
  flush(): Promise<void>
  close(): Promise<void>
}

/**
 * Escapes a name into one NATS subject token: letters, digits, `-` and `_`
 * stay; every other byte becomes `~HH`.
 */
export function subjectToken(name: string): string {
  return /^[A-Za-z0-9_-]+$/.test(name)
    ? name
    : Array.from(Buffer.from(name, 'utf8'), (byte) =>
        /[A-Za-z0-9_-]/.test(String.fromCharCode(byte))
          ? String.fromCharCode(byte)
          : `~${byte.toString(16).padStart(2, '0')}`,
      ).join('')
}

/** The subject that carries broadcasts of the PubSub named `pubsub`. */
export function natsSubject(pubsub: string, prefix = 'cinder.pubsub'): string {
  return `${prefix}.${subjectToken(pubsub)}`
}

/** The subject that carries direct broadcasts to `node`. */
export function natsNodeSubject(pubsub: string, node: string, prefix = 'cinder.pubsub'): string {
  return `${natsSubject(pubsub, prefix)}.node.${subjectToken(node)}`
}

/** Creates a `nats` adapter for one PubSub. */
export function natsAdapter(options: NatsAdapterOptions = {}): Adapter {
  return new NatsAdapter(options)
}

type Connect = (options: object) => Promise<NatsConnection>

class NatsAdapter implements Adapter {
  readonly kind = 'nats'
  readonly multiNode = true
  readonly #servers: string | string[]
  readonly #subjectPrefix: string
  readonly #reconnectTimeWait: number
  readonly #connectTimeout: number
  readonly #connectOptions: Record<string, unknown>
  #ctx: AdapterContext | undefined
  #nc: NatsConnection | undefined
  #subject = ''
  #down = false

  constructor(options: NatsAdapterOptions) {
    const {
      servers = 'nats://127.0.0.1:4222',
      subjectPrefix = 'cinder.pubsub',
      reconnectTimeWait = 250,
      connectTimeout = 5000,
      connectOptions = {},
    } = options
    this.#servers = servers
    this.#subjectPrefix = subjectPrefix
    this.#reconnectTimeWait = reconnectTimeWait
    this.#connectTimeout = connectTimeout
    this.#connectOptions = connectOptions
  }

  async start(context: AdapterContext): Promise<void> {
    this.#ctx = context
    this.#subject = natsSubject(context.pubsub, this.#subjectPrefix)
    const nc = await this.#connect(context)
    this.#nc = nc
    const callback = (err: Error | null, msg: { data: Uint8Array }): void => {
      if (err === null) context.receive(msg.data)
    }
    nc.subscribe(this.#subject, { callback })
    nc.subscribe(natsNodeSubject(context.pubsub, context.node, this.#subjectPrefix), { callback })
    // The subscriptions are in place on the server once this round trip is done.
    await nc.flush()
    this.#watch(nc, context).catch(() => {})
  }

  broadcast(frame: string): void {
    this.#publish(this.#subject, frame)
  }

  history(): HistoryEngine {
    return natsHistory({
      servers: this.#servers,
      connectTimeout: this.#connectTimeout,
      connectOptions: this.#connectOptions,
    })
  }

  directBroadcast(node: string, frame: string): void {
    const ctx = this.#ctx
    if (ctx !== undefined) {
      this.#publish(natsNodeSubject(ctx.pubsub, node, this.#subjectPrefix), frame)
    }
  }

  async stop(): Promise<void> {
    const conn = this.#nc
    this.#nc = undefined
    if (conn === undefined) return
    // Frames already published reach the server (unless the link is down: nothing to wait for).
    if (!this.#down) await conn.flush().catch(() => {})
    await conn.close()
  }

  async #connect(context: AdapterContext): Promise<NatsConnection> {
    const { connect } = (await import('nats')) as unknown as { connect: Connect }
    try {
      return await connect({
        ...this.#connectOptions,
        servers: this.#servers,
        name: `cinder-pubsub:${context.pubsub}:${context.node}`,
        noEcho: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: this.#reconnectTimeWait,
        timeout: this.#connectTimeout,
      })
    } catch (err) {
      throw new CinderError(
        'CINDER_ERR_PUBSUB_CONNECT',
        `expected NATS to answer at ${String(this.#servers)} for pubsub ${JSON.stringify(context.pubsub)}, got: ${(err as Error).message}`,
        { cause: err },
      )
    }
  }

  async #watch(conn: NatsConnection, context: AdapterContext): Promise<void> {
    for await (const status of conn.status()) {
      if (status.type === 'disconnect' && !this.#down) {
        this.#down = true
        context.linkDown(`disconnected from ${String(status.data ?? 'the server')}`)
      } else if (status.type === 'reconnect' && this.#down) {
        this.#down = false
        context.linkUp()
      }
    }
  }

  #publish(to: string, frame: string): void {
    if (this.#nc === undefined || this.#down) {
      this.#ctx?.dropped()
      return
    }
    try {
      this.#nc.publish(to, frame)
    } catch {
      this.#ctx?.dropped() // the connection is closing or closed
    }
  }
}
