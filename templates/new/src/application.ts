/**
 * <%= title %>, assembled as a supervision tree. The parts start in this order and stop in
 * reverse; a part that restarts restarts the parts after it (`rest_for_one`):
 *
 *     <%= app %>
 *     ├─ pubsub      messages between processes, and between nodes in a cluster
<% if presence %>
 *     ├─ presence    who has the home page open, on every node
<% end %>
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
<% if presence %>
  type Presence,
<% end %>
  type PubSub,
  startSupervisor,
  stopProcess,
} from 'cinder'
import type { Config } from './config.ts'
<% if presence %>
import { buildPresence } from './presence.ts'
<% end %>
import { buildEndpoint } from './web/endpoint.ts'

export interface Application {
  readonly pubsub: PubSub
<% if presence %>
  readonly presence: Presence
<% end %>
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
  const pubsub = createPubSub({ name: '<%= app %>' })
<% if presence %>
  const presence = buildPresence(pubsub)
  const endpoint = await buildEndpoint(config, { pubsub, presence })
  const children = [pubsub, presence, endpoint].map((part) => part.childSpec())
  return { pubsub, presence, endpoint, children }
<% end %>
<% unless presence %>
  const endpoint = await buildEndpoint(config, { pubsub })
  const children = [pubsub, endpoint].map((part) => part.childSpec())
  return { pubsub, endpoint, children }
<% end %>
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
