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
  const {
    servers = 'nats://127.0.0.1:4222',
    subjectPrefix = 'cinder.pubsub',
    reconnectTimeWait = 250,
    connectTimeout = 5000,
    connectOptions = {},
  } = options
  let ctx: AdapterContext | undefined
  let nc: NatsConnection | undefined
  let subject = ''
  let down = false

  const watch = async (conn: NatsConnection, context: AdapterContext): Promise<void> => {
    for await (const status of conn.status()) {
      if (status.type === 'disconnect' && !down) {
        down = true
        context.linkDown(`disconnected from ${String(status.data ?? 'the server')}`)
      } else if (status.type === 'reconnect' && down) {
        down = false
        context.linkUp()
      }
    }
  }

  const publish = (to: string, frame: string): void => {
    if (nc === undefined || down) {
      ctx?.dropped()
      return
    }
    try {
      nc.publish(to, frame)
    } catch {
      ctx?.dropped() // the connection is closing or closed
    }
  }

  return {
    kind: 'nats',
    multiNode: true,

    async start(context) {
      ctx = context
      subject = natsSubject(context.pubsub, subjectPrefix)
      const { connect } = (await import('nats')) as unknown as {
        connect(options: object): Promise<NatsConnection>
      }
      try {
        nc = await connect({
          ...connectOptions,
          servers,
          name: `cinder-pubsub:${context.pubsub}:${context.node}`,
          noEcho: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait,
          timeout: connectTimeout,
        })
      } catch (err) {
        throw new CinderError(
          'CINDER_ERR_PUBSUB_CONNECT',
          `expected NATS to answer at ${String(servers)} for pubsub ${JSON.stringify(context.pubsub)}, got: ${(err as Error).message}`,
          { cause: err },
        )
      }
      const callback = (err: Error | null, msg: { data: Uint8Array }): void => {
        if (err === null) context.receive(msg.data)
      }
      nc.subscribe(subject, { callback })
      nc.subscribe(natsNodeSubject(context.pubsub, context.node, subjectPrefix), { callback })
      // The subscriptions are in place on the server once this round trip is done.
      await nc.flush()
      watch(nc, context).catch(() => {})
    },

    broadcast(frame) {
      publish(subject, frame)
    },

    directBroadcast(node, frame) {
      if (ctx !== undefined) publish(natsNodeSubject(ctx.pubsub, node, subjectPrefix), frame)
    },

    async stop() {
      const conn = nc
      nc = undefined
      if (conn === undefined) return
      // Frames already published reach the server (unless the link is down: nothing to wait for).
      if (!down) await conn.flush().catch(() => {})
      await conn.close()
    },
  }
}
