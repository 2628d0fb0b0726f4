/**
 * A server's WebSocket frame, built once for every connection it goes to.
 *
 * A broadcast hands the same encoded frame to thousands of connections.
 * Through `ws`, each `send` turns the string into a new Buffer, builds a
 * header and writes both (cork, two writes, uncork). Server frames are not
 * masked (RFC 6455 §5.1), so the bytes are the same for every connection:
 * they are built on the first connection and reused by the next ones while
 * the frame is the same (a one-entry cache, so nothing outlives the
 * broadcast but one frame). This is the prepared message of uWebSockets and
 * of Go's gorilla/websocket.
 */
import type { Frame } from '../transport.ts'

const FIN_TEXT = 0x81
const FIN_BINARY = 0x82

let lastFrame: Frame | undefined
let lastBytes: Buffer | undefined

/** The complete unmasked WebSocket frame (text for a string, binary for bytes) carrying `frame`. */
export function preparedFrame(frame: Frame): Buffer {
  if (frame === lastFrame && lastBytes !== undefined) return lastBytes
  const text = typeof frame === 'string'
  const length = text ? Buffer.byteLength(frame) : frame.byteLength
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10
  const bytes = Buffer.allocUnsafe(headerLength + length)
  bytes[0] = text ? FIN_TEXT : FIN_BINARY
  if (length < 126) {
    bytes[1] = length
  } else if (length < 65_536) {
    bytes[1] = 126
    bytes.writeUInt16BE(length, 2)
  } else {
    bytes[1] = 127
    bytes.writeBigUInt64BE(BigInt(length), 2)
  }
  if (text) bytes.write(frame, headerLength, 'utf8')
  else bytes.set(frame, headerLength)
  lastFrame = frame
  lastBytes = bytes
  return bytes
}
