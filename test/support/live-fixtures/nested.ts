/**
 * `/lv/nested`: a LiveView with nested LiveViews. The parent shows
 * `#parent-count` (`#parent-inc`) and places `ChildCounterLive` with id
 * `child` and session `{ label: 'from-parent' }` while `#toggle-child` has
 * not hidden it; the child shows `#child-count` (`#child-inc`) and its
 * session's label in `#child-label`. A sticky `ChildCounterLive` with id
 * `sticky-child` (label `sticky`) sits at the end: it joins as a root view.
 */
import { html, type LiveView, liveRender } from '../../../src/index.ts'

type ChildAssigns = { count: number; label: string }

export const ChildCounterLive: LiveView<ChildAssigns> = {
  name: 'ChildCounterLive',
  mount(_params, session, socket) {
    socket.assign({ count: 0, label: String(session.label ?? '') })
  },
  handleEvent(event, _value, socket) {
    if (event === 'inc') socket.update('count', (n) => n + 1)
  },
  render: ({ count, label }) => html`<section class="child">
  <span class="child-label">${label}</span>
  <span class="child-count">${count}</span>
  <button class="child-inc" phx-click="inc">child +</button>
</section>`,
}

type Assigns = { count: number; showChild: boolean; pageTitle: string }

export const NestedLive: LiveView<Assigns> = {
  name: 'NestedLive',
  mount(_params, _session, socket) {
    socket.assign({ count: 0, showChild: true, pageTitle: 'Nested' })
  },
  handleEvent(event, _value, socket) {
    if (event === 'inc') socket.update('count', (n) => n + 1)
    else if (event === 'toggle') socket.update('showChild', (shown) => !shown)
  },
  render: ({ count, showChild }) => html`<div id="nested">
  <span id="parent-count">${count}</span>
  <button id="parent-inc" phx-click="inc">parent +</button>
  <button id="toggle-child" phx-click="toggle">toggle child</button>
  ${showChild ? liveRender(ChildCounterLive, { id: 'child', session: { label: 'from-parent' } }) : ''}
  ${liveRender(ChildCounterLive, { id: 'sticky-child', session: { label: 'sticky' }, sticky: true })}
</div>`,
}
