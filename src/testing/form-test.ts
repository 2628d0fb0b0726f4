/**
 * `view.form(selector, values)`: a form of the rendered page filled in as a
 * user would, checked against the inputs it has (Phoenix.LiveViewTest's
 * `form/3`). A value for a field the form lacks is an error, so a test
 * cannot pass by sending what no browser could.
 *
 * ```ts
 * await view.form('#signup-form', { user: { name: 'Jo' } }).change()   // _target user[name]
 * await view.form('#signup-form', { user: { email: 'jo@x.io' } }).submit()
 * ```
 *
 * The payload is what the official client sends: every field of the form in
 * document order (the values rendered, overridden by `values`), and for a
 * change `_unused_<field>` markers beside the fields the user has not used
 * yet (given in this or an earlier `form` call on the same form).
 */
import type { FoundElement } from './html-query.ts'
import { find, findAll } from './html-query.ts'

/** What a form's change or submit sends: `value` urlencoded, `_target` for a change. */
export interface FormPush {
  readonly event: string
  readonly value: string
  readonly target: string | undefined
  readonly form: FoundElement
}

/** One input of the form: its name, value, and whether it sends (an unchecked box does not). */
interface Field {
  readonly name: string
  readonly value: string
  readonly sends: boolean
  readonly kind: 'checkable' | 'hidden' | 'other'
}

const SKIPPED_TYPES = new Set(['submit', 'button', 'reset', 'image', 'file'])

export class LiveFormTest {
  readonly #html: () => string
  readonly #selector: string
  readonly #given: Array<[string, string]>
  readonly #used: Set<string>
  readonly #send: (push: FormPush) => Promise<string>

  constructor(
    html: () => string,
    selector: string,
    values: Record<string, unknown>,
    used: Set<string>,
    send: (push: FormPush) => Promise<string>,
  ) {
    this.#html = html
    this.#selector = selector
    this.#given = flatten(values)
    this.#used = used
    this.#send = send
    const { fields } = this.#read()
    const names = new Set(fields.map((f) => f.name))
    for (const [name] of this.#given) {
      if (!names.has(name)) {
        throw new Error(
          `the form ${JSON.stringify(selector)} has no field ${JSON.stringify(name)}; its fields: ${[...names].join(', ') || '(none)'}`,
        )
      }
      used.add(name)
    }
  }

  /** A `phx-change` of the form; `target` (default: the first field given) is `_target`. */
  change(target: string | undefined = this.#given[0]?.[0]): Promise<string> {
    const { form, fields } = this.#read()
    const event = form.attributes['phx-change']
    if (event === undefined) throw new Error(`${this.#selector} has no phx-change`)
    const value = encode(this.#pairs(fields, true))
    return this.#send({ event, value, target, form })
  }

  /** A `phx-submit` of the form: every field, none marked unused. */
  submit(): Promise<string> {
    const { form, fields } = this.#read()
    const event = form.attributes['phx-submit']
    if (event === undefined) throw new Error(`${this.#selector} has no phx-submit`)
    for (const field of fields) this.#used.add(field.name)
    return this.#send({ event, value: encode(this.#pairs(fields, false)), target: undefined, form })
  }

  #read(): { form: FoundElement; fields: Field[] } {
    const form = find(this.#html(), this.#selector)
    if (form === undefined) {
      throw new Error(`no form matches ${JSON.stringify(this.#selector)} in:\n${this.#html()}`)
    }
    return { form, fields: fieldsOf(form) }
  }

  /** The name/value pairs in document order, `values` given replacing what was rendered. */
  #pairs(fields: readonly Field[], markUnused: boolean): Array<[string, string]> {
    const pairs: Array<[string, string]> = []
    const givenNames = new Set(this.#given.map(([name]) => name))
    const done = new Set<string>()
    for (const field of fields) {
      if (givenNames.has(field.name)) {
        if (done.has(field.name)) continue
        done.add(field.name)
        for (const [name, value] of this.#given) if (name === field.name) pairs.push([name, value])
        continue
      }
      if (!field.sends) continue
      const unused = markUnused && field.kind !== 'hidden' && !this.#used.has(field.name)
      if (unused) pairs.push([unusedName(field.name), ''])
      pairs.push([field.name, field.value])
    }
    return pairs
  }
}

function fieldsOf(form: FoundElement): Field[] {
  const fields: Field[] = []
  // One selector: the fields come back in document order, as the browser sends them.
  for (const element of findAll(form.innerHtml, 'input, textarea, select')) {
    const field = fieldOf(element)
    if (field !== undefined) fields.push(field)
  }
  return fields
}

function fieldOf(element: FoundElement): Field | undefined {
  const { name } = element.attributes
  if (name === undefined) return undefined
  if (element.tag === 'textarea') return { name, value: element.text, sends: true, kind: 'other' }
  if (element.tag === 'select') {
    const options = findAll(element.innerHtml, 'option')
    const chosen = options.find((o) => o.attributes.selected !== undefined) ?? options[0]
    const value = chosen?.attributes.value ?? chosen?.text ?? ''
    return { name, value, sends: true, kind: 'other' }
  }
  const { type = 'text', value, checked } = element.attributes
  if (SKIPPED_TYPES.has(type.toLowerCase())) return undefined
  const checkable = type === 'checkbox' || type === 'radio'
  const kind = checkable ? 'checkable' : type === 'hidden' ? 'hidden' : 'other'
  const sends = !checkable || checked !== undefined
  return { name, value: value ?? (checkable ? 'on' : ''), sends, kind }
}

/** `{ user: { name: 'Jo', tags: ['a'] } }` → `[['user[name]', 'Jo'], ['user[tags][]', 'a']]`. */
function flatten(values: Record<string, unknown>, prefix = ''): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const [key, value] of Object.entries(values)) {
    const name = prefix === '' ? key : `${prefix}[${key}]`
    if (Array.isArray(value)) for (const item of value) out.push([`${name}[]`, String(item)])
    else if (typeof value === 'object' && value !== null) {
      out.push(...flatten(value as Record<string, unknown>, name))
    } else if (value === true) out.push([name, 'true'])
    else if (value !== false && value !== undefined && value !== null)
      out.push([name, String(value)])
  }
  return out
}

/** The client's `_unused_` key: `user[email]` → `user[_unused_email]` (`prependFormDataKey`). */
function unusedName(name: string): string {
  const isArray = name.endsWith('[]')
  const base = (isArray ? name.slice(0, -2) : name).replace(/([^[\]]+)(\]?$)/, '_unused_$1$2')
  return isArray ? `${base}[]` : base
}

function encode(pairs: ReadonlyArray<[string, string]>): string {
  return new URLSearchParams(pairs as Array<[string, string]>).toString()
}
