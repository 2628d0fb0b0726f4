/**
 * The contract between a Conn and the server under it, in the spirit of
 * Plug.Conn.Adapter: the Conn decides *what* to send, the adapter only knows
 * *how*. Two implementations ship: Node's `http` (node-adapter.ts) and an
 * in-memory one for tests without a port (inject.ts).
 */
import type { Readable } from 'node:stream'

/**
 * Response headers as sent, flat as Node's raw headers:
 * `[name, value, name, value, …]`, names lower case, `set-cookie` possibly
 * repeated. The conn hands over a list of its own: the adapter may keep or
 * extend it.
 */
export type HeaderList = string[]

/** Request headers as Node gives them: lower-case names. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>

export interface ConnAdapter {
  /** The request body; read once, by `conn.readBody()` or a body parser. */
  readonly body: Readable
  readonly remoteAddress: string
  readonly scheme: 'http' | 'https'
  /** The port the server listens on, used when the Host header names none. */
  readonly localPort: number
  /** Writes status, headers and the whole body. HEAD responses drop the body. */
  sendResp(status: number, headers: HeaderList, body: string | Uint8Array): void
  /** Streams `length` bytes of a file from `offset` (to the end when `length` is undefined). */
  sendFile(
    status: number,
    headers: HeaderList,
    path: string,
    offset: number,
    length: number | undefined,
  ): Promise<void>
  /** Writes status and headers of a chunked response. */
  sendChunked(status: number, headers: HeaderList): void
  /** Writes one chunk, resolving when the transport accepted it (backpressure). */
  chunk(data: string | Uint8Array): Promise<void>
  /** Ends a chunked response (called once the pipeline is done). */
  finishChunked(): void
  /** Hands the connection to another protocol; the Endpoint's adapter implements it. */
  upgrade?(protocol: string, args: unknown): void
}
