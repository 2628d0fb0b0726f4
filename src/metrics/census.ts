/**
 * A count of what runs on this node, taken by walking its live processes:
 * every socket connection and every joined channel is a process whose
 * state says what it is (Phoenix LiveDashboard reads the BEAM's process
 * list the same way). Nothing is tracked between two censuses, so a
 * census is exact whenever it is taken and costs nothing in between.
 */
import { ChannelServer } from '../channel/channel-server.ts'
import { eachProcessState } from '../process/introspect.ts'
import { SocketConnection } from '../socket/connection.ts'
import type { TransportName } from '../wire/connection.ts'

/** One topic's joined channels on this node. */
export interface TopicCount {
  readonly topic: string
  /** The channel's name (its route pattern when it has none). */
  readonly channel: string
  count: number
}

export interface Census {
  readonly processes: number
  /** Open socket connections, by transport. */
  readonly sockets: Record<TransportName, number>
  /** Joined channels, by their connection's transport (LiveViews included). */
  readonly channels: Record<TransportName, number>
  /** Joined `lv:*` channels: connected LiveViews. */
  readonly liveViews: number
  /** Joined channels by topic (only when asked for: a map entry per topic). */
  readonly topics: Map<string, TopicCount> | undefined
}

/** Walks the live processes once. */
export function takeCensus(options: { topics?: boolean } = {}): Census {
  const census = {
    processes: 0,
    sockets: { websocket: 0, longpoll: 0 },
    channels: { websocket: 0, longpoll: 0 },
    liveViews: 0,
    topics: options.topics === true ? new Map<string, TopicCount>() : undefined,
  }
  eachProcessState((_pid, state) => {
    census.processes++
    if (state instanceof SocketConnection) census.sockets[state.transport]++
    else if (state instanceof ChannelServer && state.joined) countChannel(census, state)
  })
  return census
}

function countChannel(census: Census & { liveViews: number }, server: ChannelServer): void {
  census.channels[server.host.transport]++
  if (server.topic.startsWith('lv:')) census.liveViews++
  const topics = census.topics
  if (topics === undefined) return
  const entry = topics.get(server.topic)
  if (entry === undefined) {
    topics.set(server.topic, { topic: server.topic, channel: server.channelName, count: 1 })
  } else {
    entry.count++
  }
}
