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
import type { Frame, TransportConnection, TransportName } from '../wire/connection.ts'

export {
  CloseCode,
  type Frame,
  type TransportConnection,
  type TransportName,
} from '../wire/connection.ts'

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
