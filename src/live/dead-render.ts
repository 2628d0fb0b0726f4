/**
 * The dead render: a live route's answer to a plain HTTP GET (protocol notes §1).
 *
 * The view mounts disconnected (`socket.connected === false`), runs
 * `handleParams`, renders to HTML, and the page goes out inside the root
 * layout with what the client needs to take over:
 *
 *     <meta name="csrf-token" content="…">           (sent back when connecting)
 *     <div id="phx-…" data-phx-main                   (the topic is lv:<id>)
 *          data-phx-session="…"                       (signed: id, view, route, live_session, HTTP session)
 *          data-phx-static="…">…the view's HTML…</div> (signed: id, flash)
 *
 * A navigation during this render is an HTTP redirect (302), the flash kept
 * for the next request.
 */
import { CinderError, describe } from '../errors.ts'
import type { Conn } from '../http/conn.ts'
import { redirect as httpRedirect, sendHtml } from '../http/controller.ts'
import type { PlugResult } from '../http/plug.ts'
import { getCsrfToken } from '../http/plugs/csrf-protection.ts'
import { getSession } from '../http/plugs/session.ts'
import type { Params } from '../http/query.ts'
import type { LiveRoute } from '../http/router/live.ts'
import { liveMount } from '../telemetry/index.ts'
import { renderWithChildren } from './dead-children.ts'
import { escapeHtml, raw } from './escape.ts'
import { connFlash, keepFlash } from './flash.ts'
import { runOnMount } from './hooks.ts'
import { isTemplate } from './html.ts'
import type { LiveConfig } from './live-config.ts'
import { type LiveRouteEntry, mountHooks, routeEntry, viewKey } from './live-route.ts'
import { containerId } from './live-session.ts'
import {
  kLive,
  type LiveSessionData,
  type LiveSocket,
  type LiveView,
  LiveSocket as Socket,
  settle,
} from './live-view.ts'

/** Serves a matched live route (`live.plug` hands it to the Router through the conn). */
export async function deadRender(conn: Conn, route: LiveRoute, config: LiveConfig): Promise<Conn> {
  const entry = entryOf(route)
  const view = entry.view as LiveView<object>
  const uri = requestUrl(conn)
  // The token first: it may put the CSRF secret in the session the view mounts with.
  const pageCsrfToken = hasSession(conn) ? getCsrfToken(conn) : ''
  const session = sessionOf(conn, config, entry)
  const socket = new Socket<object>({
    id: containerId(),
    view,
    connected: false,
    uri: uri.href,
    flash: connFlash(conn),
    liveAction: entry.action,
    ...(pageCsrfToken === '' ? {} : { csrfToken: pageCsrfToken }),
  })
  if (await mountDisconnected(entry, conn.params, session, socket)) {
    return redirectFrom(conn, socket)
  }
  const template = view.render(socket.assigns)
  if (!isTemplate(template)) {
    throw new CinderError(
      'CINDER_ERR_BAD_RETURN',
      `${viewName(entry)}.render must return an html\`…\` template, got: ${describe(template)}`,
    )
  }
  const { id } = socket
  const sessionToken = config.tokens.signSession({
    id,
    view: viewKey(view, entry.pattern),
    route: entry.pattern,
    liveSession: entry.liveSession,
    session,
  })
  const staticToken = config.tokens.signStatic({ id, flash: socket.assigns.flash })
  const container =
    `<div id="${id}" data-phx-main data-phx-session="${escapeHtml(sessionToken)}" ` +
    `data-phx-static="${escapeHtml(staticToken)}">${await renderWithChildren(template, id, socket, config)}</div>`
  const title = (socket.assigns as { pageTitle?: unknown }).pageTitle
  const layout = layoutOf(route, entry, config)
  const page = layout({
    inner: raw(container),
    csrfToken: pageCsrfToken,
    title: typeof title === 'string' ? title : undefined,
    assigns: socket.assigns,
    conn,
  })
  // Sticky LiveViews live in the layout, with no parent.
  return sendHtml(conn, await renderWithChildren(page, null, undefined, config))
}

/** `onMount` hooks, `mount`, `handleParams`; true when one of them navigated away. */
async function mountDisconnected(
  entry: LiveRouteEntry,
  params: Params,
  session: LiveSessionData,
  socket: LiveSocket<object>,
): Promise<boolean> {
  const view = entry.view as LiveView<object>
  const where = viewName(entry)
  if (await runOnMount(mountHooks(entry, view), params, session, socket, where)) return true
  if (view.mount !== undefined) {
    settle(`${where}.mount`, await deadMount(view, params, session, socket, where), socket, false)
    if (socket[kLive].navigation !== undefined) return true
  }
  if (view.handleParams !== undefined) {
    const result = await view.handleParams(params, socket.uri ?? '', socket)
    settle(`${where}.handleParams`, result, socket, false)
  }
  return socket[kLive].navigation !== undefined
}

/** The disconnected `mount`, as the `cinder:live:mount` span when anyone listens. */
function deadMount(
  view: LiveView<object>,
  params: Params,
  session: LiveSessionData,
  socket: LiveSocket<object>,
  name: string,
): unknown {
  const run = () => view.mount?.(params, session, socket)
  if (!liveMount.hasSubscribers) return run()
  const context = { view: name, connected: false, params, uri: socket.uri, id: socket.id }
  return liveMount.trace(context, async () => await run())
}

/**
 * The root layout: the route's own (metadata `layout`, as Phoenix's `root_layout` on a
 * route), else its live session's, else the configuration's.
 */
function layoutOf(
  route: LiveRoute,
  entry: LiveRouteEntry,
  config: LiveConfig,
): LiveConfig['layout'] {
  const own = route.metadata.layout
  if (typeof own === 'function') return own as LiveConfig['layout']
  return entry.options?.rootLayout ?? config.layout
}

function entryOf(route: LiveRoute): LiveRouteEntry {
  const view = route.view as LiveView
  if (typeof view !== 'object' || view === null || typeof view.render !== 'function') {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `live route ${route.path} needs a LiveView (an object with render), got: ${describe(view)}`,
    )
  }
  return routeEntry(route)
}

/** The session `mount` receives: the HTTP session, and the live_session's `session` option over it. */
function sessionOf(conn: Conn, config: LiveConfig, entry: LiveRouteEntry): Record<string, unknown> {
  const session = httpSession(conn, config)
  const extra = entry.options?.session
  if (extra === undefined) return session
  return { ...session, ...(typeof extra === 'function' ? extra(conn) : extra) }
}

function viewName(entry: LiveRouteEntry): string {
  return entry.view.name ?? `LiveView(${entry.pattern})`
}

/** The HTTP session, or {} when the pipeline has none (then the socket must not check CSRF). */
function httpSession(conn: Conn, config: LiveConfig): Record<string, unknown> {
  try {
    return { ...getSession(conn) }
  } catch (error) {
    if (config.sessionOptions === undefined && isCode(error, 'CINDER_ERR_SESSION_NOT_FETCHED'))
      return {}
    if (isCode(error, 'CINDER_ERR_SESSION_NOT_FETCHED')) {
      throw new CinderError(
        'CINDER_ERR_LIVE_CONFIG',
        'createLive was given session options, so the socket checks the CSRF token against the session, but this live route has no fetched session: add session(…) and fetchSession before live.plug',
        { cause: error },
      )
    }
    throw error
  }
}

function hasSession(conn: Conn): boolean {
  try {
    getSession(conn)
    return true
  } catch {
    return false
  }
}

function requestUrl(conn: Conn): URL {
  const host = conn.getReqHeader('host') ?? `${conn.host}:${conn.port}`
  const query = conn.queryString === '' ? '' : `?${conn.queryString}`
  return new URL(`${conn.requestPath}${query}`, `${conn.scheme}://${host}`)
}

/** A navigation during the dead render: redirect the request, keeping the flash. */
function redirectFrom(conn: Conn, socket: LiveSocket<object>): PlugResult {
  const navigation = socket[kLive].navigation
  keepFlash(conn, socket.assigns.flash)
  if (navigation?.kind === 'redirect' && navigation.external) {
    return httpRedirect(conn, { external: navigation.to })
  }
  return httpRedirect(conn, navigation?.to ?? '/')
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof CinderError && error.code === code
}
