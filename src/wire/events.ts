/** The event names and the heartbeat topic of the Phoenix Channels protocol, named once. */

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
