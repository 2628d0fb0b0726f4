/**
 * The message a channel broadcast travels as, through PubSub and between
 * nodes. A plain object (not a class) so it survives the trip between nodes.
 */
import type { Payload } from './channel-socket.ts'

/** A broadcast of `event` with `payload` on `topic`. */
export interface Broadcast {
  readonly kind: 'broadcast'
  readonly topic: string
  readonly event: string
  readonly payload: Payload
}

/** Builds a broadcast message. */
export function broadcastMessage(topic: string, event: string, payload: Payload): Broadcast {
  return { kind: 'broadcast', topic, event, payload }
}

/** Whether a message is a broadcast (checked by shape: it may have crossed nodes). */
export function isBroadcast(message: unknown): message is Broadcast {
  if (typeof message !== 'object' || message === null) return false
  const m = message as Partial<Broadcast>
  return (
    m.kind === 'broadcast' &&
    typeof m.topic === 'string' &&
    typeof m.event === 'string' &&
    typeof m.payload === 'object' &&
    m.payload !== null
  )
}
