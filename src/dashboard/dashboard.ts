/**
 * `liveDashboard`: Cinder's LiveDashboard, pages of LiveViews declared in
 * the application's router and joined over its LiveView socket, as
 * Phoenix's `live_dashboard "/dashboard"`:
 *
 *     router.scope('/', { pipeThrough: ['browser'] }, (r) => {
 *       liveDashboard(r, '/dashboard', { metrics, cluster, onMount: isAdmin })
 *     })
 *
 * Call it inside the scope whose pipeline runs the session and your
 * `live.plug`; the `/live` socket of `live.socket(router)` serves its
 * joins. The pages have their own layout and scripts (served under
 * `<path>/assets/`), so they need nothing from the application's bundle.
 *
 * Off in production unless an `onMount` guards it: with NODE_ENV
 * `production` and no `onMount`, no route is declared and a warning says
 * why. `onMount(session, params)` runs on the HTTP render and on every
 * join; anything but `true` redirects the visitor to `redirectTo`.
 */
import type { Cluster } from '../cluster/index.ts'
import { CinderError, describe } from '../errors.ts'
import { SKIP_CSRF_KEY } from '../http/plugs/csrf-protection.ts'
import type { Router } from '../http/router/router.ts'
import { liveSession } from '../live/live-route.ts'
import { getLogger, type Logger } from '../logger.ts'
import { createMetrics, type Metrics } from '../metrics/index.ts'
import { serveAsset } from './assets.ts'
import { dashboardLayout } from './layout.ts'
import {
  type DashboardContext,
  type DashboardGuard,
  dashboardPage,
  type NodeEventRow,
  type PageSpec,
} from './page.ts'
import { cluster as clusterPage } from './pages/cluster.ts'
import { home } from './pages/home.ts'
import { metrics as metricsPage } from './pages/metrics.ts'
import { presence } from './pages/presence.ts'
import { processes } from './pages/processes.ts'
import { pubsub } from './pages/pubsub.ts'
import { sockets } from './pages/sockets.ts'
import { tree } from './pages/tree.ts'

export interface DashboardOptions {
  /** The node's metrics (their PubSub and presences too). Default: new ones, started on the first visit. */
  readonly metrics?: Metrics
  /** The cluster membership, for the Cluster page's nodes and events. */
  readonly cluster?: Cluster
  /** Who may see the dashboard; required in production. */
  readonly onMount?: DashboardGuard
  /** Where a visitor `onMount` refused is sent. Default `/`. */
  readonly redirectTo?: string
  /** Ms between two refreshes of an open page. Default 1000. */
  readonly refresh?: number
  /** Where the application's LiveView socket is mounted. Default `/live`. */
  readonly socketPath?: string
  /** Whether this is production. Default: NODE_ENV is `production`. */
  readonly production?: boolean
  /** Where the warning of a dashboard left off goes. Default: the runtime's logger. */
  readonly logger?: Logger
}

/** What `liveDashboard` declared. */
export interface LiveDashboard {
  /** False when it was left off (production without `onMount`). */
  readonly enabled: boolean
  readonly path: string
}

const PAGES: readonly PageSpec<never>[] = [
  home,
  clusterPage,
  tree,
  processes,
  sockets,
  pubsub,
  presence,
  metricsPage,
] as unknown as PageSpec<never>[]

const NODE_EVENTS_KEPT = 50

/** Declares the dashboard's routes at `path` of the router's current scope. */
export function liveDashboard(
  router: Router,
  path: string,
  options: DashboardOptions = {},
): LiveDashboard {
  const base = checkPath(path)
  const refresh = options.refresh ?? 1000
  if (!Number.isInteger(refresh) || refresh < 100) {
    throw new CinderError(
      'CINDER_ERR_DASHBOARD_OPTIONS',
      `liveDashboard: refresh must be an integer number of ms >= 100; got ${describe(refresh)}`,
    )
  }
  if (options.onMount !== undefined && typeof options.onMount !== 'function') {
    throw new CinderError(
      'CINDER_ERR_DASHBOARD_OPTIONS',
      `liveDashboard: onMount must be a function (session, params) => boolean; got ${describe(options.onMount)}`,
    )
  }
  const production = options.production ?? process.env.NODE_ENV === 'production'
  if (production && options.onMount === undefined) {
    ;(options.logger ?? getLogger()).warn(
      `liveDashboard at ${base} is off: in production it needs an onMount that decides who may see it`,
    )
    return { enabled: false, path: base }
  }
  const ctx = context(base, refresh, options)
  const layout = dashboardLayout(base, options.socketPath ?? '/live')
  // Public scripts, the same for everyone: no CSRF check (Phoenix serves its static files before the router).
  router.get(`${base}/assets/:file`, serveAsset, { private: { [SKIP_CSRF_KEY]: true } })
  liveSession(router, 'cinder_dashboard', (live) => {
    for (const page of PAGES) {
      live(page.path === '' ? base : `${base}/${page.path}`, dashboardPage(ctx, page), {
        metadata: { layout },
      })
    }
  })
  return { enabled: true, path: base }
}

function context(base: string, refresh: number, options: DashboardOptions): DashboardContext {
  const nodeEvents: NodeEventRow[] = []
  options.cluster?.onNodeEvent((event) => {
    nodeEvents.push({ at: Date.now(), type: event.type, node: event.node, reason: event.reason })
    if (nodeEvents.length > NODE_EVENTS_KEPT) nodeEvents.shift()
  })
  return {
    base,
    metrics: options.metrics ?? createMetrics(),
    cluster: options.cluster,
    refresh,
    onMount: options.onMount,
    redirectTo: options.redirectTo ?? '/',
    nodeEvents,
  }
}

function checkPath(path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new CinderError(
      'CINDER_ERR_DASHBOARD_OPTIONS',
      `liveDashboard: the path must start with /; got ${describe(path)}`,
    )
  }
  return path.length > 1 ? path.replace(/\/+$/, '') : path
}
