/**
 * The endpoint, where <%= title %> meets the network. Each request runs through its plug: the
 * static files of public/, a request id and a log line, the body parsers, the session, then the
 * router. `/socket` serves the channels of the user socket, `/live` the LiveViews.
 */
import { join } from 'node:path'
import { createEndpoint, createLive<% if presence %>, type Presence<% end %>, type PubSub } from 'cinder'
import type { Config } from '../config.ts'
import { userSocket } from './channels/user-socket.ts'
import { layout } from './layout.ts'
import { buildRouter } from './router.ts'

/** The session cookie; it is signed with the secret key base. */
const SESSION = { key: '_<%= app %>_key', signingSalt: '<%= signing_salt %>' }

export interface EndpointParts {
  readonly pubsub: PubSub
<% if presence %>
  readonly presence: Presence
<% end %>
}

export async function buildEndpoint(config: Config, parts: EndpointParts) {
  const { secretKeyBase } = config
  const live = createLive({
    secretKeyBase,
    signingSalt: '<%= live_salt %>',
    session: { ...SESSION, secretKeyBase },
    layout: layout(config),
  })
  const router = buildRouter(live<% if presence %>, parts<% end %>)
  return createEndpoint({
    port: config.port,
    host: config.host,
    secretKeyBase,
    pubsub: parts.pubsub,
    debugErrors: config.dev,
    // Sockets accept pages served by this host (the browser's Origin), whatever its name.
    checkOrigin: 'conn',
    static: {
      at: '/',
      from: join(config.root, 'public'),
      only: ['assets', 'favicon.ico', 'robots.txt'],
      cacheControlForEtags: config.dev ? 'no-cache' : 'public',
    },
    session: SESSION,
    router,
    sockets: [
      { path: '/socket', socket: userSocket() },
      { path: '/live', socket: live.socket(router) },
    ],
  })
}
