/**
 * The connection as everything above a transport sees it: a place to push
 * frames and a way to close. The channel layer writes through it, the
 * transports (src/socket/transports) implement it, and neither needs the
 * other's module.
 */

/** One frame: a text frame (string) or a binary frame (bytes). */
export type Frame = string | Uint8Array

/** The transports a socket can arrive on. */
export type TransportName = 'websocket' | 'longpoll'

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
  /** The client broke a limit: rate, outbound queue (a slow consumer), expired credentials. */
  policyViolation: 1008,
  /** A frame larger than the configured limit. */
  messageTooBig: 1009,
  /** The server failed (a crash of the socket's process). */
  internalError: 1011,
  /** The server is restarting or draining: reconnect elsewhere. */
  serviceRestart: 1012,
} as const
