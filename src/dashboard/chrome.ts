/**
 * The frame of every page: the navigation between pages (live navigation,
 * one live_session), the node's name, and when the figures were read.
 */
import { each } from '../live/comprehension.ts'
import { html, type Template } from '../live/html.ts'
import { liveLink } from '../live/navigation.ts'
import { PAGE_LINKS } from './links.ts'
import type { DashboardContext, PageSpec } from './page.ts'

export function chrome<D>(
  ctx: DashboardContext,
  spec: PageSpec<D>,
  refreshedAt: number,
  body: Template,
): Template {
  const nav = each(
    PAGE_LINKS,
    (link) => link.path,
    (link) =>
      liveLink(
        {
          navigate: link.path === '' ? ctx.base : `${ctx.base}/${link.path}`,
          id: `nav-${link.path || 'home'}`,
          class: link.path === spec.path ? 'active' : 'tab',
        },
        link.title,
      ),
  )
  return html`<div class="dash">
  <header><strong>Cinder</strong> <span class="node" id="node">${ctx.metrics.node}</span>
    <span class="muted" id="refreshed" data-at=${refreshedAt}>${new Date(refreshedAt).toISOString().slice(11, 19)}</span></header>
  <nav>${nav}</nav>
  <main id="page-${spec.path || 'home'}"><h1>${spec.title}</h1>${body}</main>
</div>`
}
