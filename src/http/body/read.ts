/**
 * Reads a whole request body into one Buffer, refusing more than `limit`
 * bytes. Each step is bounded by one chunk: a small body is joined at the end
 * as usual, a body past `SMALL_BODY` is copied chunk by chunk into one buffer
 * sized up front (by content-length, else by the limit; pages nobody writes
 * cost no memory), so no single step copies megabytes.
 */
import { CinderError } from '../../errors.ts'
import type { Conn } from '../conn.ts'

/** Bodies up to this size are joined in one step and parsed in one go. */
export const SMALL_BODY = 65_536

/** The body's bytes; `tooLarge()` is thrown past `limit` (declared or received). */
export async function readBodyBytes(
  conn: Conn,
  limit: number,
  tooLarge: () => CinderError,
): Promise<Buffer> {
  const stream = conn.bodyStream()
  const declared = Number(conn.getReqHeader('content-length') ?? Number.NaN)
  if (declared > limit) {
    stream.resume()
    throw tooLarge()
  }
  const chunks: Buffer[] = []
  let whole: Buffer | undefined
  let size = 0
  for await (const chunk of stream) {
    const bytes = chunk as Buffer
    if (size + bytes.length > limit) {
      stream.resume()
      throw tooLarge()
    }
    if (whole === undefined && size + bytes.length > SMALL_BODY) {
      // Past the small size: one buffer from now on, the chunks so far copied in (under 64 KB).
      whole = Buffer.allocUnsafe(Number.isInteger(declared) ? declared : limit)
      Buffer.concat(chunks, size).copy(whole)
      chunks.length = 0
    }
    if (whole === undefined) chunks.push(bytes)
    else if (size + bytes.length <= whole.length) bytes.copy(whole, size)
    else throw longerThanDeclared(declared)
    size += bytes.length
  }
  return whole === undefined ? Buffer.concat(chunks, size) : whole.subarray(0, size)
}

function longerThanDeclared(declared: number): CinderError {
  return new CinderError(
    'CINDER_ERR_BAD_REQUEST',
    `the request body is longer than its content-length (${declared})`,
  )
}
