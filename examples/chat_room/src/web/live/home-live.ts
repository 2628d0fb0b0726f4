/**
 * The home page (`/`), a LiveView: its state lives in a process on the server, each click is
 * an event sent over `/live`, and the page receives only what changed.
 * Presence tracks every connected page, so everyone sees how many have it open, on every node.
 */
import { currentPid, html, type LiveView, type Presence } from 'cinder'
import { countPresent } from '../../presence.ts'

interface HomeAssigns {
  count: number
  online: number
  pageTitle: string
}

/** What the page needs from the application. */
export interface HomeContext {
  readonly presence: Presence
}

/** The topic of the home page's visitors in Presence. */
export const VISITORS = 'visitors:home'

export function homeLive({ presence }: HomeContext): LiveView<HomeAssigns> {
  return {
    name: 'Home',
    mount(_params, _session, socket) {
      socket.assign({ count: 0, pageTitle: 'Chat Room' })
      socket.assign('online', countPresent(presence, VISITORS))
      if (!socket.connected) return
      // Tracked until this view's process stops (`mountLive` in tests runs it without one).
      const pid = currentPid()
      if (pid !== undefined) presence.track(pid, VISITORS, socket.id, { since: Date.now() })
      socket.subscribe(VISITORS)
      socket.assign('online', countPresent(presence, VISITORS))
    },
    handleEvent(event, _value, socket) {
      if (event === 'inc') socket.update('count', (count) => count + 1)
    },
    // The only subscription is VISITORS: every message is a presence diff.
    handleInfo(_message, socket) {
      socket.assign('online', countPresent(presence, VISITORS))
    },
    render: (assigns) => html`<main class="home">
  <h1>Welcome to Chat Room</h1>
  <p>This page is a LiveView: the count lives on the server, each click is an event over a
    WebSocket, and the page receives only what changed.</p>
  <p><button id="inc" phx-click="inc">Clicked <span id="count">${assigns.count}</span> times</button></p>
  <p id="online">Open in ${assigns.online} ${assigns.online === 1 ? 'window' : 'windows'} right now.</p>
  <p class="muted">Edit <code>src/web/live/home-live.ts</code>: with <code>npm run dev</code>
    running, the page reloads as you save.</p>
</main>`,
  }
}
