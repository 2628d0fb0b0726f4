/**
 * `/lv/login`: `phx-trigger-action`. The form `#login-form` validates the
 * name over the socket (`phx-submit="login"`: `#login-error` while shorter
 * than 3); once valid, the view sets `phx-trigger-action` and the official
 * client submits the same form over plain HTTP to `POST /lv/session` (with
 * its `_csrf_token`), which puts the name in the cookie session and
 * redirects to `/lv/whoami`, whose `#whoami` shows it.
 */
import { type Conn, html, type LiveView, putSession, redirect } from '../../../src/index.ts'

type Assigns = { name: string; error: string; trigger: boolean; csrf: string; pageTitle: string }

export const LoginLive: LiveView<Assigns> = {
  name: 'LoginLive',
  mount(_params, _session, socket) {
    socket.assign({
      name: '',
      error: '',
      trigger: false,
      csrf: socket.csrfToken ?? '',
      pageTitle: 'Login',
    })
  },
  handleEvent(event, value, socket) {
    if (event !== 'login') throw new Error(`LoginLive has no event ${event}`)
    const user = value.user as { name?: unknown } | undefined
    const name = typeof user?.name === 'string' ? user.name.trim() : ''
    if (name.length < 3) socket.assign({ name, error: 'at least 3 characters' })
    else socket.assign({ name, error: '', trigger: true })
  },
  render: ({ name, error, trigger, csrf }) => html`<div id="login">
  <form id="login-form" action="/lv/session" method="post" phx-submit="login" phx-trigger-action=${trigger}>
    <input type="hidden" name="_csrf_token" value=${csrf} />
    <input id="login-name" name="user[name]" value=${name} />
    <button id="login-submit" type="submit">log in</button>
  </form>
  <p id="login-error">${error}</p>
</div>`,
}

/** `POST /lv/session`: the HTTP side of the trigger (CSRF-checked by the pipeline). */
export function createSession(conn: Conn): Conn {
  const user = conn.bodyParams.user as { name?: unknown } | undefined
  const name = typeof user?.name === 'string' ? user.name.trim() : ''
  if (name.length < 3) return redirect(conn, '/lv/login')
  return redirect(putSession(conn, 'user', name), '/lv/whoami')
}

export const WhoamiLive: LiveView<{ user: string; pageTitle: string }> = {
  name: 'WhoamiLive',
  mount(_params, session, socket) {
    socket.assign({
      user: typeof session.user === 'string' ? session.user : '',
      pageTitle: 'Who am I',
    })
  },
  render: ({ user }) => html`<p id="whoami">${user}</p>`,
}
