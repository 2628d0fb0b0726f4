/**
 * The wire strings the channel multiplexer uses, named once, and the message
 * shapes it exchanges with serializers (defined in `message.ts`).
 */
export type {
  Broadcast as WireBroadcast,
  Message as WireMessage,
  Reply as WireReply,
} from './message.ts'
export type { Serializer as WireSerializer } from './serializer.ts'

/** Event names of the protocol. */
export const Events = {
  join: 'phx_join',
  leave: 'phx_leave',
  reply: 'phx_reply',
  close: 'phx_close',
  error: 'phx_error',
  heartbeat: 'heartbeat',
  disconnect: 'disconnect',
} as const

/** The topic heartbeats travel on. */
export const HEARTBEAT_TOPIC = 'phoenix'
