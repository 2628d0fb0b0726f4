/**
 * Nested LiveViews (Phoenix's `live_render`): a LiveView placed inside
 * another view's template, or sticky in the layout, running in a process
 * of its own on the same socket.
 *
 * ```ts
 * render: ({ user }) => html`<main>
 *   <h1>Hello ${user.name}</h1>
 *   ${liveRender(Notifications, { id: 'notifications', session: { userId: user.id } })}
 * </main>`
 * ```
 *
 * The parent renders only the child's container: `<div id data-phx-session
 * data-phx-static="" data-phx-parent-id>`, its session token naming the
 * child view, its `session` and its parent. The official client joins the
 * child (`lv:<id>`) once the parent has joined; the child mounts with
 * `params` `{}` (it is not routed: no `handleParams`, no patches) and the
 * given session, renders its own diffs and handles its own events. It stops
 * when its parent stops, or when a render of the parent leaves it out (the
 * client leaves its channel). The dead render mounts the child disconnected
 * and puts its HTML in the container (dead-children.ts).
 *
 * `sticky: true` (in the layout) makes a root view that survives live
 * navigation between the main views: it has no parent.
 */
import { CinderError, describe } from '../errors.ts'
import { html, type Template } from './html.ts'
import type { LiveTokens } from './live-session.ts'
import type { LiveView } from './live-view.ts'

const LIVE_RENDER: unique symbol = Symbol('cinder.liveRender')

/** A nested LiveView placed in a template (what `liveRender` returns). */
export interface LiveRenderCall {
  readonly [LIVE_RENDER]: true
  // biome-ignore lint/suspicious/noExplicitAny: a child of any assigns shape
  readonly view: LiveView<any>
  readonly id: string
  readonly session: Readonly<Record<string, unknown>>
  readonly sticky: boolean
}

export interface LiveRenderOptions {
  /** The child's DOM id (and topic `lv:<id>`): unique on the page. */
  readonly id: string
  /** What the child's `mount` receives as its session (JSON data). Default `{}`. */
  readonly session?: Readonly<Record<string, unknown>>
  /** A root view that survives live navigation (place it in the layout). Default false. */
  readonly sticky?: boolean
}

// Views placed with liveRender, by name: a child's join finds its view here.
// biome-ignore lint/suspicious/noExplicitAny: children of any assigns shape
const nestedViews = new Map<string, LiveView<any>>()

const DOM_ID = /^[A-Za-z][A-Za-z0-9_-]{0,99}$/

/** Renders a nested LiveView (`live_render`): the child joins on its own topic. */
export function liveRender<A extends object>(
  view: LiveView<A>,
  options: LiveRenderOptions,
): LiveRenderCall {
  const name = view?.name
  if (typeof view?.render !== 'function' || typeof name !== 'string' || name === '') {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `liveRender(View, { id }) needs a LiveView with a name (its child's token names it), got: ${describe(view)}`,
    )
  }
  const id = options?.id
  if (typeof id !== 'string' || !DOM_ID.test(id)) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `liveRender(${name}, { id }) needs an id usable as a DOM id (a letter, then letters, digits, - or _), got: ${describe(id)}`,
    )
  }
  const known = nestedViews.get(name)
  if (known !== undefined && known !== view) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `two different LiveViews are named ${describe(name)}; a nested view's name must be unique`,
    )
  }
  nestedViews.set(name, view)
  return {
    [LIVE_RENDER]: true,
    view,
    id,
    session: options.session ?? {},
    sticky: options.sticky === true,
  }
}

export function isLiveRenderCall(value: unknown): value is LiveRenderCall {
  return typeof value === 'object' && value !== null && LIVE_RENDER in value
}

/** The view a nested join names, if this process has seen it placed. */
// biome-ignore lint/suspicious/noExplicitAny: children of any assigns shape
export function nestedView(name: string): LiveView<any> | undefined {
  return nestedViews.get(name)
}

/** Renders the containers of one parent's children (one per dead render or view process). */
export class NestedContainers {
  readonly #parentId: string | null
  readonly #tokens: LiveTokens
  // Kept per child so re-renders of the parent reuse the same template (and token):
  // the diff then has nothing to send for it.
  readonly #rendered = new Map<string, { readonly key: string; readonly template: Template }>()

  /** `parentId` is the parent's container id, or null in the layout (sticky children only). */
  constructor(parentId: string | null, tokens: LiveTokens) {
    this.#parentId = parentId
    this.#tokens = tokens
  }

  resolve(call: LiveRenderCall): Template {
    if (this.#parentId === null && !call.sticky) {
      throw new CinderError(
        'CINDER_ERR_LIVE_BAD_ARG',
        `liveRender(${call.view.name}, { id: ${describe(call.id)} }) outside a LiveView (in the layout) must be sticky: true`,
      )
    }
    const key = `${call.view.name}\u0000${call.sticky}\u0000${JSON.stringify(call.session)}`
    const cached = this.#rendered.get(call.id)
    if (cached !== undefined && cached.key === key) return cached.template
    const parent = call.sticky ? null : this.#parentId
    const token = this.#tokens.signSession({
      id: call.id,
      view: call.view.name as string,
      route: '',
      liveSession: null,
      session: { ...call.session },
      parent,
    })
    const template = html`<div id=${call.id} data-phx-session=${token} data-phx-static="" data-phx-parent-id=${parent} data-phx-sticky=${parent === null}></div>`
    this.#rendered.set(call.id, { key, template })
    return template
  }
}
