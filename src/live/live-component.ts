/**
 * Stateful live components, as Phoenix.LiveComponent: a piece of a LiveView
 * with its own assigns and events, running in the view's process.
 *
 * ```ts
 * const Likes: LiveComponent<{ likes: number }> = {
 *   name: 'Likes',
 *   mount: (socket) => socket.assign({ likes: 0 }),
 *   handleEvent(event, _value, socket) {
 *     if (event === 'like') socket.update('likes', (n) => n + 1)
 *   },
 *   render: ({ likes, myself }) =>
 *     html`<button phx-click="like" phx-target=${myself}>♥ ${likes}</button>`,
 * }
 * // in the view's render: ${liveComponent(Likes, { id: `likes-${post.id}` })}
 * ```
 *
 * An instance is identified by its definition and `props.id`; the first time
 * a render places it, it gets a cid (from 1, never reused in a view) and
 * `mount` runs, then `update(props)` (by default: assign the props) every
 * time the parent renders it. It renders again only when its assigns
 * changed. Events whose `phx-target` is its `myself` (the cid) go to its
 * `handleEvent`; `socket.sendUpdate(Component, id, props)` runs its `update`
 * from anywhere in the view. When the browser removes it from the page
 * (`cids_destroyed`) its state is dropped; placed again, it mounts afresh.
 *
 * `mount` and `update` run inside the render, so they are synchronous;
 * `handleEvent` may be async. What a component pushes (`pushEvent`,
 * `pushPatch`, `putFlash`…) goes out with its view's reply.
 */
import { CinderError, describe } from '../errors.ts'
import type { MaybePromise } from '../process/behaviour.ts'
import { type AsyncOutcome, cancelAllAsync } from './async.ts'
import type { LiveComponentCall, ResolvedComponent } from './component.ts'
import type { LiveRenderer } from './diff.ts'
import { isTemplate, type Template } from './html.ts'
import {
  type ComponentUpdate,
  type EventResult,
  type EventValue,
  kLive,
  type LiveAssigns,
  type LiveResult,
  LiveSocket,
  settle,
} from './live-view.ts'

/** Assigns every live component has: its `id` and `myself` (its cid, for `phx-target`). */
export interface ComponentAssigns {
  readonly id: string | number
  readonly myself: number
}

/** The behaviour of a live component: only `render` is required. */
export interface LiveComponent<A extends object = Record<string, unknown>> {
  /** For error messages and logs. */
  readonly name?: string
  /** Once per instance, before the first `update`. Synchronous. */
  mount?(socket: LiveSocket<A>): LiveResult<A>
  /** Each time the parent renders it, with the props it was placed with. Default: assign them. */
  update?(props: Readonly<Record<string, unknown>>, socket: LiveSocket<A>): LiveResult<A>
  /** An event whose `phx-target` is this component. */
  handleEvent?(
    event: string,
    value: EventValue,
    socket: LiveSocket<A>,
  ): MaybePromise<EventResult<A>>
  /** A `socket.startAsync(name, fn)` task of this component ended. */
  handleAsync?(
    name: string,
    outcome: AsyncOutcome,
    socket: LiveSocket<A>,
  ): MaybePromise<LiveResult<A>>
  /** One root element (the client marks it with `data-phx-component`). */
  render(assigns: Readonly<A & ComponentAssigns & LiveAssigns>): Template
}

/** A `LiveComponent` of any assigns (what the runtime stores). */
// biome-ignore lint/suspicious/noExplicitAny: definitions of every assigns shape share one table
export type AnyComponent = LiveComponent<any>

interface Instance {
  readonly cid: number
  readonly id: string | number
  readonly definition: AnyComponent
  readonly socket: LiveSocket<object>
  /** Set by `sendUpdate` or an event: render in the next diff even if the parent does not. */
  dirty: boolean
}

/** Thrown-at-once messages name the component: `Likes(likes-1)`. */
function nameOf(instance: Pick<Instance, 'definition' | 'id'>): string {
  return `${instance.definition.name ?? 'LiveComponent'}(${String(instance.id)})`
}

/** The live components of one view (one process, or one dead render). */
export class LiveComponents {
  readonly #parent: LiveSocket<object>
  readonly #renderer: LiveRenderer | undefined
  readonly #byCid = new Map<number, Instance>()
  readonly #byDefinition = new Map<AnyComponent, Map<string | number, Instance>>()
  #nextCid = 1

  /** `renderer` is the view's (connected), or undefined for the dead render. */
  constructor(parent: LiveSocket<object>, renderer: LiveRenderer | undefined) {
    this.#parent = parent
    this.#renderer = renderer
  }

  /** The renderer's `resolveComponent`: mounts or updates the instance, renders it if needed. */
  resolve(call: LiveComponentCall): ResolvedComponent {
    const definition = checkDefinition(call.component)
    const { id } = call.props
    const instance = this.#byDefinition.get(definition)?.get(id) ?? this.#mount(definition, id)
    this.#update(instance, call.props)
    const current = this.#renderer?.hasComponent(instance.cid) === true
    if (current && !instance.dirty && !instance.socket.changed()) return { cid: instance.cid }
    return { cid: instance.cid, template: this.#render(instance) }
  }

  /** The instance with `cid`, if the view still has it. */
  get(cid: number): Instance | undefined {
    return this.#byCid.get(cid)
  }

  /** Runs an event targeted at `cid`; returns the hook reply, if any. */
  async handleEvent(instance: Instance, event: string, value: EventValue): Promise<unknown> {
    const { definition, socket } = instance
    if (definition.handleEvent === undefined) {
      throw new CinderError(
        'CINDER_ERR_LIVE_NO_HANDLER',
        `${nameOf(instance)} received the event ${describe(event)} but has no handleEvent`,
      )
    }
    const result = await definition.handleEvent.call(definition, event, value, socket)
    const { reply } = settle(
      `${nameOf(instance)}.handleEvent(${describe(event)})`,
      result,
      socket,
      true,
    )
    this.#forward(instance)
    if (socket.changed()) instance.dirty = true
    return reply
  }

  /** The instance whose socket is `socket` (an async task's outcome finds its component so). */
  bySocket(socket: LiveSocket<object>): Instance | undefined {
    for (const instance of this.#byCid.values()) if (instance.socket === socket) return instance
    return undefined
  }

  /** An async outcome for `instance`: run its `handleAsync` if it was a `startAsync`, then render it. */
  async settleAsync(
    instance: Instance,
    started: { readonly name: string; readonly outcome: AsyncOutcome } | undefined,
  ): Promise<void> {
    const { definition, socket } = instance
    if (started !== undefined) {
      if (definition.handleAsync === undefined) {
        throw new CinderError(
          'CINDER_ERR_LIVE_NO_HANDLER',
          `${nameOf(instance)} started the task ${describe(started.name)} but has no handleAsync`,
        )
      }
      const result = await definition.handleAsync.call(
        definition,
        started.name,
        started.outcome,
        socket,
      )
      settle(`${nameOf(instance)}.handleAsync`, result, socket, false)
    }
    this.#forward(instance)
    if (socket.changed()) instance.dirty = true
  }

  /** Something outside an event changed `socket` (an upload's progress): render it in the next diff. */
  touch(socket: LiveSocket<object>): void {
    if (socket === this.#parent) return
    const instance = this.bySocket(socket)
    if (instance !== undefined && socket.changed()) instance.dirty = true
  }

  /** The sockets of the components on the page (their uploads are released with the view). */
  sockets(): LiveSocket<object>[] {
    return [...this.#byCid.values()].map((instance) => instance.socket)
  }

  /** The view stops: abort the components' async tasks. */
  stop(): void {
    for (const instance of this.#byCid.values()) cancelAllAsync(instance.socket)
  }

  /** `sendUpdate`: runs the instance's `update`; false when no such instance is on the page. */
  sendUpdate(update: ComponentUpdate): boolean {
    const instance = this.#byDefinition.get(update.component as AnyComponent)?.get(update.id)
    if (instance === undefined) return false
    this.#update(instance, update.props)
    if (instance.socket.changed()) instance.dirty = true
    return true
  }

  /** Components changed outside a render of their parent (events, sendUpdate), rendered. */
  takeDirty(): Array<[number, Template]> {
    const out: Array<[number, Template]> = []
    for (const instance of this.#byCid.values()) {
      if (instance.dirty) out.push([instance.cid, this.#render(instance)])
    }
    return out
  }

  /** The browser removed `cid` from the page (`cids_destroyed`): forget it. */
  delete(cid: number): void {
    const instance = this.#byCid.get(cid)
    if (instance === undefined) return
    this.#byCid.delete(cid)
    cancelAllAsync(instance.socket)
    const siblings = this.#byDefinition.get(instance.definition)
    siblings?.delete(instance.id)
    if (siblings?.size === 0) this.#byDefinition.delete(instance.definition)
  }

  #mount(definition: AnyComponent, id: string | number): Instance {
    const parent = this.#parent
    const host = parent[kLive].host
    const socket = new LiveSocket<object>({
      id: parent.id,
      view: parent.view,
      connected: parent.connected,
      uri: parent.uri,
      connectParams: parent.connectParams,
      ...(host === undefined ? {} : { host }),
    })
    const cid = this.#nextCid++
    socket.assign({ id, myself: cid })
    const instance: Instance = { cid, id, definition, socket, dirty: false }
    if (definition.mount !== undefined) {
      const result = definition.mount.call(definition, socket)
      settle(`${nameOf(instance)}.mount`, synchronous(result, instance, 'mount'), socket, false)
    }
    this.#byCid.set(cid, instance)
    let siblings = this.#byDefinition.get(definition)
    if (siblings === undefined) {
      siblings = new Map()
      this.#byDefinition.set(definition, siblings)
    }
    siblings.set(id, instance)
    return instance
  }

  #update(instance: Instance, props: Readonly<Record<string, unknown>>): void {
    const { definition, socket } = instance
    if (definition.update === undefined) socket.assign(props)
    else {
      const result = definition.update.call(definition, props, socket)
      settle(`${nameOf(instance)}.update`, synchronous(result, instance, 'update'), socket, false)
    }
    this.#forward(instance)
  }

  #render(instance: Instance): Template {
    const { definition, socket } = instance
    const template = definition.render.call(definition, socket.assigns as never)
    if (!isTemplate(template)) {
      throw new CinderError(
        'CINDER_ERR_BAD_RETURN',
        `${nameOf(instance)}.render must return an html\`…\` template, got: ${describe(template)}`,
      )
    }
    socket[kLive].changed.clear()
    instance.dirty = false
    return template
  }

  /** What a component asked of the page (events, navigation, flash) goes out with its view. */
  #forward(instance: Instance): void {
    const from = instance.socket[kLive]
    const parent = this.#parent
    const to = parent[kLive]
    if (from.events.length > 0) {
      to.events.push(...from.events)
      from.events = []
    }
    if (from.navigation !== undefined) {
      to.navigation = from.navigation
      from.navigation = undefined
    }
    if (from.flashChanged) {
      for (const [kind, message] of Object.entries(instance.socket.assigns.flash)) {
        parent.putFlash(kind, message)
      }
      instance.socket.clearFlash()
      from.flashChanged = false
      from.changed.delete('flash')
    }
  }
}

function checkDefinition(component: unknown): AnyComponent {
  if (typeof (component as AnyComponent | null)?.render !== 'function') {
    throw new CinderError(
      'CINDER_ERR_LIVE_COMPONENT',
      `liveComponent(component, props) needs a component with render(assigns), got: ${describe(component)}`,
    )
  }
  return component as AnyComponent
}

function synchronous<T>(result: T, instance: Instance, callback: string): T {
  if (typeof (result as Promise<unknown> | null)?.then === 'function') {
    throw new CinderError(
      'CINDER_ERR_LIVE_COMPONENT',
      `${nameOf(instance)}.${callback} returned a promise: mount and update run inside the render and must be synchronous (load data in the view, or in handleEvent)`,
    )
  }
  return result
}
