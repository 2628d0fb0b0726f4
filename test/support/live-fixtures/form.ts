/**
 * `/lv/form`: `#user-form` with `user[name]`; `phx-change="validate"` shows
 * `#name-error` ("must be at least 3 characters") while the name is shorter
 * than 3 (once the field is used); `phx-submit="save"` shows `#saved` with
 * the name.
 */
import { html, type LiveView, usedInput } from '../../../src/index.ts'

type Assigns = { name: string; error: string | null; saved: string | null; pageTitle: string }

const MIN = 3

function check(name: string): string | null {
  return name.length < MIN ? `must be at least ${MIN} characters` : null
}

function nameOf(user: unknown): string {
  const name = (user as { name?: unknown } | undefined)?.name
  return typeof name === 'string' ? name : ''
}

export const FormLive: LiveView<Assigns> = {
  name: 'FormLive',
  mount(_params, _session, socket) {
    socket.assign({ name: '', error: null, saved: null, pageTitle: 'Form' })
  },
  handleEvent(event, value, socket) {
    const name = nameOf(value.user)
    if (event === 'validate') {
      socket.assign({ name, error: usedInput(value.user, 'name') ? check(name) : null })
    } else if (event === 'save') {
      const error = check(name)
      socket.assign({ name, error, saved: error === null ? name : socket.assigns.saved })
    } else {
      throw new Error(`FormLive has no event ${event}`)
    }
  },
  render: ({
    name,
    error,
    saved,
  }) => html`<form id="user-form" phx-change="validate" phx-submit="save">
  <label for="user_name">Name</label>
  <input type="text" id="user_name" name="user[name]" value=${name} autocomplete="off">
  ${error === null ? '' : html`<p id="name-error" class="error">${error}</p>`}
  <button type="submit" id="save" phx-disable-with="Saving...">Save</button>
</form>
${saved === null ? '' : html`<p id="saved">${saved}</p>`}`,
}
