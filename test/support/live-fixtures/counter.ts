/**
 * `/lv/counter`: `<span id="count">N</span>`, `#inc` / `#dec`, and `#crash`
 * whose event crashes the view's process. Also a hook reply (`#ping`,
 * `Ping` hook), a pushed event (`#highlight-btn` → `Highlight` hook) and the
 * flash (`#flash-info`, cleared by clicking it).
 */
import { html, type LiveView, reply } from '../../../src/index.ts'
import { flashMessages } from './flash.ts'

type Assigns = { count: number; pageTitle: string }

export const CounterLive: LiveView<Assigns> = {
  name: 'CounterLive',
  mount(_params, _session, socket) {
    socket.assign({ count: 0, pageTitle: 'Counter' })
  },
  handleEvent(event, value, socket) {
    switch (event) {
      case 'inc':
        socket.update('count', (n) => n + Number(value.step ?? 1))
        return
      case 'dec':
        socket.update('count', (n) => n - 1)
        return
      case 'crash':
        throw new Error('crash requested by the client (fixture)')
      case 'ping':
        return reply({ pong: socket.assigns.count, at: value.at ?? null }, socket)
      case 'highlight':
        socket.pushEvent('highlight', { count: socket.assigns.count })
        return
      default:
        throw new Error(`CounterLive has no event ${event}`)
    }
  },
  render: ({ count, flash }) => html`<div id="counter">
  ${flashMessages(flash)}
  <span id="count">${count}</span>
  <button id="dec" phx-click="dec">-</button>
  <button id="inc" phx-click="inc" phx-value-step="1">+</button>
  <button id="crash" phx-click="crash">crash</button>
  <button id="ping" phx-hook="Ping">ping</button>
  <button id="highlight-btn" phx-click="highlight">highlight</button>
  <div id="highlight" phx-hook="Highlight"></div>
</div>`,
}
