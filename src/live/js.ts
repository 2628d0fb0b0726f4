/**
 * JS commands (Phoenix.LiveView.JS): what a binding does in the browser,
 * run by the official client without a round trip, or before its push.
 *
 * ```ts
 * html`<button phx-click=${JS.push('delete', { value: { id } }).hide({ to: `#row-${id}`, transition: 'fade-out' })}>
 *   Delete
 * </button>`
 * ```
 *
 * A command list is immutable: each method returns a new list with one more
 * command. In a template it renders as the JSON the client executes
 * (`[["push",{"event":"delete",…}],["hide",{…}]]`); the op names and
 * arguments are those of the client 1.2's command table (js.js, `exec_*`),
 * which test/live/js.test.ts reads to keep this file honest. A wrong name
 * there would throw in the page (`this[kind] is not a function`).
 *
 * `to` picks the elements a command acts on: a CSS selector (document-wide),
 * `{ inner: sel }` (inside the element the binding is on) or `{ closest: sel }`;
 * without it, the element itself.
 */
import { CinderError, describe } from '../errors.ts'
import type { AttributeForm } from './attributes.ts'

/** The elements a command acts on. */
export type JsTarget = string | { readonly inner: string } | { readonly closest: string }

/**
 * A CSS transition: classes applied while it runs (`'fade-out'`), or the
 * three lists Phoenix takes: while running, at the start, at the end
 * (`['ease-out duration-300', 'opacity-0', 'opacity-100']`).
 */
export type JsTransition = string | readonly [string, string, string]

interface Timed {
  readonly to?: JsTarget
  readonly transition?: JsTransition
  /** Milliseconds the transition runs. Default 200. */
  readonly time?: number
  /** Whether the client holds patches from the server while it runs. Default true. */
  readonly blocking?: boolean
}

export interface JsPushOptions {
  /** Extra params merged into the event's value. */
  readonly value?: Readonly<Record<string, unknown>>
  /** A live component (its `myself`) or a selector inside one. */
  readonly target?: string | number
  /** Elements that get the loading classes while the push is pending. */
  readonly loading?: JsTarget
  /** Fire the page-loading events (`phx:page-loading-start` / `-stop`). */
  readonly pageLoading?: boolean
}

export interface JsShowOptions extends Timed {
  /** The display value when shown. Default `block` (`table-row` for a tr…). */
  readonly display?: string
}

export interface JsToggleOptions {
  readonly to?: JsTarget
  readonly display?: string
  /** The transition when showing. */
  readonly in?: JsTransition
  /** The transition when hiding. */
  readonly out?: JsTransition
  readonly time?: number
  readonly blocking?: boolean
}

export interface JsDispatchOptions {
  readonly to?: JsTarget
  readonly detail?: Readonly<Record<string, unknown>>
  /** Default true. */
  readonly bubbles?: boolean
  /** Hold patches until a listener calls `event.detail.done()`. */
  readonly blocking?: boolean
}

type Args = Readonly<Record<string, unknown>>
/** One command as the client reads it: `[kind, args]`. */
export type JsOp = readonly [string, Args]

const DEFAULT_TIME = 200

/** A list of JS commands; start one from `JS` (`JS.push('inc')`). */
export class JsCommands implements AttributeForm {
  readonly ops: readonly JsOp[]

  constructor(ops: readonly JsOp[] = []) {
    this.ops = ops
  }

  /** Sends `event` to the server, as a `phx-click="event"` would (with the binding's values). */
  push(event: string, options: JsPushOptions = {}): JsCommands {
    name(event, 'push')
    return this.#add('push', {
      event,
      value: options.value,
      target: options.target,
      loading: options.loading,
      page_loading: options.pageLoading,
    })
  }

  /** Live navigation to another view of the live_session (`pushNavigate` from the page). */
  navigate(href: string, options: { readonly replace?: boolean } = {}): JsCommands {
    name(href, 'navigate')
    return this.#add('navigate', { href, replace: options.replace === true })
  }

  /** A live patch of the current view (its `handleParams` runs). */
  patch(href: string, options: { readonly replace?: boolean } = {}): JsCommands {
    name(href, 'patch')
    return this.#add('patch', { href, replace: options.replace === true })
  }

  show(options: JsShowOptions = {}): JsCommands {
    return this.#add('show', { ...timed(options), display: options.display })
  }

  hide(options: JsShowOptions = {}): JsCommands {
    return this.#add('hide', { ...timed(options), display: options.display })
  }

  /** Shows the element if hidden, hides it if shown. */
  toggle(options: JsToggleOptions = {}): JsCommands {
    return this.#add('toggle', {
      to: options.to,
      display: options.display,
      ins: transition(options.in),
      outs: transition(options.out),
      time: options.time ?? DEFAULT_TIME,
      blocking: options.blocking,
    })
  }

  addClass(names: string | readonly string[], options: Timed = {}): JsCommands {
    return this.#add('add_class', { names: classes(names, 'addClass'), ...timed(options) })
  }

  removeClass(names: string | readonly string[], options: Timed = {}): JsCommands {
    return this.#add('remove_class', { names: classes(names, 'removeClass'), ...timed(options) })
  }

  toggleClass(names: string | readonly string[], options: Timed = {}): JsCommands {
    return this.#add('toggle_class', { names: classes(names, 'toggleClass'), ...timed(options) })
  }

  /** Runs a transition on the element without changing what is shown. */
  transition(transitionClasses: JsTransition, options: Omit<Timed, 'transition'> = {}): JsCommands {
    return this.#add('transition', timed({ ...options, transition: transitionClasses }))
  }

  setAttribute(attr: string, value: string, options: { readonly to?: JsTarget } = {}): JsCommands {
    name(attr, 'setAttribute')
    return this.#add('set_attr', { to: options.to, attr: [attr, value] })
  }

  removeAttribute(attr: string, options: { readonly to?: JsTarget } = {}): JsCommands {
    name(attr, 'removeAttribute')
    return this.#add('remove_attr', { to: options.to, attr })
  }

  /**
   * Sets `attr` to `value`, or back to `otherValue` (removes it without one)
   * when it already has `value`: `toggleAttribute('aria-expanded', 'true', 'false')`.
   */
  toggleAttribute(
    attr: string,
    value: string,
    otherValue?: string,
    options: { readonly to?: JsTarget } = {},
  ): JsCommands {
    name(attr, 'toggleAttribute')
    const args = otherValue === undefined ? [attr, value] : [attr, value, otherValue]
    return this.#add('toggle_attr', { to: options.to, attr: args })
  }

  /** Keeps attributes the client set (`open` of a `<details>`…) when the server patches. */
  ignoreAttributes(
    attrs: string | readonly string[],
    options: { readonly to?: JsTarget } = {},
  ): JsCommands {
    return this.#add('ignore_attrs', { to: options.to, attrs: classes(attrs, 'ignoreAttributes') })
  }

  /** Dispatches a DOM event (e.g. for a hook or a library listening to it). */
  dispatch(event: string, options: JsDispatchOptions = {}): JsCommands {
    name(event, 'dispatch')
    return this.#add('dispatch', {
      to: options.to,
      event,
      detail: options.detail,
      bubbles: options.bubbles,
      blocking: options.blocking,
    })
  }

  /** Runs the commands in attribute `attr` of the target (`exec('data-cancel', { to: '#modal' })`). */
  exec(attr: string, options: { readonly to?: JsTarget } = {}): JsCommands {
    name(attr, 'exec')
    return this.#add('exec', { attr, to: options.to })
  }

  focus(options: { readonly to?: JsTarget } = {}): JsCommands {
    return this.#add('focus', { to: options.to })
  }

  /** Focuses the first focusable element inside the target. */
  focusFirst(options: { readonly to?: JsTarget } = {}): JsCommands {
    return this.#add('focus_first', { to: options.to })
  }

  /** Remembers the focused element (or the target), for `popFocus`. */
  pushFocus(options: { readonly to?: JsTarget } = {}): JsCommands {
    return this.#add('push_focus', { to: options.to })
  }

  popFocus(): JsCommands {
    return this.#add('pop_focus', {})
  }

  /** Appends the commands of `other`. */
  concat(other: JsCommands): JsCommands {
    return new JsCommands([...this.ops, ...other.ops])
  }

  /** The JSON the client executes (what a template renders). */
  toAttribute(): string {
    return JSON.stringify(this.ops)
  }

  toJSON(): readonly JsOp[] {
    return this.ops
  }

  toString(): string {
    return this.toAttribute()
  }

  #add(kind: string, args: Record<string, unknown>): JsCommands {
    const clean: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(args)) if (value !== undefined) clean[key] = value
    return new JsCommands([...this.ops, [kind, clean]])
  }
}

/** The empty command list every chain starts from: `JS.push('save').hide({ to: '#modal' })`. */
export const JS: JsCommands = new JsCommands()

function timed(options: Timed): Record<string, unknown> {
  return {
    to: options.to,
    transition: transition(options.transition),
    time: options.time ?? DEFAULT_TIME,
    blocking: options.blocking === false ? false : undefined,
  }
}

/** `'fade-in'` → `[['fade-in'], [], []]`; three strings → three class lists. */
function transition(value: JsTransition | undefined): string[][] | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return [split(value), [], []]
  if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'string')) {
    return value.map(split)
  }
  throw new CinderError(
    'CINDER_ERR_LIVE_BAD_ARG',
    `a JS transition is a class string or [running, start, end], got: ${describe(value)}`,
  )
}

function classes(names: string | readonly string[], operation: string): string[] {
  const list = typeof names === 'string' ? split(names) : [...names]
  if (list.length === 0 || !list.every((n) => typeof n === 'string' && n !== '')) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `JS.${operation} expects names ('a b' or ['a', 'b']), got: ${describe(names)}`,
    )
  }
  return list
}

function split(text: string): string[] {
  return text.split(/\s+/).filter((s) => s !== '')
}

function name(value: unknown, operation: string): void {
  if (typeof value !== 'string' || value === '') {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `JS.${operation} expects a non-empty string, got: ${describe(value)}`,
    )
  }
}
