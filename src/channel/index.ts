// Public API of channel/ (re-exported from src/index.ts).
export type { Broadcast as ChannelBroadcast } from './broadcast.ts'
export type {
  Channel,
  HandleInResult,
  HandleResult,
  JoinError,
  JoinOk,
  JoinParams,
  JoinResult,
} from './channel.ts'
export {
  assign,
  broadcast,
  broadcastFrom,
  ChannelSocket,
  type HasAssigns,
  push,
  replyToPush,
  type SocketRef,
  socketRef,
} from './channel-socket.ts'
export { error, ok } from './results.ts'
