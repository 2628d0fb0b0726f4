/**
 * `ConnectInfo.peer`, read from the TCP socket only when `connect` asks. Node
 * keeps what a read of `remoteAddress` returns on the socket for as long as
 * it lives (an object and a string per connection, a few percent of an idle
 * socket's memory), and most sockets' `connect` never looks at the peer.
 */
import type { Socket as NetSocket } from 'node:net'
import type { ConnectInfo } from '../transport.ts'

/** `info` with a `peer` property read from `socket` on first use (then kept). */
export function withLazyPeer(info: Omit<ConnectInfo, 'peer'>, socket: NetSocket): ConnectInfo {
  let peer: ConnectInfo['peer'] | undefined
  return Object.defineProperty(info, 'peer', {
    enumerable: true,
    get: () => {
      peer ??= { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }
      return peer
    },
  }) as ConnectInfo
}
