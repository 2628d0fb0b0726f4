/**
 * The seam between the Router and LiveView. `router.live(path, View)` stores a
 * route of kind 'live'; when it matches, the router calls the live handler
 * registered here. The LiveView part registers itself on import, so http/
 * never imports live/ (dependencies point down only).
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

/** What the live handler receives about the matched route. */
export interface LiveRoute {
  readonly path: string
  readonly view: unknown
  readonly action: string | undefined
  readonly metadata: Readonly<Record<string, unknown>>
}

/** Renders a matched live route (the dead render, then the client joins over the socket). */
export type LiveHandler = (conn: Conn, route: LiveRoute) => PlugResult

let liveHandler: LiveHandler | undefined

/** Called by the LiveView part to serve `live` routes; the last registration wins. */
export function registerLiveHandler(handler: LiveHandler): void {
  liveHandler = handler
}

/** The key under which the matched live route is put in `conn.private`. */
export const LIVE_ROUTE_KEY = 'cinderLiveRoute'

export function callLiveHandler(conn: Conn, route: LiveRoute): PlugResult {
  conn.putPrivate(LIVE_ROUTE_KEY, route)
  if (liveHandler === undefined) {
    throw new CinderError(
      'CINDER_ERR_ROUTER_CONFIG',
      `live route ${route.path} matched, but no LiveView handler is registered (import the LiveView part of cinder so it can call registerLiveHandler)`,
    )
  }
  return liveHandler(conn, route)
}
