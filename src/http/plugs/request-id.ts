/**
 * Gives each request an id: the one the client (or a proxy) sent in
 * `x-request-id` when it looks sane, else a fresh random one. The id goes back
 * in the response header and into `conn.private.requestId` for logs.
 */
import type { Conn } from '../conn.ts'
import { pooledRandomId } from '../random-pool.ts'

export const REQUEST_ID_KEY = 'requestId'

const VALID = /^[A-Za-z0-9+/=_-]{20,200}$/

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
    const id = given !== undefined && VALID.test(given) ? given : pooledRandomId(15)
    return conn.putPrivate(REQUEST_ID_KEY, id).putRespHeader(name, id)
  }
}
