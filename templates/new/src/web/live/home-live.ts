/**
 * The home page (`/`), a LiveView: its state lives in a process on the server, each click is
 * an event sent over `/live`, and the page receives only what changed.
<% if presence %>
 * Presence tracks every connected page, so everyone sees how many have it open, on every node.
<% end %>
 */
<% if presence %>
import { currentPid, html, type LiveView, type Presence } from 'cinder'
import { countPresent } from '../../presence.ts'
<% end %>
<% unless presence %>
import { html, type LiveView } from 'cinder'
<% end %>

interface HomeAssigns {
  count: number
<% if presence %>
  online: number
<% end %>
  pageTitle: string
}

<% if presence %>
/** What the page needs from the application. */
export interface HomeContext {
  readonly presence: Presence
}

/** The topic of the home page's visitors in Presence. */
export const VISITORS = 'visitors:home'

export function homeLive({ presence }: HomeContext): LiveView<HomeAssigns> {
<% end %>
<% unless presence %>
export function homeLive(): LiveView<HomeAssigns> {
<% end %>
  return {
    name: 'Home',
    mount(_params, _session, socket) {
      socket.assign({ count: 0, pageTitle: '<%= title %>' })
<% if presence %>
      socket.assign('online', countPresent(presence, VISITORS))
      if (!socket.connected) return
      // Tracked until this view's process stops (`mountLive` in tests runs it without one).
      const pid = currentPid()
      if (pid !== undefined) presence.track(pid, VISITORS, socket.id, { since: Date.now() })
      socket.subscribe(VISITORS)
      socket.assign('online', countPresent(presence, VISITORS))
<% end %>
    },
    handleEvent(event, _value, socket) {
      if (event === 'inc') socket.update('count', (count) => count + 1)
    },
<% if presence %>
    // The only subscription is VISITORS: every message is a presence diff.
    handleInfo(_message, socket) {
      socket.assign('online', countPresent(presence, VISITORS))
    },
<% end %>
    render: (assigns) => html`<main class="home">
  <h1>Welcome to <%= title %></h1>
  <p>This page is a LiveView: the count lives on the server, each click is an event over a
    WebSocket, and the page receives only what changed.</p>
  <p><button id="inc" phx-click="inc">Clicked <span id="count">${assigns.count}</span> times</button></p>
<% if presence %>
  <p id="online">Open in ${assigns.online} ${assigns.online === 1 ? 'window' : 'windows'} right now.</p>
<% end %>
  <p class="muted">Edit <code>src/web/live/home-live.ts</code>: with <code>npm run dev</code>
    running, the page reloads as you save.</p>
</main>`,
  }
}
