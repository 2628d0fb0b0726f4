/**
 * Components.
 *
 * A **function component** is a plain function from props to a template; slots
 * are props too: a `Template` for plain content, or a function for content that
 * takes an argument (HEEx's `:let`), or a list of entries with their own
 * attributes for named slots (HEEx's `<:col label="…">`).
 *
 * ```ts
 * const Card: FunctionComponent<{ title: string; inner: Slot }> = ({ title, inner }) =>
 *   html`<section class="card"><h2>${title}</h2>${renderSlot(inner)}</section>`
 *
 * const Table = <Row,>(p: { rows: Row[]; col: SlotEntries<{ label: string }, Row> }) => html`
 *   <table><tr>${p.col.map((c) => html`<th>${c.label}</th>`)}</tr>
 *   ${each(p.rows, (row) => html`<tr>${p.col.map((c) => html`<td>${renderSlot(c, row)}</td>`)}</tr>`)}
 *   </table>`
 * ```
 *
 * A **live component** (stateful, with a cid on the wire) is placed with
 * `liveComponent(definition, props)`; the renderer asks its `resolveComponent`
 * callback for the cid and the template, and sends the component in `"c"`.
 */

import { CinderError, describe } from '../errors.ts'
import { isTemplate, type Template } from './html.ts'

/** A function component: props in, a template out (Phoenix's function components). */
export type FunctionComponent<P> = (props: P) => Template

/** Slot content: a template, or a function of the slot's argument. */
export type Slot<A = void> = Template | ((arg: A) => unknown)

/** A named slot: entries, each with its own attributes and optional content (`inner`). */
export type SlotEntries<Attrs extends object, A = void> = readonly (Attrs & { inner?: Slot<A> })[]

/**
 * Renders slot content with an argument: a `Slot`, one slot entry (its `inner`),
 * or a list of entries. Missing slots render nothing.
 */
export function renderSlot<A = void>(
  slot: Slot<A> | { inner?: Slot<A> } | readonly { inner?: Slot<A> }[] | null | undefined,
  arg?: A,
): unknown {
  if (slot === null || slot === undefined) return ''
  if (typeof slot === 'function') return (slot as (a: A | undefined) => unknown)(arg)
  if (Array.isArray(slot)) return slot.map((entry) => renderSlot(entry.inner, arg))
  if (isTemplate(slot)) return slot
  return renderSlot((slot as { inner?: Slot<A> }).inner, arg)
}

const LIVE_COMPONENT: unique symbol = Symbol('cinder.liveComponent')

/** A live component placed in a template. Its definition is opaque to the renderer. */
export interface LiveComponentCall<
  D = unknown,
  P extends { id: string | number } = { id: string | number },
> {
  readonly [LIVE_COMPONENT]: true
  readonly component: D
  readonly props: P
}

/** Renders a stateful live component with its id and props (`<.live_component>`). */
export function liveComponent<D, P extends { id: string | number }>(
  component: D,
  props: P,
): LiveComponentCall<D, P> {
  const id = props?.id
  if (typeof id !== 'string' && typeof id !== 'number') {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_VALUE',
      `liveComponent(component, props) needs props.id (a string or number) to tell instances apart, got ${describe(props)}`,
    )
  }
  return { [LIVE_COMPONENT]: true, component, props }
}

export function isLiveComponentCall(value: unknown): value is LiveComponentCall {
  return typeof value === 'object' && value !== null && LIVE_COMPONENT in value
}

/** What `resolveComponent` answers: the component's cid and, when it must render, its template. */
export interface ResolvedComponent {
  readonly cid: number
  /** Omit only when the client already has this cid's current render. */
  readonly template?: Template
}

/**
 * Called by the renderer for each live component it meets; the LiveView layer maps
 * the call to a cid (new ones from 1, never reused), mounts/updates the component
 * and renders it.
 */
export type ComponentResolver = (call: LiveComponentCall) => ResolvedComponent
