/**
 * `/lv/signup`: a form built with `toForm` and validated by a Standard
 * Schema validator (a small one written here: any zod, valibot or ArkType
 * schema has the same `~standard` shape).
 *
 * `#signup-form` (`phx-change="validate"`, `phx-submit="save"`) has
 * `user[name]` (3 characters at least), `user[email]` (must hold an @) and
 * the checkbox `user[terms]` (must be checked). Each field's errors show in
 * `#<field>-errors` only once it is used; a valid submit shows `#saved` with
 * the name and email.
 */
import {
  html,
  type LiveForm,
  type LiveView,
  liveInput,
  type StandardSchema,
  toForm,
  validateForm,
} from '../../../src/extend.ts'

type User = { name: string; email: string; terms: boolean }
type Assigns = { form: LiveForm; saved: User | null; pageTitle: string }

/** A Standard Schema validator for User, by hand. */
export const userSchema: StandardSchema<User> = {
  '~standard': {
    version: 1,
    validate(value) {
      const input = (typeof value === 'object' && value !== null ? value : {}) as Record<
        string,
        unknown
      >
      const name = String(input.name ?? '')
      const email = String(input.email ?? '')
      const issues = [
        ...(name.length < 3 ? [{ message: 'must be at least 3 characters', path: ['name'] }] : []),
        ...(email.includes('@') ? [] : [{ message: 'must have an @', path: ['email'] }]),
        ...(input.terms === 'true'
          ? []
          : [{ message: 'must be accepted', path: [{ key: 'terms' }] }]),
      ]
      return issues.length > 0 ? { issues } : { value: { name, email, terms: true } }
    },
  },
}

const errors = (form: LiveForm, key: string) =>
  html`<ul id=${`${key}-errors`}>${form.field(key).errors.map((e) => html`<li>${e}</li>`)}</ul>`

export const SignupLive: LiveView<Assigns> = {
  name: 'SignupLive',
  mount(_params, _session, socket) {
    socket.assign({ form: toForm({}, { as: 'user' }), saved: null, pageTitle: 'Signup' })
  },
  async handleEvent(event, value, socket) {
    const action = event === 'save' ? 'submit' : 'validate'
    const { form, value: user } = await validateForm(userSchema, value.user ?? {}, {
      as: 'user',
      action,
    })
    socket.assign({ form })
    if (event === 'save' && user !== undefined) socket.assign({ saved: user })
  },
  render: ({ form, saved }) => html`<form id="signup-form" phx-change="validate" phx-submit="save">
  ${liveInput(form.field('name'), { type: 'text', autocomplete: 'off' })}${errors(form, 'name')}
  ${liveInput(form.field('email'), { type: 'email', autocomplete: 'off' })}${errors(form, 'email')}
  ${liveInput(form.field('terms'), { type: 'checkbox' })}${errors(form, 'terms')}
  <button id="signup" type="submit">Sign up</button>
</form>
${saved === null ? '' : html`<p id="saved">${saved.name} ${saved.email}</p>`}`,
}
