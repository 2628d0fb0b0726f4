/**
 * The socket other clients connect to at `/socket` (`new Socket('/socket', {params: {name}})`
 * with the `phoenix` client, or any Phoenix client), and its channels. Browser pages use
 * LiveView over `/live` instead. A client names itself when it connects; without a valid name
 * it is refused.
 */
import { assign, channel, defineSocket, type Socket } from 'cinder'
import { signIn } from '../../chat/model.ts'
import type { ChatContext } from '../context.ts'
import { type RoomAssigns, roomChannel } from './room-channel.ts'

export function userSocket(context: ChatContext) {
  return defineSocket<RoomAssigns>({
    channels: [channel('room:*', roomChannel(context))],
    connect(params, socket) {
      const signedIn = signIn(params.name)
      if (!signedIn.ok) return false
      return assign(socket as Socket<RoomAssigns>, { user: signedIn.value })
    },
  })
}
