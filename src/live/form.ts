/**
 * Forms (Phoenix's `to_form` and the core components' `<.input>`): a form's
 * params and errors, as fields that know their input's name, id, value and
 * the errors to show, only for inputs the user has used.
 *
 * ```ts
 * handleEvent(event, value, socket) {
 *   const params = (value.user ?? {}) as Record<string, unknown>
 *   const errors = String(params.name ?? '').length < 3 ? { name: 'is too short' } : {}
 *   socket.assign({ form: toForm(params, { as: 'user', errors, action: 'validate' }) })
 * },
 * render: ({ form }) => html`<form id="user-form" phx-change="validate">
 *   ${liveInput(form.field('name'))}
 *   ${form.field('name').errors.map((e) => html`<p class="error">${e}</p>`)}
 * </form>`
 * ```
 *
 * Errors come as a plain object (`{ name: 'is too short' }` or lists), or as
 * the `issues` of any Standard Schema validator (zod, valibot, ArkType…):
 * `validateForm(schema, params, options)` runs one and builds the form, so
 * Cinder needs no validation library of its own. Errors show only when the
 * form has an `action` (after a change or a submit: a fresh form shows none)
 * and only for used fields: the client sends `_unused_<field>` for inputs
 * not typed into yet, and a submit sends every field as used.
 */
import { CinderError, describe } from '../errors.ts'
import { html, type Template } from './html.ts'
import { usedInput } from './live-event.ts'

/** The errors of a form, by field: a message or several. */
export type FormErrors = Readonly<Record<string, string | readonly string[]>>

/** One issue of a Standard Schema validation (`StandardSchemaV1.Issue`). */
export interface FormIssue {
  readonly message: string
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined
}

/** A Standard Schema validator (`StandardSchemaV1`): what zod, valibot and ArkType schemas are. */
export interface StandardSchema<Output = unknown> {
  readonly '~standard': {
    readonly version: 1
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>
  }
}

type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly FormIssue[] }

export interface FormOptions {
  /** The params' name in the form (`user` → inputs named `user[email]`). */
  readonly as?: string
  /** The form's id prefix (inputs get `<id>_<field>`). Default: `as`, or `form`. */
  readonly id?: string
  /** The errors: by field, or a Standard Schema's issues. */
  readonly errors?: FormErrors | readonly FormIssue[]
  /** `'validate'` (a change) or `'submit'`: errors show only once the form has one. */
  readonly action?: 'validate' | 'submit'
}

/** One field of a form: everything its input and its errors need. */
export interface FormField {
  /** The input's `name` (`user[email]`). */
  readonly name: string
  /** The input's `id` (`user_email`). */
  readonly id: string
  readonly key: string
  /** The value from the params (a string from a form event), or undefined. */
  readonly value: unknown
  /** The errors to show: none until the form has an action and the user used the field. */
  readonly errors: readonly string[]
  /** Whether the user has used the input (typed into it, or submitted it). */
  readonly used: boolean
}

/** A form's params and errors (see `toForm`). */
export class LiveForm {
  readonly name: string | undefined
  readonly id: string
  readonly params: Readonly<Record<string, unknown>>
  /** Every error, by field path (`address.city` for nested ones), shown or not. */
  readonly errors: Readonly<Record<string, readonly string[]>>
  readonly action: 'validate' | 'submit' | undefined

  constructor(params: Readonly<Record<string, unknown>>, options: FormOptions = {}) {
    this.name = options.as
    this.id = options.id ?? options.as ?? 'form'
    this.params = params
    this.errors = errorsOf(options.errors)
    this.action = options.action
  }

  /** True when there are no errors at all (shown or not). */
  get valid(): boolean {
    return Object.keys(this.errors).length === 0
  }

  field(key: string): FormField {
    if (typeof key !== 'string' || key === '') {
      throw new CinderError(
        'CINDER_ERR_LIVE_BAD_ARG',
        `form.field expects a field name, got: ${describe(key)}`,
      )
    }
    const used = this.action === 'submit' || usedInput(this.params, key)
    return {
      name: this.name === undefined ? key : `${this.name}[${key}]`,
      id: `${this.id}_${key}`,
      key,
      value: this.params[key],
      errors: this.action !== undefined && used ? (this.errors[key] ?? []) : [],
      used,
    }
  }

  /** The form of a nested object (`user[address][city]`): `form.nested('address').field('city')`. */
  nested(key: string): LiveForm {
    const inner = this.params[key]
    const prefix = `${key}.`
    const errors: Record<string, readonly string[]> = {}
    for (const [path, list] of Object.entries(this.errors)) {
      if (path.startsWith(prefix)) errors[path.slice(prefix.length)] = list
    }
    return new LiveForm(isRecord(inner) ? inner : {}, {
      as: this.name === undefined ? key : `${this.name}[${key}]`,
      id: `${this.id}_${key}`,
      errors,
      ...(this.action === undefined ? {} : { action: this.action }),
    })
  }
}

/** A form over `params` (a form event's, or your data's at mount), with its errors. */
export function toForm(params: unknown = {}, options: FormOptions = {}): LiveForm {
  if (!isRecord(params)) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `toForm expects an object of params, got: ${describe(params)}`,
    )
  }
  return new LiveForm(params, options)
}

/**
 * Validates `params` with a Standard Schema validator and builds the form:
 * `{ form, value }`, `value` being the validator's output when valid.
 */
export async function validateForm<Output>(
  schema: StandardSchema<Output>,
  params: unknown,
  options: Omit<FormOptions, 'errors'> = {},
): Promise<{ readonly form: LiveForm; readonly value: Output | undefined }> {
  const validate = schema?.['~standard']?.validate
  if (typeof validate !== 'function') {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `validateForm expects a Standard Schema validator (zod, valibot, ArkType…), got: ${describe(schema)}`,
    )
  }
  const result = await validate(params)
  const data = isRecord(params) ? params : {}
  if (result.issues !== undefined) {
    return { form: toForm(data, { ...options, errors: result.issues }), value: undefined }
  }
  return { form: toForm(data, options), value: result.value }
}

/**
 * The `<input>` of a field: its name, id and value, and `attrs` (`type`,
 * `class`…). A checkbox (`type: 'checkbox'`) is checked when its value is
 * `'true'` and comes with the hidden `false` input the browser needs to send
 * an unchecked box.
 */
export function liveInput(
  field: FormField,
  attrs: Readonly<Record<string, string | number | boolean | null | undefined>> = {},
): Template {
  const value = field.value === undefined || field.value === null ? '' : String(field.value)
  if (attrs.type === 'checkbox') {
    const checked = value === 'true'
    return html`<input type="hidden" name=${field.name} value="false"><input id=${field.id} name=${field.name} value="true" checked=${checked} ${attrs}>`
  }
  return html`<input id=${field.id} name=${field.name} value=${value} ${attrs}>`
}

function errorsOf(
  errors: FormErrors | readonly FormIssue[] | undefined,
): Record<string, readonly string[]> {
  const out: Record<string, string[]> = {}
  if (errors === undefined) return out
  if (Array.isArray(errors)) {
    for (const issue of errors as readonly FormIssue[]) {
      const key = (issue.path ?? [])
        .map((p) => String(typeof p === 'object' && p !== null ? p.key : p))
        .join('.')
      const list = out[key] ?? []
      list.push(String(issue.message))
      out[key] = list
    }
    return out
  }
  for (const [key, value] of Object.entries(errors as FormErrors)) {
    const list = typeof value === 'string' ? [value] : [...value]
    if (list.length > 0) out[key] = list
  }
  return out
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
