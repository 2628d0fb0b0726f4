/**
 * `createLive`: the configuration both halves of a LiveView share, the HTTP
 * dead render (through `live.plug` in the router's pipeline) and the `/live`
 * socket (`live.socket(router)` mounted on the endpoint). Both must sign and
 * verify the same tokens, so both come from one object:
 *
 * ```ts
 * const live = createLive({ secretKeyBase, signingSalt: 'lv-salt-1', session: sessionOptions })
 * const router = new Router()
 *   .pipeline('browser', [fetchSession, fetchFlash, protectFromForgery(), live.plug])
 *   .scope('/', { pipeThrough: ['browser'] }, (r) => {
 *     liveSession(r, 'default', (live) => live('/counter', Counter))
 *   })
 * const endpoint = createEndpoint({
 *   handler: createHandler(pipeline([session(sessionOptions), router.plug])),
 *   sockets: [{ path: '/live', socket: live.socket(router) }],
 * })
 * ```
 */
import { CinderError, describe } from '../errors.ts'
import type { Conn } from '../http/conn.ts'
import { text } from '../http/controller.ts'
import { inject } from '../http/inject.ts'
import { type BoundPlug, pipeline } from '../http/plug.ts'
import { validCsrfToken } from '../http/plugs/csrf-protection.ts'
import { fetchSession, getSession, type SessionOptions, session } from '../http/plugs/session.ts'
import { type LiveRoute, putLiveHandler } from '../http/router/live.ts'
import type { Router } from '../http/router/router.ts'
import { channel } from '../socket/routes.ts'
import { defineSocket, type SocketDefinition } from '../socket/socket.ts'
import { deadRender } from './dead-render.ts'
import type { Raw } from './escape.ts'
import { fetchLiveFlash } from './flash.ts'
import { html, type Template } from './html.ts'
import { liveChannel, STALE_CONNECTION } from './live-channel.ts'
import { LiveTokens } from './live-session.ts'
import { type LiveSnapshotOptions, LiveSnapshots } from './snapshots.ts'
import { uploadChannel } from './uploads/upload-channel.ts'
import { UploadRegistry } from './uploads/upload-registry.ts'

/** What the root layout receives. */
export interface LivePage {
  /** The LiveView's container, already rendered: place it in `<body>`. */
  readonly inner: Raw
  /** For `<meta name="csrf-token">`: the client sends it back when it connects. */
  readonly csrfToken: string
  /** The view's `pageTitle` assign, if any. */
  readonly title: string | undefined
  readonly assigns: Readonly<Record<string, unknown>>
  readonly conn: Conn
}

/** The root layout: the whole HTML document around a LiveView. */
export type LiveLayout = (page: LivePage) => Template

export interface LiveOptions {
  /** At least 64 bytes; a function is read on each use (runtime config). */
  readonly secretKeyBase: string | (() => string)
  /** Salt of the LiveView tokens (at least 8 characters). */
  readonly signingSalt: string
  /**
   * The session options of the endpoint's `session(…)` plug. With them the
   * socket checks the page's CSRF token against the session cookie when the
   * browser connects, as Phoenix does; a mismatch makes every join `stale`.
   */
  readonly session?: SessionOptions
  /** The root layout. Default: `defaultLayout` with `script`. */
  readonly layout?: LiveLayout
  /** Where the default layout loads the client bundle from. Default `/assets/app.js`. */
  readonly script?: string
  /** The `<title>` of the default layout when the view sets no `pageTitle`. */
  readonly title?: string
  /** The largest form payload an event may carry, in bytes. Default 1 MB. */
  readonly maxEventSize?: number
  /** The clock of token timestamps (tests). Default `Date.now`. */
  readonly now?: () => number
  /**
   * Where views that `persist` keep their state across a deploy or a dropped connection
   * (docs/durability.md): the cluster's store, ttl, maxBytes. Default: this process's memory.
   */
  readonly snapshots?: LiveSnapshotOptions
}

/** A LiveView configuration (see `createLive`). */
export interface Live {
  /** Put in the browser pipeline, after `fetchSession`/`fetchFlash`: serves the live routes' dead render. */
  readonly plug: BoundPlug
  /** The socket to mount at `/live`, resolving joins against `router`'s live routes. */
  socket(router: Router): SocketDefinition
}

/** @internal What the dead render and the channel read. */
export interface LiveConfig {
  readonly tokens: LiveTokens
  readonly layout: LiveLayout
  readonly sessionOptions: SessionOptions | undefined
  readonly maxEventSize: number
  readonly uploads: UploadRegistry
  readonly snapshots: LiveSnapshots
}

const SESSION_DATA = 'cinderLiveSessionData'

/**
 * Builds the LiveView configuration of an application: `live.plug` for the
 * router pipeline and `live.socket(router)` for the endpoint's `/live` mount
 * (docs/liveview.md).
 */
export function createLive(options: LiveOptions): Live {
  const config = checkOptions(options)
  const serve = (conn: Conn, route: LiveRoute) => deadRender(conn, route, config)
  const plug = Object.assign(
    function livePlug(conn: Conn): Conn {
      putLiveHandler(conn, serve)
      return fetchLiveFlash(conn, config.tokens)
    },
    { plugName: 'livePlug' },
  )
  const readSession =
    config.sessionOptions === undefined ? undefined : sessionReader(config.sessionOptions)
  return {
    plug,
    socket(router) {
      return defineSocket<Record<string, unknown>>({
        channels: [
          channel('lv:*', liveChannel(config, router)),
          channel('lvu:*', uploadChannel(config.uploads)),
        ],
        async connect(params, socket, info) {
          if (readSession === undefined) return socket
          const data = await readSession(info.headers.cookie)
          if (!validCsrfToken(params._csrf_token, data._csrf_token)) {
            socket.assigns = { [STALE_CONNECTION]: true }
          }
          return socket
        },
      })
    },
  }
}

/** Reads the session cookie of an upgrade request, with the same store as the HTTP side. */
function sessionReader(
  options: SessionOptions,
): (cookie: unknown) => Promise<Record<string, unknown>> {
  const read = pipeline([
    session(options),
    fetchSession,
    (conn: Conn) => text(conn.putPrivate(SESSION_DATA, { ...getSession(conn) }), ''),
  ])
  return async (cookie) => {
    if (typeof cookie !== 'string' || cookie === '') return {}
    const { conn } = await inject(read, { headers: { cookie } })
    const data = conn.private[SESSION_DATA]
    return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {}
  }
}

/** The default root layout: the page Phoenix 1.8's generator renders, minus styles. */
export function defaultLayout(options: { script?: string; title?: string } = {}): LiveLayout {
  const script = options.script ?? '/assets/app.js'
  const fallback = options.title ?? 'Cinder'
  return ({ inner, csrfToken, title }) => html`<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="csrf-token" content=${csrfToken}>
    <link rel="icon" href="data:,">
    <title data-default=${fallback}>${title ?? fallback}</title>
    <script defer phx-track-static type="text/javascript" src=${script}></script>
  </head>
  <body>
    ${inner}
  </body>
</html>`
}

function checkOptions(options: LiveOptions): LiveConfig {
  if (typeof options !== 'object' || options === null) {
    throw new CinderError(
      'CINDER_ERR_LIVE_CONFIG',
      `createLive expects an options object; got: ${describe(options)}`,
    )
  }
  const { secretKeyBase, signingSalt } = options
  if (typeof signingSalt !== 'string' || signingSalt.length < 8) {
    throw new CinderError(
      'CINDER_ERR_LIVE_CONFIG',
      `createLive needs a signingSalt of at least 8 characters, got: ${describe(signingSalt)}`,
    )
  }
  const secret = (): string => {
    const value = typeof secretKeyBase === 'function' ? secretKeyBase() : secretKeyBase
    if (typeof value !== 'string' || Buffer.byteLength(value) < 64) {
      throw new CinderError(
        'CINDER_ERR_LIVE_CONFIG',
        `createLive needs a secretKeyBase of at least 64 bytes, got: ${typeof value === 'string' ? `${Buffer.byteLength(value)} bytes` : describe(value)}`,
      )
    }
    return value
  }
  if (typeof secretKeyBase === 'string') secret()
  const maxEventSize = options.maxEventSize ?? 1_048_576
  if (!Number.isInteger(maxEventSize) || maxEventSize < 1) {
    throw new CinderError(
      'CINDER_ERR_LIVE_CONFIG',
      `maxEventSize must be a positive integer, got: ${describe(maxEventSize)}`,
    )
  }
  const layoutOptions = {
    ...(options.script === undefined ? {} : { script: options.script }),
    ...(options.title === undefined ? {} : { title: options.title }),
  }
  const tokens = new LiveTokens(secret, signingSalt, options.now)
  return {
    tokens,
    snapshots: new LiveSnapshots(options.snapshots ?? {}, tokens),
    layout: options.layout ?? defaultLayout(layoutOptions),
    sessionOptions: options.session,
    maxEventSize,
    uploads: new UploadRegistry(),
  }
}
