/**
 * The LiveView behaviour and its socket.
 *
 * A LiveView is an object with callbacks. It renders twice per visit: once
 * for the HTTP request (the "dead render": `mount`, `handleParams`, `render`,
 * plain HTML), then again in a process of its own when the browser joins over
 * the `/live` socket, where it stays to handle events and messages:
 *
 * ```ts
 * const Counter: LiveView<{ count: number }> = {
 *   name: 'Counter',
 *   mount(_params, _session, socket) {
 *     socket.assign({ count: 0, pageTitle: 'Counter' })
 *   },
 *   handleEvent(event, _value, socket) {
 *     if (event === 'inc') socket.update('count', (n) => n + 1)
 *   },
 *   render: ({ count }) => html`<span id="count">${count}</span>
 *     <button id="inc" phx-click="inc">+</button>`,
 * }
 * ```
 *
 * Callbacks change the socket (`assign`, `update`, `putFlash`, `pushEvent`,
 * `pushPatch`…) and return nothing, the socket, `noreply(socket)`, or, from
 * `handleEvent`, `reply(value, socket)` to answer a hook's `pushEvent`. Only
 * assigns that changed cause a render, and the diff carries only the
 * template slots whose value changed.
 *
 * A callback that throws crashes the view's process alone: the page shows
 * `phx-error` and the client mounts the view again.
 */
import { CinderError, describe } from '../errors.ts'
import type { Params } from '../http/query.ts'
import type { MaybePromise } from '../process/behaviour.ts'
import { type AsyncOutcome, type AsyncTask, assignAsync, cancelAsync, startAsync } from './async.ts'
import type { AsyncResult } from './async-result.ts'
import {
  type AttachedHook,
  attachHook,
  detachHook,
  type HookStage,
  type HookStages,
  type OnMount,
} from './hooks.ts'
import type { Template } from './html.ts'
import type { Flash } from './live-session.ts'
import type { PushedEvent } from './rendered.ts'
import { LiveStream } from './stream.ts'
import type { UploadConfig } from './uploads/upload-config.ts'
import type { UploadRegistry } from './uploads/upload-registry.ts'

/** The HTTP session as the dead render saw it (JSON data). */
export type LiveSessionData = Readonly<Record<string, unknown>>

/**
 * What an event carries: the decoded form (`{user: {name: 'Jo'}, _target: ['user', 'name']}`),
 * the `phx-value-*` attributes plus `value` for clicks, `{key}` for keys, or a hook's payload.
 */
export type EventValue = Record<string, unknown>

/** What a callback may return: nothing, the socket, or `noreply(socket)`. */
// biome-ignore lint/suspicious/noConfusingVoidType: a callback may simply not return
export type LiveResult<A extends object> = LiveSocket<A> | undefined | void | LiveOutcome<A>
/** What `handleEvent` may return: also `reply(value, socket)`, answering a hook's `pushEvent`. */
export type EventResult<A extends object> = LiveResult<A>

/** `noreply(socket)` or `reply(value, socket)` from the process API. */
export interface LiveOutcome<A extends object> {
  readonly kind: 'reply' | 'noreply' | 'stop'
  readonly state: LiveSocket<A>
}

/** Assigns every LiveView has besides its own. */
export interface LiveAssigns {
  /** The flash messages (`putFlash`), as Phoenix's `@flash`. */
  readonly flash: Readonly<Flash>
  /** The route's `action` option, as Phoenix's `@live_action`. */
  readonly liveAction: string | undefined
}

/**
 * The behaviour: only `render` is required. `A` is the shape of the view's own assigns;
 * `S`, of what it persists across a deploy (`persist` / `restore`).
 */
export interface LiveView<A extends object = Record<string, unknown>, S = unknown> {
  /** A unique name: it identifies the view in its session token and in logs. */
  readonly name?: string
  /**
   * Sets the initial state, twice: for the HTTP request (`socket.connected`
   * false) and when the browser joins (true). Subscribe, start timers and do
   * expensive work only when connected.
   */
  mount?(
    params: Params,
    session: LiveSessionData,
    socket: LiveSocket<A>,
  ): MaybePromise<LiveResult<A>>
  /** Runs after `mount`, and again after each live patch, with the URL's params. */
  handleParams?(params: Params, uri: string, socket: LiveSocket<A>): MaybePromise<LiveResult<A>>
  /** A `phx-*` binding fired in the browser (`phx-click="inc"` → `event` is `'inc'`). */
  handleEvent?(
    event: string,
    value: EventValue,
    socket: LiveSocket<A>,
  ): MaybePromise<EventResult<A>>
  /** Any other message: PubSub broadcasts (`socket.subscribe`), `socket.sendSelf`, timers. */
  handleInfo?(message: unknown, socket: LiveSocket<A>): MaybePromise<LiveResult<A>>
  /** A `socket.startAsync(name, fn)` task ended: its value (`ok: true`) or why it failed. */
  handleAsync?(
    name: string,
    outcome: AsyncOutcome,
    socket: LiveSocket<A>,
  ): MaybePromise<LiveResult<A>>
  /** Hooks run before `mount`, after those of the live_session (see hooks.ts). */
  readonly onMount?: readonly OnMount<A>[]
  /** The page, from the assigns: an `html` template. Keep it pure. */
  render(assigns: Readonly<A & LiveAssigns>): Template
  /** Runs once when the process stops (leave, navigation, socket closed, crash). */
  terminate?(reason: unknown, socket: LiveSocket<A>): MaybePromise<void>
  /**
   * What of the view outlives its process, when the node drains (deploy, SIGTERM) or the
   * client's connection drops: JSON data, at most `snapshots.maxBytes` (64 KiB) of it, or
   * undefined to keep nothing. Defined together with `restore` (docs/durability.md).
   */
  persist?(assigns: Readonly<A & LiveAssigns>): S | undefined
  /**
   * The client rejoined (on any node) and `persist` left a snapshot: runs after `mount`
   * (and its hooks), before `handleParams`, to put the saved state back.
   */
  restore?(saved: S, socket: LiveSocket<A>): MaybePromise<LiveResult<A>>
  /**
   * The shape of what `persist` returns: a snapshot of another version is dropped and the
   * view mounts afresh. Change it when `S` changes. Default 1.
   */
  readonly persistVersion?: string | number
}

/** Where `pushPatch`, `pushNavigate` and `redirect` send the browser. */
export type Navigation =
  | { readonly kind: 'patch'; readonly to: string; readonly replace: boolean }
  | { readonly kind: 'navigate'; readonly to: string; readonly replace: boolean }
  | { readonly kind: 'redirect'; readonly to: string; readonly external: boolean }

/** What a connected socket needs from the process it runs in (internal). */
export interface LiveHost {
  /** Delivers a message to the view's `handleInfo`, in order with the rest. */
  deliver(message: unknown): void
  subscribe(topic: string, subscriber: (message: unknown) => void): void
  unsubscribe(topic: string, subscriber: (message: unknown) => void): void
  broadcast(topic: string, message: unknown): void
  /** Where this connection's upload channels put their bytes. */
  readonly uploads?: UploadRegistry
}

/** @internal Runtime state of a LiveSocket, under a key the package does not export. */
export const kLive: unique symbol = Symbol('cinder.live.socket')

/** @internal */
export interface LiveInternals {
  changed: Set<string>
  events: PushedEvent[]
  navigation: Navigation | undefined
  flashChanged: boolean
  // The three below are created on first use: most views have none, and
  // every mounted view keeps its socket for as long as it lives.
  streams: Map<string, LiveStream<unknown>> | undefined
  subscriptions: Map<string, (message: unknown) => void> | undefined
  timers: Set<ReturnType<typeof setTimeout>> | undefined
  uploads: Map<string, UploadConfig> | undefined
  /** Async tasks and attached hooks: rarely used, so one field, created on first use. */
  ext: LiveExtras | undefined
  host: LiveHost | undefined
}

/** @internal */
export interface LiveExtras {
  /** Running tasks by `assign:<key>` / `start:<name>`. */
  async?: Map<string, AsyncTask>
  hooks?: Map<HookStage, readonly AttachedHook[]>
}

/** The assign keys of `A` that hold an `AsyncResult`. */
export type AsyncKeys<A> = {
  [K in keyof A]: A[K] extends AsyncResult<unknown> ? K : never
}[keyof A] &
  string
/** The value type of an `AsyncResult` assign. */
export type AsyncValue<R> = R extends AsyncResult<infer T> ? T : never

export interface LiveSocketInit<A extends object> {
  readonly id: string
  readonly view: LiveView<A>
  readonly connected: boolean
  readonly uri: string | undefined
  readonly flash?: Flash
  readonly liveAction?: string | undefined
  readonly connectParams?: Readonly<Record<string, unknown>>
  /** The page's masked CSRF token (the dead render knows it from the request). */
  readonly csrfToken?: string
  readonly host?: LiveHost
}

/** The state of one LiveView (one page, one process): its assigns and what to send next. */
export class LiveSocket<A extends object = Record<string, unknown>> {
  /** The container's DOM id (the channel topic is `lv:<id>`). */
  readonly id: string
  readonly view: LiveView<A>
  /** False during the HTTP render, true in the process the browser joined. */
  readonly connected: boolean
  /** The params the client passed to `new LiveSocket(…, {params})` (connected only). */
  readonly connectParams: Readonly<Record<string, unknown>>
  /**
   * The page's masked CSRF token, for forms that post over plain HTTP
   * (`phx-trigger-action`): put it in a hidden `_csrf_token` input. The
   * dead render has it from the request; connected, the client sends it.
   */
  readonly csrfToken: string | undefined
  /** The current URL (after live patches too); undefined for a view not mounted at the router. */
  uri: string | undefined
  #assigns: A & LiveAssigns
  /** @internal */
  readonly [kLive]: LiveInternals

  constructor(init: LiveSocketInit<A>) {
    this.id = init.id
    this.view = init.view
    this.connected = init.connected
    this.uri = init.uri
    this.connectParams = init.connectParams ?? {}
    const sent = this.connectParams._csrf_token
    this.csrfToken = init.csrfToken ?? (typeof sent === 'string' ? sent : undefined)
    this.#assigns = { flash: init.flash ?? {}, liveAction: init.liveAction } as A & LiveAssigns
    this[kLive] = {
      changed: new Set(['flash', 'liveAction']),
      events: [],
      navigation: undefined,
      flashChanged: false,
      streams: undefined,
      subscriptions: undefined,
      timers: undefined,
      uploads: undefined,
      ext: undefined,
      host: init.host,
    }
  }

  /** The assigns `render` receives. Change them with `assign` / `update`. */
  get assigns(): Readonly<A & LiveAssigns> {
    return this.#assigns
  }

  /** Replaces the assigns (what the free `assign(socket, …)` does); changed keys are tracked. */
  set assigns(next: A & LiveAssigns) {
    const prev = this.#assigns as Record<string, unknown>
    const changed = this[kLive].changed
    for (const key of Object.keys(next)) {
      if (!Object.is(prev[key], (next as Record<string, unknown>)[key])) changed.add(key)
    }
    this.#assigns = next
  }

  /** Sets one assign, or several: `assign('count', 1)`, `assign({count: 1, user})`. */
  assign<K extends keyof A>(key: K, value: A[K]): this
  assign(values: Partial<A>): this
  assign(key: unknown, value?: unknown): this {
    if (typeof key === 'string') {
      this.assigns = { ...this.#assigns, [key]: value }
    } else if (typeof key === 'object' && key !== null && !Array.isArray(key)) {
      this.assigns = merged(this.#assigns, key)
    } else {
      throw new CinderError(
        'CINDER_ERR_LIVE_BAD_ARG',
        `assign expects (key, value) or ({ key: value }); got: ${describe(key)}`,
      )
    }
    return this
  }

  /** Sets an assign from its current value: `update('count', (n) => n + 1)`. */
  update<K extends keyof A>(key: K, fn: (current: A[K]) => A[K]): this {
    return this.assign(key, fn(this.#assigns[key]))
  }

  /** Sets an assign only if it is not set yet (e.g. kept from the dead render's session). */
  assignNew<K extends keyof A>(key: K, fn: () => A[K]): this {
    if (this.#assigns[key] !== undefined) return this
    return this.assign(key, fn())
  }

  /** Whether `key` changed since the last render (or anything did, without a key). */
  changed(key?: keyof A | keyof LiveAssigns): boolean {
    const { changed } = this[kLive]
    return key === undefined ? changed.size > 0 : changed.has(key as string)
  }

  /** Adds a flash message (`info`, `error`…), shown in `assigns.flash` and carried across redirects. */
  putFlash(kind: string, message: string): this {
    this.#setFlash({ ...this.#assigns.flash, [kind]: message })
    return this
  }

  /** Removes one flash message, or all of them. */
  clearFlash(kind?: string): this {
    if (kind === undefined) {
      if (Object.keys(this.#assigns.flash).length > 0) this.#setFlash({})
      return this
    }
    if (!(kind in this.#assigns.flash)) return this
    const { [kind]: _, ...rest } = this.#assigns.flash
    this.#setFlash(rest)
    return this
  }

  /**
   * Dispatches `phx:<name>` on the browser's window with `payload` as detail,
   * and to hooks' `this.handleEvent(name, …)`. `before: true` dispatches it
   * before the DOM is patched.
   */
  pushEvent(
    name: string,
    payload: Record<string, unknown> = {},
    options: { before?: boolean } = {},
  ): this {
    if (typeof name !== 'string' || name === '') {
      throw new CinderError(
        'CINDER_ERR_LIVE_BAD_ARG',
        `pushEvent expects an event name, got: ${describe(name)}`,
      )
    }
    this[kLive].events.push(options.before === true ? [name, payload, true] : [name, payload])
    return this
  }

  /** Changes the URL without a new mount: `handleParams` runs with the new params. */
  pushPatch(to: string, options: { replace?: boolean } = {}): this {
    return this.#navigate({
      kind: 'patch',
      to: checkPath(to, 'pushPatch'),
      replace: options.replace === true,
    })
  }

  /** Mounts the LiveView at `to` (in the same live_session) without reloading the page. */
  pushNavigate(to: string, options: { replace?: boolean } = {}): this {
    return this.#navigate({
      kind: 'navigate',
      to: checkPath(to, 'pushNavigate'),
      replace: options.replace === true,
    })
  }

  /** A full page load of `to` (a path), or of any URL with `{ external: url }`. The flash goes along. */
  redirect(to: string | { readonly external: string }): this {
    if (typeof to === 'object' && to !== null && typeof to.external === 'string') {
      return this.#navigate({ kind: 'redirect', to: to.external, external: true })
    }
    return this.#navigate({ kind: 'redirect', to: checkPath(to, 'redirect'), external: false })
  }

  /**
   * Receives every message broadcast on `topic` in `handleInfo`, until the
   * view stops. A no-op during the HTTP render (it has no process to deliver to).
   */
  subscribe(topic: string): this {
    const live = this[kLive]
    if (live.host === undefined || live.subscriptions?.has(topic) === true) return this
    const host = live.host
    const subscriber = (message: unknown): void => host.deliver(message)
    live.subscriptions ??= new Map()
    live.subscriptions.set(topic, subscriber)
    host.subscribe(topic, subscriber)
    return this
  }

  unsubscribe(topic: string): this {
    const live = this[kLive]
    const subscriber = live.subscriptions?.get(topic)
    if (subscriber === undefined || live.host === undefined) return this
    live.subscriptions?.delete(topic)
    live.host.unsubscribe(topic, subscriber)
    return this
  }

  /** Broadcasts `message` to every subscriber of `topic` (this view too, if subscribed). */
  broadcast(topic: string, message: unknown): this {
    this.#host('broadcast').broadcast(topic, message)
    return this
  }

  /** Sends `message` to this view's own `handleInfo`, after what is already queued. */
  sendSelf(message: unknown): this {
    this.#host('sendSelf').deliver(message)
    return this
  }

  /** Sends `message` to `handleInfo` after `ms`; returns a function that cancels it. */
  sendAfter(message: unknown, ms: number): () => void {
    const host = this.#host('sendAfter')
    const live = this[kLive]
    live.timers ??= new Set()
    const timers = live.timers
    const timer = setTimeout(() => {
      timers.delete(timer)
      host.deliver(message)
    }, ms)
    timers.add(timer)
    return () => {
      clearTimeout(timer)
      timers.delete(timer)
    }
  }

  /**
   * The stream `name` (created on first use), also put in the assigns under
   * that name for `each(stream, …)` in `render`. Items given are inserted;
   * `reset: true` empties it on the page first.
   */
  stream<T>(
    name: keyof A & string,
    items: Iterable<T> = [],
    options: {
      domId?: (item: T) => string
      reset?: boolean
      at?: number
      limit?: number | null
    } = {},
  ): LiveStream<T> {
    const live = this[kLive]
    live.streams ??= new Map()
    const streams = live.streams
    let stream = streams.get(name) as LiveStream<T> | undefined
    if (stream === undefined) {
      const domId = options.domId ?? ((item: T) => `${name}-${idOf(item, name)}`)
      stream = new LiveStream<T>(String(streams.size), { domId })
      streams.set(name, stream as LiveStream<unknown>)
      this.assign({ [name]: stream } as unknown as Partial<A>)
    }
    if (options.reset === true) stream.reset(items)
    else {
      const at = options.at ?? -1
      const limit = options.limit ?? null
      stream.insertMany(items, { at, limit })
    }
    return stream
  }

  /**
   * Runs `update(props)` of the live component `component` with `id` on this
   * page (see live-component.ts), after what is already queued; a component
   * not on the page is ignored.
   */
  sendUpdate(
    component: object,
    id: string | number,
    props: Readonly<Record<string, unknown>>,
  ): this {
    this.#host('sendUpdate').deliver(new ComponentUpdate(component, id, props))
    return this
  }

  /**
   * Loads `key` (or several keys) in the background: each becomes an
   * `AsyncResult`, loading now (keeping its last value unless `reset`), then
   * ok with what `fn` resolves to (for a list of keys: an object with each)
   * or failed with what it threw. Events keep flowing meanwhile. Runs only
   * when connected; `fn` gets an `AbortSignal`, aborted by `cancelAsync`, a
   * newer load of the same key, or the view's stop.
   */
  assignAsync<K extends AsyncKeys<A>>(
    key: K,
    fn: (signal: AbortSignal) => MaybePromise<AsyncValue<A[K]>>,
    options?: { reset?: boolean },
  ): this
  assignAsync<K extends AsyncKeys<A>>(
    keys: readonly K[],
    fn: (signal: AbortSignal) => MaybePromise<{ [P in K]: AsyncValue<A[P]> }>,
    options?: { reset?: boolean },
  ): this
  assignAsync(
    keys: string | readonly string[],
    fn: (signal: AbortSignal) => MaybePromise<unknown>,
    options: { reset?: boolean } = {},
  ): this {
    const list = typeof keys === 'string' ? [keys] : keys
    assignAsync(this as unknown as LiveSocket<object>, list, fn, options.reset === true)
    return this
  }

  /**
   * Runs `fn` in the background; the view's `handleAsync(name, outcome)`
   * gets its value or why it failed. A running task of the same name is
   * superseded. Runs only when connected.
   */
  startAsync<T>(name: string, fn: (signal: AbortSignal) => MaybePromise<T>): this {
    startAsync(this as unknown as LiveSocket<object>, name, fn)
    return this
  }

  /** Cancels the task of an assign key or a `startAsync` name (failed with `reason`). */
  cancelAsync(name: string, reason: unknown = 'cancel'): this {
    cancelAsync(this as unknown as LiveSocket<object>, name, reason)
    return this
  }

  /** Runs `fn` before the view's own callback of `stage`; `'halt'` stops there. See hooks.ts. */
  attachHook<S extends HookStage>(name: string, stage: S, fn: HookStages<A>[S]): this {
    attachHook(this as unknown as LiveSocket<object>, name, stage, fn)
    return this
  }

  detachHook(name: string, stage: HookStage): this {
    detachHook(this as unknown as LiveSocket<object>, name, stage)
    return this
  }

  #setFlash(flash: Flash): void {
    this.assigns = { ...this.#assigns, flash }
    this[kLive].flashChanged = true
  }

  #navigate(navigation: Navigation): this {
    this[kLive].navigation = navigation
    return this
  }

  #host(operation: string): LiveHost {
    const host = this[kLive].host
    if (host === undefined) {
      throw new CinderError(
        'CINDER_ERR_LIVE_NOT_CONNECTED',
        `socket.${operation}(…) needs a connected LiveView; guard it with if (socket.connected) in mount`,
      )
    }
    return host
  }
}

/** @internal A `sendUpdate` request, delivered to the view's process like any message. */
export class ComponentUpdate {
  readonly component: object
  readonly id: string | number
  readonly props: Readonly<Record<string, unknown>>
  constructor(component: object, id: string | number, props: Readonly<Record<string, unknown>>) {
    this.component = component
    this.id = id
    this.props = props
  }
}

const isEnumerable = Object.prototype.propertyIsEnumerable

/**
 * `{ ...base, ...values }`, one key at a time. In optimized code V8 gives the
 * spread of two objects a hidden class of its own per result (a map, its
 * descriptors and enum cache: about 400 bytes kept by every mounted view),
 * while `{ ...o, [key]: value }` stays on shared transitions. Same result:
 * own enumerable keys in order, defined (not set), getters read once.
 */
function merged<T extends object>(base: T, values: object): T {
  let next = base
  for (const key of Reflect.ownKeys(values)) {
    if (isEnumerable.call(values, key)) {
      next = { ...next, [key]: (values as Record<PropertyKey, unknown>)[key] }
    }
  }
  return next === base ? { ...base } : next
}

function idOf(item: unknown, name: string): string {
  const id = (item as { id?: unknown } | null)?.id
  if (typeof id === 'string' || typeof id === 'number') return String(id)
  throw new CinderError(
    'CINDER_ERR_LIVE_BAD_ARG',
    `stream ${describe(name)} needs items with an id, or a domId option; got: ${describe(item)}`,
  )
}

function checkPath(to: unknown, operation: string): string {
  if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//')) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `${operation} expects a path within this site such as '/users?page=2', got: ${describe(to)}`,
    )
  }
  return to
}

export { type Settled, settle } from './settle.ts'
