/**
 * Live routes: which LiveView serves which path, and in which live_session.
 *
 * `router.live(path, View)` (src/http) declares a route whose dead render the
 * handler registered here serves. The join over the socket must find the
 * route again from the URL alone, and live navigation may only move between
 * views of one live_session, so a live_session declares its routes here too:
 *
 * ```ts
 * router.scope('/', { pipeThrough: ['browser'] }, (r) => {
 *   liveSession(r, 'default', (live) => {
 *     live('/counter', Counter)
 *     live('/users/:id', UserShow, { action: 'show' })
 *   })
 * })
 * ```
 *
 * A route declared with `router.live` outside any live_session works for its
 * own page; navigating to it from another view is a full page load. Either
 * way the socket finds the route from `router.liveRoutes`, so a join may land
 * on any node of a cluster, whether or not it served the page.
 */
import { CinderError, describe } from '../errors.ts'
import type { Conn } from '../http/conn.ts'
import type { LiveRouteOptions, Router } from '../http/index.ts'
import { decodeQuery, type Params } from '../http/query.ts'
import type { LiveRoute } from '../http/router/live.ts'
import { parsePattern, type Token } from '../http/router/pattern.ts'
import type { OnMount } from './hooks.ts'
import type { LiveLayout } from './live-config.ts'
import type { LiveView } from './live-view.ts'

/** The metadata key a live route carries its live_session name under. */
export const LIVE_SESSION_KEY = 'liveSession'
/** …and its live_session's options. */
const LIVE_SESSION_OPTIONS = 'liveSessionOptions'

/** One live route, as the socket resolves URLs against it. */
export interface LiveRouteEntry {
  readonly pattern: string
  readonly tokens: readonly Token[]
  // biome-ignore lint/suspicious/noExplicitAny: a route holds a view of any assigns shape
  readonly view: LiveView<any>
  readonly action: string | undefined
  readonly liveSession: string | null
  /** The options of its live_session, if it was declared with some. */
  readonly options: LiveSessionOptions | undefined
}

/** A URL resolved to a live route. */
export interface ResolvedRoute {
  readonly entry: LiveRouteEntry
  /** Path params merged with the query string. */
  readonly params: Params
  readonly uri: URL
}

/** Each router's live routes as entries, rebuilt when routes were added since. */
const tables = new WeakMap<Router, { readonly count: number; readonly entries: LiveRouteEntry[] }>()

function entriesOf(router: Router): LiveRouteEntry[] {
  const routes = router.liveRoutes
  const cached = tables.get(router)
  if (cached !== undefined && cached.count === routes.length) return cached.entries
  const entries = routes.map(routeEntry)
  tables.set(router, { count: routes.length, entries })
  return entries
}

/** The entry of a live route, as the router holds it. */
export function routeEntry(route: LiveRoute): LiveRouteEntry {
  const session = route.metadata[LIVE_SESSION_KEY]
  const options = route.metadata[LIVE_SESSION_OPTIONS]
  return {
    pattern: route.path,
    tokens: parsePattern(route.path),
    view: route.view as LiveView,
    action: route.action,
    liveSession: typeof session === 'string' ? session : null,
    options: options === undefined ? undefined : (options as LiveSessionOptions),
  }
}

/** Options of a live_session (Phoenix's `live_session :name, on_mount: …, session: …, root_layout: …`). */
export interface LiveSessionOptions {
  /** Hooks run before the `mount` of every view of the session, in order (hooks.ts). */
  readonly onMount?: readonly OnMount[]
  /**
   * Extra session data for the views' `mount`, merged over the HTTP session
   * at the dead render (and signed into the page, so the join gets it too):
   * an object, or a function of the request.
   */
  readonly session?:
    | Readonly<Record<string, unknown>>
    | ((conn: Conn) => Readonly<Record<string, unknown>>)
  /** The root layout of the session's pages, instead of `createLive`'s. */
  readonly rootLayout?: LiveLayout
}

/** Declares one live route of a live_session (the `live` of `liveSession`'s callback). */
export type DeclareLive = <A extends object>(
  path: string,
  view: LiveView<A>,
  options?: LiveRouteOptions,
) => void

/**
 * Declares live routes in one live_session: navigation between them needs
 * no page load. `options` (optional) gives them `onMount` hooks, session
 * data and a root layout.
 */
export function liveSession(
  router: Router,
  name: string,
  declare: (live: DeclareLive) => void,
): Router
export function liveSession(
  router: Router,
  name: string,
  options: LiveSessionOptions,
  declare: (live: DeclareLive) => void,
): Router
export function liveSession(
  router: Router,
  name: string,
  optionsOrDeclare: LiveSessionOptions | ((live: DeclareLive) => void),
  maybeDeclare?: (live: DeclareLive) => void,
): Router {
  const declare = typeof optionsOrDeclare === 'function' ? optionsOrDeclare : maybeDeclare
  const sessionOptions = typeof optionsOrDeclare === 'function' ? undefined : optionsOrDeclare
  if (typeof name !== 'string' || name === '' || typeof declare !== 'function') {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `liveSession(router, name, [options,] (live) => { live('/path', View) }) got name ${describe(name)}`,
    )
  }
  checkSessionOptions(name, sessionOptions)
  declare((path, view, options = {}) => {
    checkView(view, path)
    const metadata = {
      ...options.metadata,
      [LIVE_SESSION_KEY]: name,
      ...(sessionOptions === undefined ? {} : { [LIVE_SESSION_OPTIONS]: sessionOptions }),
    }
    router.live(path, view, { ...options, metadata })
  })
  return router
}

function checkSessionOptions(name: string, options: LiveSessionOptions | undefined): void {
  if (options === undefined) return
  const { onMount, session, rootLayout } = options
  const ok =
    typeof options === 'object' &&
    (onMount === undefined ||
      (Array.isArray(onMount) && onMount.every((h) => typeof h === 'function'))) &&
    (session === undefined || typeof session === 'function' || typeof session === 'object') &&
    (rootLayout === undefined || typeof rootLayout === 'function')
  if (!ok) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `liveSession(router, ${describe(name)}, options, …) takes { onMount?: hook[], session?: object | (conn) => object, rootLayout?: (page) => template }, got: ${describe(options)}`,
    )
  }
}

const NO_HOOKS: readonly OnMount<object>[] = []

/** The `onMount` hooks of a view at a route: its live_session's, then its own. */
export function mountHooks(
  entry: LiveRouteEntry | undefined,
  view: LiveView<object> = entry?.view as LiveView<object>,
): readonly OnMount<object>[] {
  const session = entry?.options?.onMount as readonly OnMount<object>[] | undefined
  const own = view?.onMount as readonly OnMount<object>[] | undefined
  if (session === undefined) return own ?? NO_HOOKS
  return own === undefined ? session : [...session, ...own]
}

/** The key a view is known by in tokens: its name, or its route's pattern. */
export function viewKey(view: { readonly name?: string | undefined }, pattern: string): string {
  return typeof view.name === 'string' && view.name !== '' ? view.name : `route:${pattern}`
}

/** Finds the live route of a URL among a router's live routes (most static segments wins). */
export function resolveLiveRoute(router: Router, url: URL): ResolvedRoute | undefined {
  const table = entriesOf(router)
  const segments = pathSegments(url)
  if (segments === undefined) return undefined
  let best: { entry: LiveRouteEntry; params: Params; score: number } | undefined
  for (const entry of table) {
    const matched = matchTokens(entry.tokens, segments)
    if (matched === undefined) continue
    const score = entry.tokens.filter((t) => t.kind === 'static').length
    if (best === undefined || score > best.score) best = { entry, params: matched, score }
  }
  if (best === undefined) return undefined
  return { entry: best.entry, params: withQuery(best.params, url), uri: url }
}

function withQuery(pathParams: Params, url: URL): Params {
  const query = url.search.length > 1 ? decodeQuery(url.search.slice(1)) : {}
  return { ...query, ...pathParams }
}

function pathSegments(url: URL): string[] | undefined {
  try {
    return url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s))
  } catch {
    return undefined
  }
}

function matchTokens(tokens: readonly Token[], segments: readonly string[]): Params | undefined {
  const params: Params = {}
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token
    if (token.kind === 'glob') {
      params[token.name] = segments.slice(i)
      return params
    }
    const segment = segments[i]
    if (segment === undefined) return undefined
    if (token.kind === 'static' && token.value !== segment) return undefined
    if (token.kind === 'param') params[token.name] = segment
  }
  return tokens.length === segments.length ? params : undefined
}

function checkView(view: unknown, path: string): void {
  if (
    typeof view !== 'object' ||
    view === null ||
    typeof (view as LiveView).render !== 'function'
  ) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `live(${describe(path)}, View) expects a LiveView (an object with render), got: ${describe(view)}`,
    )
  }
}
