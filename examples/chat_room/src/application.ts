/**
 * Chat Room, assembled as a supervision tree. The parts start in this order and stop in
 * reverse; a part that restarts restarts the parts after it (`rest_for_one`):
 *
 *     chat_room
 *     ├─ pubsub      messages between processes, and between nodes in a cluster
 *     ├─ presence    who has the home page open, on every node
 *     └─ endpoint    HTTP, `/socket` (channels) and `/live` (LiveView)
 *
 * `buildApplication` only builds the parts: src/main.ts runs `children` as the application,
 * tests start them with `startApplication`.
 */
import {
  type ChildSpec,
  type createEndpoint,
  createPubSub,
  type Pid,
  type Presence,
  type PubSub,
  startSupervisor,
  stopProcess,
} from 'cinder'
import type { Config } from './config.ts'
import { buildPresence } from './presence.ts'
import { buildEndpoint } from './web/endpoint.ts'

export interface Application {
  readonly pubsub: PubSub
  readonly presence: Presence
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
  const pubsub = createPubSub({ name: 'chat_room' })
  const presence = buildPresence(pubsub)
  const endpoint = await buildEndpoint(config, { pubsub, presence })
  const children = [pubsub, presence, endpoint].map((part) => part.childSpec())
  return { pubsub, presence, endpoint, children }
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
