/**
 * Sign-in (`/`): choose a name and a colour. The view validates as you type; on submit it
 * sends the browser to `/session/<token>`, a signed, minute-long ticket that the HTTP side turns
 * into the session cookie (a LiveView cannot set cookies over its socket).
 */
import { html, type LiveView } from 'cinder'
import { COLOURS, signIn, userFrom } from '../auth/user.ts'
import type { WebContext } from './context.ts'

interface SignInAssigns {
  name: string
  colour: string
  error: string | null
  pageTitle: string
}

export function signInLive(web: WebContext): LiveView<SignInAssigns> {
  return {
    name: 'SignIn',
    mount(_params, session, socket) {
      const user = userFrom(session.user)
      socket.assign({
        name: user?.name ?? '',
        colour: user?.colour ?? COLOURS[0],
        error: null,
        pageTitle: 'Curve Fever · sign in',
      })
    },
    handleEvent(event, value, socket) {
      const name = typeof value.name === 'string' ? value.name : ''
      const colour = typeof value.colour === 'string' ? value.colour : socket.assigns.colour
      const result = signIn(name, colour)
      if (event === 'validate') {
        const show = name.trim() !== '' && !result.ok
        socket.assign({ name, colour, error: show && !result.ok ? result.message : null })
        return
      }
      if (event !== 'sign_in') return
      if (!result.ok) {
        socket.assign({ name, colour, error: result.message })
        return
      }
      socket.redirect(`/session/${encodeURIComponent(web.signInTicket(result.user))}`)
    },
    render: ({ name, colour, error }) => html`<main class="signin">
  <section class="panel">
    <h1>Curve Fever</h1>
    <p class="muted">Steer your curve with ← and →, leave a trail, and make everyone else crash into it.
      The last one flying wins the round.</p>
    <form id="signin-form" phx-submit="sign_in" phx-change="validate">
      <label for="name">Your name</label>
      <input type="text" id="name" name="name" value=${name} maxlength="24" autocomplete="off" autofocus>
      <div class="swatches">
        ${COLOURS.map(
          (c) =>
            html`<label title=${c}><input type="radio" name="colour" value=${c} checked=${c === colour}><span style="background: ${c}"></span></label>`,
        )}
      </div>
      <p id="signin-error" class="error">${error}</p>
      <button type="submit">Play</button>
    </form>
  </section>
</main>`,
  }
}
