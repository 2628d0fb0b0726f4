/**
 * One socket mount as a running endpoint holds it: its connection
 * supervisor and the transports (WebSocket, LongPoll) built when the HTTP
 * server starts. The drainer drains it; the HTTP server routes to it.
 */
import type { Logger } from '../logger.ts'
import { type Pid, send } from '../process/index.ts'
import type { PubSub } from '../pubsub/index.ts'
import { type SocketConnection, socketHandler } from '../socket/connection.ts'
import type { CheckOrigin } from '../socket/origin.ts'
import type { SocketDefinition } from '../socket/socket.ts'
import { type LongPollOptions, LongPollTransport } from '../socket/transports/longpoll.ts'
import { type WebSocketOptions, WebSocketTransport } from '../socket/transports/websocket.ts'
import type { DrainTarget } from './drainer.ts'

/** One socket mounted on the endpoint. */
export interface SocketMount {
  /** Where it is served: `/socket` serves `/socket/websocket` and `/socket/longpoll`. */
  readonly path: string
  // biome-ignore lint/suspicious/noExplicitAny: a mount takes a socket of any assigns shape
  readonly socket: SocketDefinition<any>
  /** WebSocket options (checkOrigin, maxFrameSize, idleTimeout, maxQueuedBytes, sendTimeout), or `false` to disable it. */
  readonly websocket?: WebSocketOptions | false
  /** LongPoll: `true` or its options (window, checkOrigin…) to enable it. Default off. */
  readonly longpoll?: LongPollOptions | boolean
}

/** What every mount's transports share. */
export interface TransportContext {
  readonly pubsub: PubSub
  readonly logger: Logger
  readonly endpointHost: string
  readonly secretKeyBase: string
  /** The endpoint's default origin check, when it set one. */
  readonly checkOrigin: CheckOrigin | undefined
}

export class MountedSocket implements DrainTarget {
  readonly mount: SocketMount
  supervisor: Pid | undefined
  websocket: WebSocketTransport<SocketConnection> | undefined
  longpoll: LongPollTransport<SocketConnection> | undefined

  constructor(mount: SocketMount) {
    this.mount = mount
  }

  get hasLongPoll(): boolean {
    return this.mount.longpoll !== undefined && this.mount.longpoll !== false
  }

  /** The connection supervisor adopts every new connection. */
  adopt = (connection: SocketConnection): void => {
    if (this.supervisor !== undefined) send(this.supervisor, connection)
  }

  /** Builds the transports (again, after a restart of the HTTP server). */
  buildTransports(context: TransportContext): void {
    const { pubsub, logger, endpointHost, secretKeyBase } = context
    const handler = socketHandler(this.mount.socket, { pubsub, logger, adopt: this.adopt })
    const origin = context.checkOrigin === undefined ? {} : { checkOrigin: context.checkOrigin }
    const { path, websocket, longpoll } = this.mount
    this.websocket =
      websocket === false
        ? undefined
        : new WebSocketTransport({
            path,
            handler,
            endpointHost,
            logger,
            options: { ...origin, ...(websocket ?? {}) },
          })
    this.longpoll = undefined
    if (longpoll === undefined || longpoll === false) return
    this.longpoll = new LongPollTransport({
      path,
      handler,
      endpointHost,
      logger,
      pubsub,
      secretKeyBase,
      options: { ...origin, ...(longpoll === true ? {} : longpoll) },
    })
    this.longpoll.start()
  }

  stopAccepting(): void {
    this.websocket?.stopAccepting()
    this.longpoll?.stopAccepting()
  }

  async settled(): Promise<void> {
    await Promise.all([this.websocket?.settled(), this.longpoll?.settled()])
  }

  /** Drops whatever is still open (after the drainer, or when it was cut short). */
  dropAll(): void {
    this.websocket?.terminateAll()
    this.longpoll?.stop()
  }
}
