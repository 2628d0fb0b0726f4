/**
 * The diff engine: renders a template tree to the LiveView wire format and,
 * on later renders, sends only what changed since the previous one.
 *
 * The renderer keeps, for every position, what the client has there: the
 * template (compiled strings array = fingerprint) and the value of each slot.
 * A re-render walks the new tree against it:
 *
 * - same fingerprint at a position → a patch: only the slots whose value
 *   changed (a primitive `!==`, a different rendered string, a nested template
 *   that itself changed); unchanged slots are left out, statics never resent;
 * - another fingerprint (or nothing before) → a complete node with `"s"`;
 * - the very same Template object as last time → nothing at all (a snapshot
 *   cannot change; this is how a caller skips a sub-tree it knows is unchanged);
 * - lists → keyed comprehensions (`"k"`, `"kc"`, `"km"` for moves);
 * - streams → comprehensions with a `"stream"` annotation, entries not kept;
 * - live components → their cid in the slot and their render in `"c"`, with
 *   `"r":1`, sharing the statics of an identical component (`"s": ±cid`).
 *
 * Statics of complete nodes are sent once per diff in a `"p"` table (at the
 * top level for the view, on each component for its own tree), as LiveView 1.1+
 * does; `{ shareStatics: false }` sends literal `"s"` arrays instead.
 */

import { CinderError, describe } from '../errors.ts'
import { renderAttribute, renderAttributePart, renderSpread } from './attributes.ts'
import { type Compiled, compile, SlotKind } from './compile.ts'
import { type ComponentResolver, isLiveComponentCall, type LiveComponentCall } from './component.ts'
import { isList, isStreamList, type StreamList } from './comprehension.ts'
import {
  duplicateKey,
  entryTemplate,
  ListState,
  NO_ENTRY,
  NodeState,
  Scope,
  type SlotState,
  StreamState,
  templateValues,
  WRAPPED,
  wrap,
} from './diff-state.ts'
import { isTemplate, type Template } from './html.ts'
import { isStable, leafText } from './leaf.ts'
import { isLiveRenderCall, type LiveRenderCall } from './nested.ts'
import type {
  Diff,
  Dynamic,
  Keyed,
  PushedEvent,
  RenderedComponent,
  RenderedComprehension,
  RenderedEntry,
  RenderedNode,
  StreamWire,
} from './rendered.ts'

export interface RendererOptions {
  /** Maps each `liveComponent(...)` to a cid and its template. Needed only if live components are used. */
  resolveComponent?: ComponentResolver
  /** Renders the container of each `liveRender(...)` (nested LiveViews). */
  resolveNested?: (call: LiveRenderCall) => Template
  /** Send statics once per diff in `"p"` tables (default true), or as literal `"s"` arrays. */
  shareStatics?: boolean
}

/** Keys that ride along a diff at its top level. */
export interface DiffExtras {
  /** The page title; sent as `"t"` only when it differs from the last one sent. */
  title?: string
  /** `push_event`s: `[name, payload]` or `[name, payload, true]` (before the patch). */
  events?: readonly PushedEvent[]
  /** The reply to a hook's `pushEvent`, sent as the top-level `"r"`. */
  reply?: unknown
}

type Unchanged = undefined
type Result = [Dynamic | Unchanged, SlotState]

/**
 * The render state of one LiveView on one connection. `render` the view after
 * each change; the first call (and the first after `reset`) returns a complete
 * render for the join, later calls return diffs. Not shared between views.
 */
export class LiveRenderer {
  readonly #resolve: ComponentResolver | undefined
  readonly #resolveNested: ((call: LiveRenderCall) => Template) | undefined
  readonly #share: boolean
  #root: NodeState | undefined
  #title: string | undefined
  // Created on first use: most views have no live component, and every
  // mounted view keeps its renderer (see docs/benchmarks.md, memory per view).
  #components: Map<number, NodeState> | undefined
  /** cids whose next render must be complete (the client reset or dropped them). */
  #stale: Set<number> | undefined
  // per diff:
  #pending: Map<number, Template> | undefined

  constructor(options: RendererOptions = {}) {
    this.#resolve = options.resolveComponent
    this.#resolveNested = options.resolveNested
    this.#share = options.shareStatics ?? true
  }

  /** True until the first render, and after `reset`: the next render is complete. */
  get isFresh(): boolean {
    return this.#root === undefined
  }

  /**
   * Renders the view: complete the first time, a diff afterwards (`{}` when
   * nothing changed). `componentUpdates` are components that changed on their
   * own (events, `sendUpdate`), sent in the same diff.
   */
  render(
    view: Template,
    extras: DiffExtras = {},
    componentUpdates: Iterable<readonly [number, Template]> = [],
  ): Diff {
    if (!isTemplate(view)) {
      throw new CinderError(
        'CINDER_ERR_LIVE_BAD_VALUE',
        `render expects an html\`…\` template, got ${describe(view)}`,
      )
    }
    for (const [cid, template] of componentUpdates) this.#queue(cid, template)
    const diff: Diff = {}
    const scope = new Scope(this.#share)
    const compiled = compile(view.strings)
    const prev = this.#root
    if (prev !== undefined && prev.tpl === compiled) {
      if (prev.template !== view) {
        this.#patchSlots(compiled, view.values, prev, diff, scope)
        prev.template = view
      }
    } else {
      // A top-level "s" replaces the client's whole tree, components included.
      this.#components = undefined
      this.#stale = undefined
      const state = new NodeState(compiled, view, view.values)
      diff.s = scope.statics(compiled)
      this.#fullSlots(compiled, view.values, state, diff, scope)
      this.#root = state
    }
    scope.attachTo(diff)
    this.#flushComponents(diff)
    return this.#extras(diff, extras)
  }

  /** A diff of only the given components (`send_update`), with any components they place. */
  renderComponents(updates: Iterable<readonly [number, Template]>, extras: DiffExtras = {}): Diff {
    for (const [cid, template] of updates) this.#queue(cid, template)
    const diff: Diff = {}
    this.#flushComponents(diff)
    return this.#extras(diff, extras)
  }

  /** Forget what the client has (a rejoin): the next render is complete. */
  reset(): void {
    this.#root = undefined
    this.#title = undefined
    this.#components = undefined
    this.#stale = undefined
  }

  /** The client dropped its render of `cid` (cids_will_destroy): send it complete if it comes back. */
  resetComponent(cid: number): void {
    if (this.#components?.has(cid) !== true) return
    this.#stale ??= new Set()
    this.#stale.add(cid)
  }

  /** Forget `cid` (cids_destroyed). */
  deleteComponent(cid: number): void {
    this.#components?.delete(cid)
    this.#stale?.delete(cid)
  }

  /** Whether the client holds a current render of `cid` (not one it was told to drop). */
  hasComponent(cid: number): boolean {
    return this.#components?.has(cid) === true && this.#stale?.has(cid) !== true
  }

  #extras(diff: Diff, extras: DiffExtras): Diff {
    if (extras.title !== undefined && extras.title !== this.#title) {
      diff.t = extras.title
      this.#title = extras.title
    }
    if (extras.events !== undefined && extras.events.length > 0) diff.e = [...extras.events]
    if (extras.reply !== undefined) diff.r = extras.reply
    return diff
  }

  // ---- nodes --------------------------------------------------------------

  /** Writes every slot of a complete node into `out`, recording the states. */
  #fullSlots(
    tpl: Compiled,
    values: readonly unknown[],
    state: NodeState,
    out: RenderedEntry,
    scope: Scope,
  ): void {
    const { kinds } = tpl
    for (let i = 0; i < kinds.length; i++) {
      const [dyn, slot] = this.#slot(tpl, i, values[i], undefined, scope)
      out[i] = dyn ?? ''
      state.states[i] = slot
    }
  }

  /** Writes the changed slots into `out`; returns whether any changed. Updates `state`. */
  #patchSlots(
    tpl: Compiled,
    values: readonly unknown[],
    state: NodeState,
    out: RenderedEntry,
    scope: Scope,
  ): boolean {
    const prevValues = state.values
    let changed = false
    for (let i = 0; i < tpl.kinds.length; i++) {
      const value = values[i]
      if (value === prevValues[i] && (isStable(value) || isTemplate(value))) continue
      const [dyn, slot] = this.#slot(tpl, i, value, state.states[i], scope)
      state.states[i] = slot
      if (dyn !== undefined) {
        out[i] = dyn
        changed = true
      }
    }
    state.values = values
    return changed
  }

  #slot(
    tpl: Compiled,
    i: number,
    value: unknown,
    prev: SlotState | undefined,
    scope: Scope,
  ): Result {
    let text: string
    switch (tpl.kinds[i]) {
      case SlotKind.child:
        return this.#child(value, prev, scope)
      case SlotKind.attr:
        text = renderAttribute(tpl.names[i] ?? '', value)
        break
      case SlotKind.part:
        text = renderAttributePart(value)
        break
      default:
        text = renderSpread(value)
    }
    return [prev === text ? undefined : text, text]
  }

  #child(value: unknown, prev: SlotState | undefined, scope: Scope): Result {
    if (typeof value === 'object' && value !== null) {
      if (isTemplate(value)) return this.#node(value, prev, scope)
      if (Array.isArray(value)) return this.#list(null, value, prev, scope)
      if (isList(value)) return this.#list(value.keys, value.items, prev, scope)
      if (isStreamList(value)) return this.#stream(value, prev, scope)
      if (isLiveComponentCall(value)) return this.#component(value, prev)
      if (isLiveRenderCall(value)) return this.#node(this.#nested(value), prev, scope)
    }
    const text = leafText(value)
    return [prev === text ? undefined : text, text]
  }

  #node(template: Template, prev: SlotState | undefined, scope: Scope): Result {
    const tpl = compile(template.strings)
    if (prev instanceof NodeState && prev.tpl === tpl) {
      if (prev.template === template) return [undefined, prev]
      const out: RenderedNode = {}
      const changed = this.#patchSlots(tpl, template.values, prev, out, scope)
      prev.template = template
      return [changed ? out : undefined, prev]
    }
    const state = new NodeState(tpl, template, template.values)
    const out: RenderedNode = { s: scope.statics(tpl) }
    this.#fullSlots(tpl, template.values, state, out, scope)
    return [out, state]
  }

  // ---- comprehensions -----------------------------------------------------

  #list(
    keys: readonly unknown[] | null,
    items: readonly unknown[],
    prev: SlotState | undefined,
    scope: Scope,
  ): Result {
    if (items.length === 0) {
      if (!(prev instanceof ListState)) return ['' === prev ? undefined : '', '']
      if (prev.entries.length === 0) return [undefined, prev]
      return [{ k: { kc: 0 } }, new ListState(prev.tpl, new Map(), [])]
    }
    const tpl = entryTemplate(items)
    const valuesOf = tpl === WRAPPED ? wrap : templateValues
    const k: Keyed = { kc: items.length }
    if (prev instanceof ListState && prev.tpl === tpl) {
      return this.#patchList(tpl, keys, items, prev, k, scope)
    }

    const index = new Map<unknown, number>()
    const entries: NodeState[] = []
    const out: RenderedComprehension = { s: scope.statics(tpl), k }
    for (let i = 0; i < items.length; i++) {
      const key = keys === null ? i : keys[i]
      if (index.has(key)) throw duplicateKey(key)
      index.set(key, i)
      const item = items[i]
      k[i] = this.#fullEntry(tpl, item, valuesOf(item), entries, scope)
    }
    return [out, new ListState(tpl, index, entries)]
  }

  #fullEntry(
    tpl: Compiled,
    item: unknown,
    values: readonly unknown[],
    entries: NodeState[] | null,
    scope: Scope,
  ): RenderedEntry {
    const state = new NodeState(tpl, tpl === WRAPPED ? undefined : (item as Template), values)
    const out: RenderedEntry = {}
    this.#fullSlots(tpl, values, state, out, scope)
    entries?.push(state)
    return out
  }

  /**
   * A list against the one the client has. While every key stays at its
   * position (the common case: rows edited in place) the previous index and
   * entries are kept as they are; a new index is built only from the first
   * key that moved, was added or removed.
   */
  #patchList(
    tpl: Compiled,
    keys: readonly unknown[] | null,
    items: readonly unknown[],
    prev: ListState,
    k: Keyed,
    scope: Scope,
  ): Result {
    const valuesOf = tpl === WRAPPED ? wrap : templateValues
    const keyAt = (i: number): unknown => (keys === null ? i : keys[i])
    let changed = items.length !== prev.entries.length
    // undefined while the first i keys are the previous ones, in order
    let index: Map<unknown, number> | undefined
    let entries: NodeState[] | undefined
    if (changed) {
      index = new Map()
      entries = []
    }
    for (let i = 0; i < items.length; i++) {
      const key = keyAt(i)
      const old = prev.index.get(key)
      if (index === undefined && old !== i) {
        index = new Map()
        entries = []
        for (let j = 0; j < i; j++) {
          index.set(keyAt(j), j)
          entries.push(prev.entries[j] as NodeState)
        }
      }
      if (index !== undefined) {
        if (index.has(key)) throw duplicateKey(key)
        index.set(key, i)
      }
      const item = items[i]
      const entry = old === undefined ? undefined : prev.entries[old]
      if (old === undefined || entry === undefined) {
        k[i] = this.#fullEntry(tpl, item, valuesOf(item), entries ?? null, scope)
        changed = true
        continue
      }
      entries?.push(entry)
      const out: RenderedEntry = {}
      const entryChanged =
        !(tpl !== WRAPPED && entry.template === item) &&
        this.#patchSlots(tpl, valuesOf(item), entry, out, scope)
      if (tpl !== WRAPPED) entry.template = item as Template
      if (old !== i) {
        k[i] = entryChanged ? [old, out] : old
        k.km = true
        changed = true
      } else if (entryChanged) {
        k[i] = out
        changed = true
      }
    }
    const next =
      index === undefined || entries === undefined ? prev : new ListState(tpl, index, entries)
    return [changed ? { k } : undefined, next]
  }

  #stream(stream: StreamList, prev: SlotState | undefined, scope: Scope): Result {
    const { items } = stream
    const hasOps = items.length > 0 || stream.deletes.length > 0 || stream.reset
    const known = prev instanceof StreamState ? prev.tpl : undefined
    const tpl = items.length > 0 ? entryTemplate(items) : (known ?? NO_ENTRY)
    if (!hasOps && (known !== undefined || prev === '')) return [undefined, prev ?? '']
    if (!hasOps) return ['', '']
    const valuesOf = tpl === WRAPPED ? wrap : templateValues
    const k: Keyed = { kc: items.length }
    const statics = known === tpl ? undefined : scope.statics(tpl)
    for (let i = 0; i < items.length; i++) {
      // stream entries are always complete and never remembered
      k[i] = this.#fullEntry(tpl, items[i], valuesOf(items[i]), null, scope)
    }
    const inserts = stream.inserts.map(
      ({ domId, at, limit, updateOnly }) =>
        [domId, at, limit, updateOnly] as [string, number, number | null, boolean | null],
    )
    const wire: StreamWire = stream.reset
      ? [stream.ref, inserts, [...stream.deletes], true]
      : [stream.ref, inserts, [...stream.deletes]]
    const out: RenderedComprehension =
      statics === undefined ? { k, stream: wire } : { s: statics, k, stream: wire }
    return [out, new StreamState(tpl)]
  }

  #nested(call: LiveRenderCall): Template {
    if (this.#resolveNested === undefined) {
      throw new CinderError(
        'CINDER_ERR_LIVE_BAD_VALUE',
        `a template placed liveRender(${call.view.name}), but this renderer does not run nested LiveViews`,
      )
    }
    return this.#resolveNested(call)
  }

  // ---- live components ----------------------------------------------------

  #component(call: LiveComponentCall, prev: SlotState | undefined): Result {
    if (this.#resolve === undefined) {
      throw new CinderError(
        'CINDER_ERR_LIVE_COMPONENT',
        `a template placed liveComponent(...) with id ${describe(call.props.id)}, but the renderer has no resolveComponent option`,
      )
    }
    const { cid, template } = this.#resolve(call)
    if (template === undefined) {
      if (this.#components?.has(cid) !== true || this.#stale?.has(cid) === true) {
        throw new CinderError(
          'CINDER_ERR_LIVE_COMPONENT',
          `resolveComponent gave no template for cid ${cid}, which the client does not have`,
        )
      }
    } else {
      this.#queue(cid, template)
    }
    return [prev === cid ? undefined : cid, cid]
  }

  #queue(cid: number, template: Template): void {
    if (!Number.isSafeInteger(cid) || cid < 1) {
      throw new CinderError(
        'CINDER_ERR_LIVE_COMPONENT',
        `a component cid must be an integer from 1, got ${describe(cid)}`,
      )
    }
    if (!isTemplate(template)) {
      throw new CinderError(
        'CINDER_ERR_LIVE_COMPONENT',
        `component ${cid} must render an html\`…\` template, got ${describe(template)}`,
      )
    }
    this.#pending ??= new Map()
    this.#pending.set(cid, template)
  }

  /** Renders queued components (and those they place) into `diff.c`. */
  #flushComponents(diff: Diff): void {
    const pending = this.#pending
    if (pending === undefined || pending.size === 0) return
    const c: Record<number, RenderedComponent> = {}
    let any = false
    // statics sent complete in this diff, by fingerprint: later twins point at them
    const sentHere = new Map<Compiled, number>()
    const done = new Set<number>()
    while (pending.size > 0) {
      const [cid, template] = pending.entries().next().value as [number, Template]
      pending.delete(cid)
      if (done.has(cid)) {
        throw new CinderError(
          'CINDER_ERR_LIVE_COMPONENT',
          `component ${cid} was rendered twice in one diff`,
        )
      }
      done.add(cid)
      const out = this.#renderComponent(cid, template, sentHere)
      if (out !== undefined) {
        c[cid] = out
        any = true
      }
    }
    if (any) diff.c = c
  }

  #renderComponent(
    cid: number,
    template: Template,
    sentHere: Map<Compiled, number>,
  ): RenderedComponent | undefined {
    const tpl = compile(template.strings)
    if (!tpl.singleRoot) {
      throw new CinderError(
        'CINDER_ERR_LIVE_COMPONENT',
        `component ${cid} must render exactly one root element (the client adds data-phx-component to it), got ${describe(tpl.statics.join('…'))}`,
      )
    }
    const scope = new Scope(this.#share)
    const prev = this.#components?.get(cid)
    if (prev !== undefined && prev.tpl === tpl && this.#stale?.has(cid) !== true) {
      if (prev.template === template) return undefined
      const out: RenderedComponent = {}
      const changed = this.#patchSlots(tpl, template.values, prev, out, scope)
      prev.template = template
      if (!changed) return undefined
      scope.attachTo(out)
      return out
    }
    const state = new NodeState(tpl, template, template.values)
    const out: RenderedComponent = {}
    this.#fullSlots(tpl, template.values, state, out, scope)
    // The root statics stay literal (never a "p" index) so that a twin sharing
    // them through "s": cid gets an array, whatever its own "p" holds.
    const twin = sentHere.get(tpl) ?? this.#cachedTwin(tpl, cid)
    out.s = twin ?? tpl.statics
    out.r = 1
    scope.attachTo(out)
    if (twin === undefined) sentHere.set(tpl, cid)
    this.#components ??= new Map()
    this.#components.set(cid, state)
    this.#stale?.delete(cid)
    return out
  }

  /** A component the client still holds with these statics: `"s": -cid`. */
  #cachedTwin(tpl: Compiled, except: number): number | undefined {
    if (this.#components === undefined) return undefined
    for (const [cid, state] of this.#components) {
      if (cid !== except && state.tpl === tpl && this.#stale?.has(cid) !== true) return -cid
    }
    return undefined
  }
}
