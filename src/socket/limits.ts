/**
 * What one connection may ask of the server: the limits of a declared
 * socket, gathered in one options object (`defineSocket({ limits })`), each
 * on by default. docs/limits.md lists them with what happens past each.
 */
import { CinderError, describe } from '../errors.ts'

/** The limits of every connection of one socket. */
export interface SocketLimits {
  /** Channels one connection may join. Default 100; past it a join answers `too many channels joined`. */
  readonly maxChannels?: number
  /**
   * Inbound messages per second one connection may send, heartbeats
   * included, sustained. Default 1000. A message over the rate is answered
   * `{reason: "rate limited"}` and not handled.
   */
  readonly messagesPerSecond?: number
  /**
   * Messages one connection may send at once beyond the rate (the bucket's
   * size), and how many refused ones it may send before it is closed with
   * 1008, unless it backs off until its bucket is full again. Default 1000.
   */
  readonly messageBurst?: number
  /** The longest topic, in characters. Default 255; longer ones are answered `topic too long`. */
  readonly maxTopicLength?: number
  /** The longest event name, in characters. Default 255; longer ones are answered `event too long`. */
  readonly maxEventLength?: number
  /** Log lines one connection may cause per minute (what it sent wrong). Default 10; the rest are counted. */
  readonly logLinesPerMinute?: number
}

export type ResolvedSocketLimits = Required<SocketLimits>

export const SOCKET_LIMIT_DEFAULTS: ResolvedSocketLimits = {
  maxChannels: 100,
  messagesPerSecond: 1000,
  messageBurst: 1000,
  maxTopicLength: 255,
  maxEventLength: 255,
  logLinesPerMinute: 10,
}

/** Fills in defaults and checks every limit is a positive whole number. */
export function resolveSocketLimits(limits: SocketLimits = {}): ResolvedSocketLimits {
  const resolved = { ...SOCKET_LIMIT_DEFAULTS, ...withoutUndefined(limits) }
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new CinderError(
        'CINDER_ERR_SOCKET_OPTIONS',
        `the socket limit ${name} must be a positive integer; got: ${describe(value)}`,
      )
    }
  }
  return resolved
}

function withoutUndefined(limits: SocketLimits): SocketLimits {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined))
}
