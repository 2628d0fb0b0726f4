/// <reference lib="dom" />
/**
 * A connection to `/socket` and the `room:lobby` channel (src/web/channels/room-channel.ts),
 * with the official `phoenix` client. Import it from app.ts to use it.
 */
// @ts-expect-error phoenix ships no type declarations
import { Socket } from 'phoenix'

export const socket = new Socket('/socket', { params: {} })
socket.connect()

export const room = socket.channel('room:lobby', {})
room.on('shout', (payload: unknown) => console.log('shout', payload))
room
  .join()
  .receive('ok', () => console.log('joined room:lobby'))
  .receive('error', (reason: unknown) => console.error('could not join room:lobby', reason))
