/**
 * What every dashboard page shares: the check of `onMount` (on the HTTP
 * render and again on join), the data read fresh every `refresh` ms while
 * connected, the page's own UI state (sort order, expanded nodes), and the
 * chrome around it (navigation, node, refresh). A page is a `PageSpec`:
 * how to load its data and how to render it.
 */

import type { Cluster } from '../cluster/index.ts'
import type { Params } from '../http/query.ts'
import { html, type Template } from '../live/html.ts'
import type { LiveSessionData, LiveSocket, LiveView } from '../live/live-view.ts'
import type { Metrics } from '../metrics/index.ts'
import { chrome } from './chrome.ts'

/** Decides whether a visitor may see the dashboard: the HTTP session and the URL's params. */
export type DashboardGuard = (
  session: LiveSessionData,
  params: Params,
) => boolean | Promise<boolean>

/** What the pages read: the node's metrics and, when given, its cluster. */
export interface DashboardContext {
  /** The dashboard's path (`/dashboard`). */
  readonly base: string
  readonly metrics: Metrics
  readonly cluster: Cluster | undefined
  readonly refresh: number
  readonly onMount: DashboardGuard | undefined
  /** Where a refused visitor is sent. */
  readonly redirectTo: string
  /** The latest node events of the cluster, oldest first. */
  readonly nodeEvents: readonly NodeEventRow[]
}

/** A node event as the dashboard keeps it. */
export interface NodeEventRow {
  readonly at: number
  readonly type: string
  readonly node: string
  readonly reason: string
}

/** The UI state a page keeps between refreshes (sort order, expanded nodes…). */
export type PageUi = Readonly<Record<string, unknown>>

/** One page of the dashboard. */
export interface PageSpec<D> {
  /** The path under the dashboard (`''` for home) and the navigation's label. */
  readonly path: string
  readonly title: string
  /** The page's UI state at mount. */
  readonly ui?: PageUi
  load(ctx: DashboardContext, ui: PageUi): D | Promise<D>
  render(data: D, ui: PageUi, ctx: DashboardContext): Template
  /** A `phx-click` of the page: the next UI state. */
  event?(event: string, value: Readonly<Record<string, unknown>>, ui: PageUi): PageUi
}

interface Assigns {
  data: unknown
  ui: PageUi
  allowed: boolean
  refreshedAt: number
  pageTitle: string
}

const REFRESH = Symbol('cinder.dashboard.refresh')

/** The LiveView of one page. */
export function dashboardPage<D>(ctx: DashboardContext, spec: PageSpec<D>): LiveView<Assigns> {
  return {
    name: `CinderDashboard.${spec.title.replace(/\W/g, '')}`,
    async mount(params, session, socket) {
      const allowed = ctx.onMount === undefined || (await ctx.onMount(session, params)) === true
      socket.assign({ allowed, ui: spec.ui ?? {}, pageTitle: `${spec.title} · Cinder dashboard` })
      if (!allowed) {
        socket.redirect(ctx.redirectTo)
        return
      }
      // Default metrics (none given) start on the first visit.
      if (socket.connected && !ctx.metrics.running) ctx.metrics.start()
      await reload(ctx, spec, socket)
      if (socket.connected) socket.sendAfter(REFRESH, ctx.refresh)
    },
    async handleInfo(message, socket) {
      if (message !== REFRESH) return
      await reload(ctx, spec, socket)
      socket.sendAfter(REFRESH, ctx.refresh)
    },
    async handleEvent(event, value, socket) {
      if (!socket.assigns.allowed || spec.event === undefined) return
      socket.assign('ui', spec.event(event, value, socket.assigns.ui))
      await reload(ctx, spec, socket)
    },
    render: (assigns) =>
      assigns.allowed
        ? chrome(ctx, spec, assigns.refreshedAt, spec.render(assigns.data as D, assigns.ui, ctx))
        : html`<p>Not allowed.</p>`,
  }
}

async function reload<D>(
  ctx: DashboardContext,
  spec: PageSpec<D>,
  socket: LiveSocket<Assigns>,
): Promise<void> {
  socket.assign({ data: await spec.load(ctx, socket.assigns.ui), refreshedAt: Date.now() })
}
