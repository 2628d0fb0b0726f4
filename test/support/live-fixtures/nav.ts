/**
 * `/lv/nav?page=N`: live navigation. `#next` patches to the next page
 * (`#next-replace` replacing the history entry), `#server-patch` patches
 * from the server to page 7, `#to-counter` navigates to `/lv/counter`,
 * `#push-navigate` and `#redirect` go there from the server with a flash.
 * `#mount-id` stays the same across patches (no new mount).
 */
import { html, type LiveView, liveLink } from '../../../src/index.ts'
import { flashMessages } from './flash.ts'

type Assigns = { page: number; mountId: string; pageTitle: string }

let mounts = 0

export const NavLive: LiveView<Assigns> = {
  name: 'NavLive',
  mount(_params, _session, socket) {
    socket.assign({ page: 1, mountId: `m${++mounts}`, pageTitle: 'Page 1' })
  },
  handleParams(params, _uri, socket) {
    const page = Number.parseInt(typeof params.page === 'string' ? params.page : '1', 10)
    const safe = Number.isInteger(page) && page > 0 ? page : 1
    socket.assign({ page: safe, pageTitle: `Page ${safe}` })
  },
  handleEvent(event, _value, socket) {
    switch (event) {
      case 'server-patch':
        socket.pushPatch('/lv/nav?page=7')
        return
      case 'navigate':
        socket.putFlash('info', 'Navigated here').pushNavigate('/lv/counter')
        return
      case 'redirect':
        socket.putFlash('info', 'Redirected here').redirect('/lv/counter')
        return
      default:
        throw new Error(`NavLive has no event ${event}`)
    }
  },
  render: ({ page, mountId, flash }) => html`<div id="nav">
  ${flashMessages(flash)}
  <p>Page <span id="page">${page}</span>, mount <span id="mount-id">${mountId}</span></p>
  ${liveLink({ patch: `/lv/nav?page=${page + 1}`, id: 'next' }, 'next')}
  ${liveLink({ patch: `/lv/nav?page=${page + 1}`, replace: true, id: 'next-replace' }, 'next (replace)')}
  ${liveLink({ navigate: '/lv/counter', id: 'to-counter' }, 'counter')}
  ${liveLink({ navigate: '/lv/plain', id: 'to-plain' }, 'plain')}
  <button id="server-patch" phx-click="server-patch">patch to 7</button>
  <button id="push-navigate" phx-click="navigate">navigate with a flash</button>
  <button id="redirect" phx-click="redirect">redirect with a flash</button>
</div>`,
}

/** `/lv/plain`: declared with `router.live` outside any live_session (navigating to it is a page load). */
export const PlainLive: LiveView<{ pageTitle: string }> = {
  name: 'PlainLive',
  mount(_params, _session, socket) {
    socket.assign({ pageTitle: 'Plain' })
  },
  render: () => html`<p id="plain">A LiveView outside any live_session</p>`,
}
