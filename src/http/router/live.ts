/**
 * The seam between the Router and LiveView. `router.live(path, View)` stores a
 * route of kind 'live'; when it matches, the route hands the conn to the live
 * handler that the LiveView plug (`live.plug`, earlier in the pipeline) put
 * in `conn.private`. No registration, no module state: http/ never imports
 * live/ (dependencies point down only), and a route whose pipeline lacks the
 * plug says so.
 */
import { CinderError } from '../../errors.ts'
import type { Conn } from '../conn.ts'
import type { PlugResult } from '../plug.ts'

/** Options of a live route (the LiveView part reads them). */
export interface LiveRouteOptions {
  /** The live action (Phoenix's `:index`, `:edit`…), given to `handleParams`. */
  readonly action?: string
  /** Route name for path helpers. */
  readonly as?: string
  /** Free-form data for the live part (layout, session keys, live_session name…). */
  readonly metadata?: Readonly<Record<string, unknown>>
}

/** What the Router asks of a view: something that renders (a `LiveView`). */
export interface LiveRouteView {
  readonly render: (...args: never[]) => unknown
}

/** What the live handler receives about the matched route. */
export interface LiveRoute {
  readonly path: string
  readonly view: LiveRouteView
  readonly action: string | undefined
  readonly metadata: Readonly<Record<string, unknown>>
}

/** Renders a matched live route (the dead render, then the client joins over the socket). */
export type LiveHandler = (conn: Conn, route: LiveRoute) => PlugResult

/** The key under which the matched live route is put in `conn.private`. */
export const LIVE_ROUTE_KEY = 'cinderLiveRoute'
const LIVE_HANDLER_KEY = 'cinderLiveHandler'

/** Called by the LiveView plug: live routes of this request are served by `handler`. */
export function putLiveHandler(conn: Conn, handler: LiveHandler): void {
  conn.putPrivate(LIVE_HANDLER_KEY, handler)
}

export function callLiveHandler(conn: Conn, route: LiveRoute): PlugResult {
  conn.putPrivate(LIVE_ROUTE_KEY, route)
  const handler = conn.private[LIVE_HANDLER_KEY] as LiveHandler | undefined
  if (handler === undefined) {
    throw new CinderError(
      'CINDER_ERR_ROUTER_CONFIG',
      `live route ${route.path} matched, but no LiveView plug ran before it: add the plug of createLive(…) to the route's pipeline (after fetchSession and fetchFlash)`,
    )
  }
  return handler(conn, route)
}
