/**
 * Gives each request an id: the one the client (or a proxy) sent in
 * `x-request-id` when it looks sane, else a fresh one. The id goes back in
 * the response header and into `conn.private.requestId` for logs.
 *
 * A fresh id has to be unique, not secret: it is echoed to the client and
 * written to logs. Like Plug's (time, node hash and a counter), it is a
 * random prefix drawn once per process and a counter: 20 characters of the
 * base64url alphabet, with no random bytes to draw per request.
 */
import { randomBytes } from 'node:crypto'
import type { Conn } from '../conn.ts'

export const REQUEST_ID_KEY = 'requestId'

const VALID = /^[A-Za-z0-9+/=_-]{20,200}$/

/**
 * The counter runs from 36⁵ to 17 × 36⁵, so it always has 6 base-36 digits
 * (no padding to add) and stays a small integer, whose conversion is fast;
 * past the end (about 10⁹ requests) the process draws a new prefix.
 */
const COUNTER_START = 36 ** 5
const COUNTER_END = 17 * 36 ** 5

/** 14 random base64url characters (80 bits). */
const drawPrefix = (): string => randomBytes(10).toString('base64url')

let prefix = drawPrefix()
let counter = COUNTER_START

/** A new request id: 14 random characters, then the process's counter in 6 base-36 digits. */
export function nextRequestId(): string {
  if (counter === COUNTER_END) {
    prefix = drawPrefix()
    counter = COUNTER_START
  }
  return prefix + (counter++).toString(36)
}

export interface RequestIdOptions {
  /** Header read and written. Default `x-request-id`. */
  readonly header?: string
}

/** The request id, if the `requestId` plug ran. */
export function getRequestId(conn: Conn): string | undefined {
  const id = conn.private[REQUEST_ID_KEY]
  return typeof id === 'string' ? id : undefined
}

/**
 * @example
 * pipeline([requestId(), logger()])
 */
export function requestId({ header = 'x-request-id' }: RequestIdOptions = {}) {
  const name = header.toLowerCase()
  return function requestIdPlug(conn: Conn): Conn {
    const given = conn.getReqHeader(name)
    const id = given !== undefined && VALID.test(given) ? given : nextRequestId()
    conn.private[REQUEST_ID_KEY] = id
    return conn.putRespHeader(name, id)
  }
}
