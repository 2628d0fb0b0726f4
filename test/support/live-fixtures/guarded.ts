/**
 * `/lv/guarded`: the live_session `guarded`, declared with options:
 *
 * - `onMount: [requireUser]`: without a user in the session (log in at
 *   `/lv/login`), the mount halts with a redirect to `/lv/login` and the
 *   flash "log in first"; with one, `currentUser` is assigned for every view;
 * - `session`: adds `team: 'fixtures'` to what `mount` receives;
 * - `rootLayout`: a page whose `<body>` has `data-layout="guarded"`.
 *
 * The view itself adds an `onMount` hook (`#greeting`) and, connected, a
 * `handleEvent` hook that counts every event in `#audited` and halts
 * `secret` (`#secret`) before the view sees it (`#count` counts `inc` only).
 */
import {
  html,
  type LiveLayout,
  type LiveSessionOptions,
  type LiveView,
  type OnMount,
} from '../../../src/extend.ts'
import { flashMessages } from './flash.ts'

const requireUser: OnMount = (_params, session, socket) => {
  if (typeof session.user !== 'string') {
    socket.putFlash('error', 'log in first')
    socket.redirect('/lv/login')
    return 'halt'
  }
  socket.assign({ currentUser: session.user })
  return 'cont'
}

const layout: LiveLayout = ({ inner, csrfToken, title }) => html`<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="csrf-token" content=${csrfToken}>
    <link rel="icon" href="data:,">
    <title>${title ?? 'Guarded'}</title>
    <script defer phx-track-static type="text/javascript" src="/assets/app.js"></script>
  </head>
  <body data-layout="guarded">${inner}</body>
</html>`

export const guardedSession: LiveSessionOptions = {
  onMount: [requireUser],
  session: () => ({ team: 'fixtures' }),
  rootLayout: layout,
}

type Assigns = {
  currentUser: string
  greeting: string
  team: string
  count: number
  audited: number
  pageTitle: string
}

export const GuardedLive: LiveView<Assigns> = {
  name: 'GuardedLive',
  onMount: [
    (_params, _session, socket) => {
      socket.assign({ greeting: `Welcome, ${socket.assigns.currentUser}` })
      return 'cont'
    },
  ],
  mount(_params, session, socket) {
    socket.assign({ team: String(session.team), count: 0, audited: 0, pageTitle: 'Guarded' })
    if (!socket.connected) return
    socket.attachHook('audit', 'handleEvent', (event, _value, s) => {
      s.update('audited', (n) => n + 1)
      return event === 'secret' ? 'halt' : 'cont'
    })
  },
  handleEvent(event, _value, socket) {
    if (event !== 'inc') throw new Error(`GuardedLive has no event ${event}`)
    socket.update('count', (n) => n + 1)
  },
  render: ({ currentUser, greeting, team, count, audited, flash }) => html`<div id="guarded">
  ${flashMessages(flash)}
  <p id="current-user">${currentUser}</p>
  <p id="greeting">${greeting}</p>
  <p id="team">${team}</p>
  <span id="count">${count}</span>
  <span id="audited">${audited}</span>
  <button id="inc" phx-click="inc">+</button>
  <button id="secret" phx-click="secret">secret</button>
</div>`,
}
