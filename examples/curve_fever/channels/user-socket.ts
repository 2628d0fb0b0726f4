/** The game socket (`/socket`): a connection proves who it is with the page's signed token. */
import { channel, defineSocket, type PubSub, type Socket } from 'cinder'
import { verifyUserToken } from '../auth/user.ts'
import type { Rooms } from '../rooms/rooms.ts'
import { type GameAssigns, type GameChannelOptions, gameChannel } from './game-channel.ts'

export interface UserSocketOptions extends Omit<GameChannelOptions, 'rooms' | 'pubsub'> {
  readonly secretKeyBase: string
  readonly rooms: Rooms
  readonly pubsub: PubSub
}

export function userSocket(options: UserSocketOptions) {
  const { secretKeyBase, ...channelOptions } = options
  return defineSocket<GameAssigns>({
    channels: [channel('game:*', gameChannel(channelOptions))],
    connect(params, socket) {
      const user = verifyUserToken(secretKeyBase, params.token)
      if (user === undefined) return false
      socket.assigns = { user }
      return socket as Socket<GameAssigns>
    },
    id: (socket) =>
      socket.assigns.user === undefined ? null : `user_socket:${socket.assigns.user.id}`,
  })
}
