/** Supervision: the tree of supervisors and their children, expandable, live. */
import { each } from '../../live/comprehension.ts'
import { html, type Template } from '../../live/html.ts'
import type { PageSpec, PageUi } from '../page.ts'
import { supervisionTree, type TreeNode } from '../tree.ts'

export const tree: PageSpec<TreeNode[]> = {
  path: 'tree',
  title: 'Supervision',
  ui: { toggled: [] },
  load: (_ctx, ui) => supervisionTree(new Set(toggledOf(ui))),
  render: (
    roots,
  ) => html`<p class="muted">Click a supervisor to open or close it. Supervisors start open; dynamic ones, closed.</p>
<ul class="tree" id="tree">${each(roots, (n) => n.pid, node)}</ul>`,
  event(event, value, ui) {
    if (event !== 'toggle' || typeof value.pid !== 'string') return ui
    const toggled = new Set(toggledOf(ui))
    if (toggled.has(value.pid)) toggled.delete(value.pid)
    else toggled.add(value.pid)
    return { ...ui, toggled: [...toggled] }
  },
}

function toggledOf(ui: PageUi): string[] {
  return Array.isArray(ui.toggled) ? (ui.toggled as string[]) : []
}

function node(n: TreeNode): Template {
  const name = n.id === undefined ? n.label : `${n.id} · ${n.label}`
  const mark = n.expanded ? '▾' : n.supervisor ? '▸' : '·'
  const more = n.more > 0 ? html`<li class="muted">… and ${n.more} more</li>` : ''
  const kids = n.expanded ? html`<ul>${each(n.children, (c) => c.pid, node)}${more}</ul>` : ''
  return html`<li data-pid=${n.pid} class=${n.supervisor ? 'sup' : 'worker'}>
  <button class="node" phx-click="toggle" phx-value-pid=${n.pid}>${mark} ${name}</button>
  <span class="pid">${n.pid}</span>${n.mailbox > 0 ? html` <span class="mailbox">${n.mailbox} queued</span>` : ''}${kids}</li>`
}
