/**
 * The Router, as Phoenix.Router: named pipelines, scopes with path prefixes,
 * verbs, `forward` and `live` routes; itself a plug (`router.plug`).
 *
 * A request is matched first (radix tree over decoded path segments), then
 * runs the pipelines its scope piped through, then the action. No route is a
 * 404 (`CINDER_ERR_NO_ROUTE`); a wrong method is a 404 too, as in Phoenix.
 * HEAD requests are served by GET routes, with the body dropped.
 *
 * @example
 * const router = new Router()
 *   .pipeline('api', [accepts(['json'])])
 *   .scope('/api', (r) => {
 *     r.pipeThrough('api')
 *     r.get('/users/:id', (conn, { id }) => json(conn, { id }))
 *   })
 * createServer(createHandler(router.plug))
 */
import { CinderError, describe } from '../../errors.ts'
import { routerDispatch } from '../../telemetry/index.ts'
import type { Conn } from '../conn.ts'
import {
  type AnyPlug,
  type BoundPlug,
  bindPlug,
  type PlugResult,
  type PlugSpec,
  pipeline,
} from '../plug.ts'
import { encodeQuery, type Params } from '../query.ts'
import {
  callLiveHandler,
  type LiveRoute,
  type LiveRouteOptions,
  type LiveRouteView,
} from './live.ts'
import { joinPaths, paramNames, parsePattern, shapeOf, type Token } from './pattern.ts'
import { ANY_METHOD, RadixTree } from './radix.ts'

type ParamNamesOf<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNamesOf<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never
type GlobNameOf<P extends string> = P extends `${string}*${infer Name}` ? Name : never

/** The params a path pattern declares: `:id` → string, `*rest` → string[]. */
export type PathParams<P extends string> = { [K in ParamNamesOf<P>]: string } & {
  [K in GlobNameOf<P>]: string[]
}

/** A controller action: the conn and its merged params (path params typed from the pattern). */
export type Action<P extends string = string> = (
  conn: Conn,
  params: Params & PathParams<P>,
) => PlugResult

export interface RouteOptions {
  /** Route name for `router.path(name, params)`; joined to the scopes' `as` with `_`. */
  readonly as?: string
  /** Merged into `conn.assigns` when the route matches. */
  readonly assigns?: Readonly<Record<string, unknown>>
  /** Merged into `conn.private` when the route matches. */
  readonly private?: Readonly<Record<string, unknown>>
}

export interface ScopeOptions {
  readonly as?: string
  readonly pipeThrough?: readonly string[]
  readonly assigns?: Readonly<Record<string, unknown>>
  readonly private?: Readonly<Record<string, unknown>>
}

/** A declared route, as `router.routes` lists it. */
export interface RouteInfo {
  readonly verb: string
  readonly path: string
  readonly kind: 'action' | 'forward' | 'live'
  readonly name: string | undefined
  readonly pipelines: readonly string[]
}

/** Put in `conn.private` when a route matches. */
export const ROUTE_KEY = 'cinderRoute'

/** No route for the method and path: 404. `routes` lists the router's routes (for the dev page). */
export class NoRouteError extends CinderError {
  readonly routes: readonly string[]

  constructor(method: string, path: string, routerName: string, routes: readonly string[]) {
    super('CINDER_ERR_NO_ROUTE', `no route found for ${method} ${path} (${routerName})`)
    this.routes = routes
  }
}

interface Scope {
  readonly path: string
  readonly as: string | undefined
  readonly pipeThrough: string[]
  readonly assigns: Readonly<Record<string, unknown>>
  readonly private: Readonly<Record<string, unknown>>
}

interface RouteDef {
  readonly info: RouteInfo
  readonly method: string
  readonly tokens: readonly Token[]
  readonly names: readonly string[]
  readonly assigns: Readonly<Record<string, unknown>>
  readonly private: Readonly<Record<string, unknown>>
  readonly hasAssigns: boolean
  readonly hasPrivate: boolean
  /** The plug run after the pipelines. */
  readonly handler: AnyPlug
}

interface Compiled {
  readonly tree: RadixTree<CompiledRoute>
  readonly listing: readonly string[]
}

interface CompiledRoute {
  readonly def: RouteDef
  readonly run: BoundPlug
}

const VERBS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE']

export class Router {
  readonly name: string
  readonly #pipelines = new Map<string, readonly PlugSpec[]>()
  readonly #routes: RouteDef[] = []
  readonly #scopes: Scope[] = [
    { path: '/', as: undefined, pipeThrough: [], assigns: {}, private: {} },
  ]
  readonly #named = new Map<string, readonly Token[]>()
  readonly #liveRoutes: LiveRoute[] = []
  readonly #shapes = new Map<string, string>()
  #compiled: Compiled | undefined

  /** The router as a plug: mount it with `createHandler(router.plug)` or `forward`. */
  readonly plug: BoundPlug

  constructor(options: { name?: string } = {}) {
    this.name = options.name ?? 'Router'
    const call = (conn: Conn): PlugResult => this.#call(conn)
    this.plug = Object.assign(call, { plugName: this.name })
  }

  /** Declares a named pipeline of plugs that scopes can `pipeThrough`. */
  pipeline(name: string, plugs: readonly PlugSpec[]): this {
    if (this.#pipelines.has(name)) {
      throw new CinderError(
        'CINDER_ERR_ROUTER_CONFIG',
        `pipeline ${describe(name)} is declared twice`,
      )
    }
    this.#pipelines.set(name, plugs)
    this.#compiled = undefined
    return this
  }

  /** Routes declared in `fn` get the path prefix (and options) of this scope; scopes nest. */
  scope(path: string, fn: (router: this) => void): this
  scope(path: string, options: ScopeOptions, fn: (router: this) => void): this
  scope(
    path: string,
    optionsOrFn: ScopeOptions | ((router: this) => void),
    maybeFn?: (router: this) => void,
  ): this {
    const [options, fn] =
      typeof optionsOrFn === 'function' ? [{}, optionsOrFn] : [optionsOrFn, maybeFn]
    if (typeof fn !== 'function') {
      throw new CinderError(
        'CINDER_ERR_ROUTER_CONFIG',
        `scope ${describe(path)} needs a function declaring its routes`,
      )
    }
    parsePattern(path)
    const parent = this.#scope()
    this.#scopes.push({
      path: joinPaths(parent.path, path),
      as: joinNames(parent.as, options.as),
      pipeThrough: [...parent.pipeThrough, ...(options.pipeThrough ?? [])],
      assigns: { ...parent.assigns, ...options.assigns },
      private: { ...parent.private, ...options.private },
    })
    try {
      fn(this)
    } finally {
      this.#scopes.pop()
    }
    return this
  }

  /** Routes declared after this call (in the current scope) run these pipelines first. */
  pipeThrough(...names: string[]): this {
    this.#scope().pipeThrough.push(...names)
    return this
  }

  get<P extends string>(path: P, action: Action<P>, options?: RouteOptions): this {
    return this.match('GET', path, action, options)
  }
  post<P extends string>(path: P, action: Action<P>, options?: RouteOptions): this {
    return this.match('POST', path, action, options)
  }
  put<P extends string>(path: P, action: Action<P>, options?: RouteOptions): this {
    return this.match('PUT', path, action, options)
  }
  patch<P extends string>(path: P, action: Action<P>, options?: RouteOptions): this {
    return this.match('PATCH', path, action, options)
  }
  delete<P extends string>(path: P, action: Action<P>, options?: RouteOptions): this {
    return this.match('DELETE', path, action, options)
  }
  head<P extends string>(path: P, action: Action<P>, options?: RouteOptions): this {
    return this.match('HEAD', path, action, options)
  }
  options<P extends string>(path: P, action: Action<P>, options?: RouteOptions): this {
    return this.match('OPTIONS', path, action, options)
  }

  /** A route for several verbs, or for any verb with `'*'`. */
  match<P extends string>(
    verbs: string | readonly string[],
    path: P,
    action: Action<P>,
    options: RouteOptions = {},
  ): this {
    if (typeof action !== 'function') {
      throw new CinderError(
        'CINDER_ERR_ROUTER_CONFIG',
        `route ${describe(path)} needs an action (conn, params) => conn, got: ${describe(action)}`,
      )
    }
    const handler = function runAction(conn: Conn): PlugResult {
      return action(conn, conn.params as Params & PathParams<P>)
    }
    Object.defineProperty(handler, 'name', { value: action.name || 'action' })
    for (const verb of typeof verbs === 'string' ? [verbs] : verbs) {
      this.#add(checkVerb(verb), path, 'action', handler, options)
    }
    return this
  }

  /**
   * Sends every request under `path` to another plug or router, with the prefix
   * moved from `conn.pathInfo` to `conn.scriptName` while it runs.
   */
  forward(path: string, target: PlugSpec | Router, options: RouteOptions = {}): this {
    const tokens = parsePattern(path)
    if (tokens.some((t) => t.kind !== 'static')) {
      throw new CinderError(
        'CINDER_ERR_ROUTER_CONFIG',
        `forward needs a static path, got: ${describe(path)}`,
      )
    }
    const plug = target instanceof Router ? target.plug : bindPlug(target)
    this.#add(ANY_METHOD, joinPaths(path, `*${FORWARD_GLOB}`), 'forward', forwardTo(plug), options)
    return this
  }

  /** A LiveView route (GET); the LiveView plug in its pipeline serves it (`createLive`). */
  live(path: string, view: LiveRouteView, options: LiveRouteOptions = {}): this {
    const fullPath = joinPaths(this.#scope().path, path)
    const route = {
      path: fullPath,
      view,
      action: options.action,
      metadata: options.metadata ?? {},
    }
    const handler = function live(conn: Conn): PlugResult {
      return callLiveHandler(conn, route)
    }
    const routeOptions = options.as === undefined ? {} : { as: options.as }
    this.#liveRoutes.push(route)
    return this.#add('GET', path, 'live', handler, routeOptions)
  }

  /**
   * Every `live` route, with its full path, view, action and metadata, in
   * declaration order: what the LiveView socket matches a join's URL
   * against, on any node, without the page having been rendered there.
   */
  get liveRoutes(): readonly LiveRoute[] {
    return this.#liveRoutes
  }

  /** Every declared route, in declaration order. */
  get routes(): readonly RouteInfo[] {
    return this.#routes.map((r) => r.info)
  }

  /**
   * Builds the path of a named route.
   *
   * @example
   * router.path('user', { id: 42 }, { tab: 'posts' }) // '/users/42?tab=posts'
   */
  path(
    name: string,
    params: Readonly<Record<string, string | number | readonly (string | number)[]>> = {},
    query: Readonly<Record<string, unknown>> = {},
  ): string {
    const tokens = this.#named.get(name)
    if (tokens === undefined) {
      throw new CinderError(
        'CINDER_ERR_ROUTER_CONFIG',
        `no route named ${describe(name)}; named routes: ${[...this.#named.keys()].join(', ') || '(none)'}`,
      )
    }
    const segments = tokens.map((token) => buildSegment(token, params, name))
    const path = `/${segments.filter((s) => s !== '').join('/')}`
    const qs = encodeQuery(query)
    return qs === '' ? path : `${path}?${qs}`
  }

  #scope(): Scope {
    return this.#scopes[this.#scopes.length - 1] as Scope
  }

  #add(
    method: string,
    path: string,
    kind: RouteInfo['kind'],
    handler: AnyPlug,
    options: RouteOptions,
  ): this {
    parsePattern(path)
    const scope = this.#scope()
    const fullPath = joinPaths(scope.path, path)
    const tokens = parsePattern(fullPath)
    this.#claimShape(method, tokens, fullPath)
    const name = options.as === undefined ? undefined : joinNames(scope.as, options.as)
    if (name !== undefined) this.#addName(name, tokens, fullPath)
    const assigns = { ...scope.assigns, ...options.assigns }
    const privateData = { ...scope.private, ...options.private }
    this.#routes.push({
      info: {
        verb: method,
        path: kind === 'forward' ? fullPath.replace(`/*${FORWARD_GLOB}`, '') || '/' : fullPath,
        kind,
        name,
        pipelines: [...scope.pipeThrough],
      },
      method,
      tokens,
      names: paramNames(tokens),
      assigns,
      private: privateData,
      hasAssigns: Object.keys(assigns).length > 0,
      hasPrivate: Object.keys(privateData).length > 0,
      handler,
    })
    this.#compiled = undefined
    return this
  }

  /** Two routes with one verb and shape: the second could never match, so refuse it now. */
  #claimShape(method: string, tokens: readonly Token[], path: string): void {
    const key = `${method} ${shapeOf(tokens)}`
    const existing = this.#shapes.get(key)
    if (existing !== undefined) {
      throw new CinderError(
        'CINDER_ERR_ROUTER_CONFIG',
        `route ${method} ${path} conflicts with ${method} ${existing} (same verb and path shape); the second would never match`,
      )
    }
    this.#shapes.set(key, path)
  }

  #addName(name: string, tokens: readonly Token[], path: string): void {
    const existing = this.#named.get(name)
    if (existing !== undefined && joinTokens(existing) !== joinTokens(tokens)) {
      throw new CinderError(
        'CINDER_ERR_ROUTER_CONFIG',
        `route name ${describe(name)} is already used for ${joinTokens(existing)}, not ${path}`,
      )
    }
    this.#named.set(name, tokens)
  }

  #compile(): Compiled {
    const tree = new RadixTree<CompiledRoute>()
    const bound = new Map<string, BoundPlug>()
    for (const [name, plugs] of this.#pipelines) bound.set(name, pipeline(plugs, name))
    for (const def of this.#routes) {
      const stages = def.info.pipelines.map((name) => {
        const stage = bound.get(name)
        if (stage !== undefined) return stage
        throw new CinderError(
          'CINDER_ERR_ROUTER_CONFIG',
          `route ${def.info.verb} ${def.info.path} pipes through ${describe(name)}, which is not declared (router.pipeline(${describe(name)}, [...]))`,
        )
      })
      const run = pipeline([...stages, def.handler], `${def.info.verb} ${def.info.path}`)
      tree.insert(def.method, def.tokens, { def, run }, `route ${def.info.verb} ${def.info.path}`)
    }
    const listing = this.#routes.map(
      (r) => `${r.info.verb === ANY_METHOD ? '*' : r.info.verb} ${r.info.path}`,
    )
    return { tree, listing }
  }

  #call(conn: Conn): PlugResult {
    this.#compiled ??= this.#compile()
    // Most paths have nothing to decode: match on the conn's own segments then.
    const segments = conn.requestPath.includes('%')
      ? conn.pathInfo.map(decodeSegment)
      : conn.pathInfo
    const found = this.#compiled.tree.match(conn.method, segments)
    if (found === undefined) {
      throw new NoRouteError(conn.method, conn.requestPath, this.name, this.#compiled.listing)
    }
    const { def, run } = found.value
    if (def.names.length > 0)
      conn.putPathParams(pathParamsOf(def.names, found.captures, found.glob))
    conn.private[ROUTE_KEY] = def.info
    if (def.hasAssigns) Object.assign(conn.assigns, def.assigns)
    if (def.hasPrivate) Object.assign(conn.private, def.private)
    if (!routerDispatch.hasSubscribers) return run(conn)
    const { verb, path, kind } = def.info
    const context = { router: this.name, method: verb, path: conn.requestPath, route: path, kind }
    return routerDispatch.trace({ ...context, conn }, () => run(conn))
  }
}

const FORWARD_GLOB = 'cinder_forward'

function forwardTo(plug: BoundPlug): AnyPlug {
  return function forward(conn: Conn): PlugResult {
    const { pathInfo, scriptName } = conn
    const { [FORWARD_GLOB]: rest, ...params } = conn.pathParams
    conn.pathParams = params
    conn.putPathParams({})
    const consumed = pathInfo.length - (Array.isArray(rest) ? rest.length : 0)
    conn.scriptName = [...scriptName, ...pathInfo.slice(0, consumed)]
    conn.pathInfo = pathInfo.slice(consumed)
    const restore = (result: Conn): Conn => {
      result.pathInfo = pathInfo
      result.scriptName = scriptName
      return result
    }
    const result = plug(conn)
    return result instanceof Promise ? result.then(restore) : restore(result)
  }
}

function pathParamsOf(
  names: readonly string[],
  captures: readonly string[],
  glob: readonly string[] | undefined,
): Params {
  const params: Params = {}
  captures.forEach((value, i) => {
    const name = names[i]
    if (name !== undefined) params[name] = value
  })
  if (glob !== undefined) {
    const name = names[names.length - 1]
    if (name !== undefined) params[name] = [...glob]
  }
  return params
}

function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new CinderError(
      'CINDER_ERR_BAD_REQUEST',
      `invalid percent-encoding in path segment ${describe(segment)}`,
    )
  }
}

function checkVerb(verb: string): string {
  if (verb === ANY_METHOD) return verb
  const upper = String(verb).toUpperCase()
  if (!VERBS.includes(upper)) {
    throw new CinderError(
      'CINDER_ERR_ROUTER_CONFIG',
      `unknown HTTP verb ${describe(verb)}; expected one of ${VERBS.join(', ')} or '*'`,
    )
  }
  return upper
}

function joinNames(parent: string | undefined, child: string | undefined): string | undefined {
  if (child === undefined) return parent
  return parent === undefined ? child : `${parent}_${child}`
}

function joinTokens(tokens: readonly Token[]): string {
  return `/${tokens.map((t) => (t.kind === 'static' ? t.value : t.kind === 'param' ? `:${t.name}` : `*${t.name}`)).join('/')}`
}

function buildSegment(
  token: Token,
  params: Readonly<Record<string, string | number | readonly (string | number)[]>>,
  route: string,
): string {
  if (token.kind === 'static') return encodeURIComponent(token.value)
  const value = params[token.name]
  if (value === undefined) {
    throw new CinderError(
      'CINDER_ERR_ROUTER_CONFIG',
      `route ${describe(route)} needs the param ${describe(token.name)}`,
    )
  }
  if (token.kind === 'glob') {
    const parts = Array.isArray(value) ? value : [value]
    return parts.map((p) => encodeURIComponent(String(p))).join('/')
  }
  return encodeURIComponent(String(value))
}
