/**
 * The contract between a transport (WebSocket, LongPoll) and what runs over it.
 *
 * A transport owns the connection: it parses the request, checks the origin,
 * moves frames and closes. It knows nothing of channels. What runs over it
 * (the channel multiplexer `defineSocket` builds) implements
 * `TransportHandler`, so both transports drive it the same way:
 *
 *     request ──connect()──► refused: the transport answers 403
 *        │
 *        ▼ accepted (state)
 *     upgrade ──init(state, connection)──► the handler may now send frames
 *        │
 *        ├─ every inbound frame ──handleIn(frame, state)
 *        ├─ every ping/pong (WebSocket only) ──handleControl?(control, state)
 *        ▼
 *     closed ──terminate(reason, state)   (exactly once, whoever closed)
 *
 * This follows `Phoenix.Socket.Transport`. Messages addressed to the
 * connection from elsewhere in the app (Phoenix's `handle_info`) go to the
 * handler's own process instead, which is where they need to be ordered.
 */
import type { Params } from '../http/query.ts'

/** One frame: a text frame (string) or a binary frame (bytes). */
export type Frame = string | Uint8Array

/** The transports a socket can arrive on. */
export type TransportName = 'websocket' | 'longpoll'

/** What a socket's `connect` learns of the connection beyond its params. */
export interface ConnectInfo {
  readonly transport: TransportName
  /** The peer's address and port, as the server's TCP socket sees them. */
  readonly peer: { readonly address: string; readonly port: number }
  /** The request URI (path and query). */
  readonly uri: string
  /** Request headers, lower-cased names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  /**
   * The token the client passed as `authToken` (the official client sends it
   * as the subprotocol `base64url.bearer.phx.<base64>` or, over LongPoll, as
   * the `x-phoenix-authtoken` header). Absent when the client sent none.
   */
  readonly authToken?: string
}

/** What a transport hands to `connect`. */
export interface ConnectRequest {
  /** The query params, decoded the Rack way (`a[b]=1` nests), `vsn` included. */
  readonly params: Params
  /** The serializer version the client asked for (`1.0.0` when it named none). */
  readonly vsn: string
  readonly connectInfo: ConnectInfo
}

/**
 * The outcome of `connect`: accepted with the handler's state, or refused.
 * `status` lets a refusal choose its HTTP status (403 when absent).
 */
export type ConnectOutcome<State> =
  | { readonly ok: State }
  | { readonly error: unknown; readonly status?: number }

/** The transport's side of an open connection, as the handler sees it. */
export interface TransportConnection {
  /**
   * Queues one frame. Frames queued within one turn of the event loop leave
   * in one write. Frames queued after `close` are dropped.
   */
  push(frame: Frame): void
  /**
   * Closes the connection. WebSocket sends `code` and `reason` in its close
   * frame (`reason` at most 123 bytes); LongPoll ends the session. Idempotent.
   */
  close(code: number, reason: string): void
}

/** A WebSocket control frame seen by the transport. */
export interface ControlFrame {
  readonly opcode: 'ping' | 'pong'
  readonly payload: Uint8Array
}

/** Why a connection ended, as `terminate` is told. */
export type TransportCloseReason =
  /** The peer closed (or the TCP connection dropped). */
  | { readonly kind: 'peer'; readonly code: number }
  /** The server closed it (`connection.close`, idle timeout, frame limit, drain). */
  | { readonly kind: 'server'; readonly code: number; readonly reason: string }

/** What runs over a transport (see the module comment for the sequence). */
export interface TransportHandler<State> {
  /** Accepts or refuses a connection before any upgrade. May be async. */
  connect(request: ConnectRequest): ConnectOutcome<State> | Promise<ConnectOutcome<State>>
  /** The connection is open; frames may be sent from now on. */
  init(state: State, connection: TransportConnection): void
  /** One inbound frame, in arrival order. */
  handleIn(frame: Frame, state: State): void
  /** A ping or pong from the peer (WebSocket only; the pong reply is automatic). */
  handleControl?(control: ControlFrame, state: State): void
  /** The connection is gone. Called once, after which `state` is dead. */
  terminate(reason: TransportCloseReason, state: State): void
}

/** Close codes this package sends, named once (RFC 6455 §7.4.1 and IANA's registry). */
export const CloseCode = {
  /** Used only when the application itself asks for it: clients may not reconnect. */
  normal: 1000,
  /** Disconnect by socket id, idle timeout: the client reconnects. */
  goingAway: 1001,
  /** A frame that is not the protocol (undecodable, wrong shape). */
  unsupportedData: 1003,
  /** A frame's payload is not valid for its type. */
  invalidPayload: 1007,
  /** A frame larger than the configured limit. */
  messageTooBig: 1009,
  /** The server failed (a crash of the socket's process). */
  internalError: 1011,
  /** The server is restarting or draining: reconnect elsewhere. */
  serviceRestart: 1012,
} as const
