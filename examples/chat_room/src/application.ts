/**
 * Chat Room, assembled as a supervision tree. The parts start in this order and stop in
 * reverse; a part that restarts restarts the parts after it (`rest_for_one`):
 *
 *     chat_room
 *     ├─ pubsub      messages between processes, and through Redis between nodes
 *     ├─ presence    who is online and in which room, who is typing, on every node
 *     ├─ cluster     which nodes are up: the presences of a node that dies leave at once
 *     ├─ chat        the rooms and their history, in Tables kept by one process per node
 *     └─ endpoint    HTTP, `/socket` (the room channel) and `/live` (the pages)
 *
 * `buildApplication` only builds the parts: src/main.ts runs `children` as the application,
 * tests start them with `startApplication`.
 */
import {
  type ChildSpec,
  type Cluster,
  createCluster,
  type createEndpoint,
  createPubSub,
  type Pid,
  type Presence,
  type PubSub,
  redisAdapter,
  startSupervisor,
  stopProcess,
} from 'cinder'
import { Chat } from './chat/chat.ts'
import type { Config } from './config.ts'
import { buildPresence } from './presence.ts'
import { buildEndpoint } from './web/endpoint.ts'

export interface Application {
  readonly pubsub: PubSub
  readonly presence: Presence
  readonly cluster: Cluster
  readonly chat: Chat
  readonly endpoint: ReturnType<typeof createEndpoint>
  /** The tree's children, in start order. */
  readonly children: ChildSpec[]
}

/** An application started outside `runApplication` (tests). */
export interface StartedApplication extends Application {
  /** `http://host:port` */
  readonly url: string
  readonly pid: Pid
  stop(): Promise<void>
}

export async function buildApplication(config: Config): Promise<Application> {
  const pubsub = createPubSub({
    name: config.cluster,
    node: config.node,
    ...(config.redisUrl === undefined ? {} : { adapter: redisAdapter({ url: config.redisUrl }) }),
  })
  const presence = buildPresence(pubsub)
  const cluster = createCluster({ pubsub, name: config.cluster, presences: [presence] })
  const chat = new Chat(pubsub)
  const endpoint = await buildEndpoint(config, { pubsub, presence, chat })
  const children = [pubsub, presence, cluster, chat, endpoint].map((part) => part.childSpec())
  return { pubsub, presence, cluster, chat, endpoint, children }
}

export async function startApplication(config: Config): Promise<StartedApplication> {
  const app = await buildApplication(config)
  const pid = await startSupervisor(app.children, { strategy: 'rest_for_one' })
  return {
    ...app,
    pid,
    url: `http://${config.host}:${app.endpoint.port}`,
    stop: () => stopProcess(pid, 'shutdown'),
  }
}
