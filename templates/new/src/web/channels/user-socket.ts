/**
 * The socket browsers connect to at `/socket` (`new Socket('/socket')` of the `phoenix` client;
 * see assets/js/user-socket.ts), and the channels it serves, by topic.
 *
 * Everyone may connect. To know who connects, sign a token for the page (`signToken`), pass it
 * in the client's `params`, and check it in `connect`: return `false` to refuse.
 */
import { channel, defineSocket } from 'cinder'
import { roomChannel } from './room-channel.ts'

export function userSocket() {
  return defineSocket({
    channels: [channel('room:*', roomChannel)],
  })
}
