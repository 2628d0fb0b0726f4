/**
 * What went through this node's transports since it started: frames in and
 * out, and their payload sizes. Plain counters bumped where every frame
 * passes anyway (a field increment, always on); metrics reads them when
 * scraped. Sizes are payload lengths: bytes for binary frames, characters
 * for text ones (the same for ASCII JSON), without the framing.
 */
import type { Frame, TransportName } from './transport.ts'

/** The counters of one transport. */
export interface TransportTraffic {
  framesIn: number
  framesOut: number
  bytesIn: number
  bytesOut: number
}

function counters(): TransportTraffic {
  return { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0 }
}

/** Every transport's counters, by name. */
export const traffic: Readonly<Record<TransportName, TransportTraffic>> = {
  websocket: counters(),
  longpoll: counters(),
}

/** A frame's payload length. */
export function frameLength(frame: Frame): number {
  return typeof frame === 'string' ? frame.length : frame.byteLength
}
