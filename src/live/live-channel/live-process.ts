/**
 * One mounted view, as the live channel keeps it: the view, its socket, its
 * renderer, and its live components and nested views once a render places
 * any. Every mounted view keeps one, so it holds fields, not closures, beyond
 * the renderer's two resolvers.
 */
import { CinderError, describe } from '../../errors.ts'
import type { Ref } from '../../process/pid.ts'
import { liveRender } from '../../telemetry/index.ts'
import { cancelAllAsync } from '../async.ts'
import { LiveRenderer } from '../diff.ts'
import { isTemplate, type Template } from '../html.ts'
import { LiveComponents } from '../live-component.ts'
import type { LiveRouteEntry } from '../live-route.ts'
import type { LiveTokens } from '../live-session.ts'
import { kLive, type LiveSocket, type LiveView, type Navigation } from '../live-view.ts'
import { type LiveRenderCall, NestedContainers } from '../nested.ts'
import type { Diff } from '../rendered.ts'
import type { SnapshotOwner } from '../snapshots.ts'

/** One mounted view, keyed by its channel socket. */
export class LiveProcess {
  readonly view: LiveView<object>
  readonly socket: LiveSocket<object>
  readonly entry: LiveRouteEntry | undefined
  readonly renderer: LiveRenderer
  readonly name: string
  // Created when a render first places a live component: most views have none.
  #components: LiveComponents | undefined

  /** For a routed view that persists: what its snapshot is bound to (snapshots.ts). */
  owner: SnapshotOwner | undefined
  /** For a nested view: the monitor of its parent's process (it stops with it). */
  parentMonitor: Ref | undefined
  readonly #tokens: LiveTokens
  #children: NestedContainers | undefined

  constructor(
    view: LiveView<object>,
    socket: LiveSocket<object>,
    entry: LiveRouteEntry | undefined,
    tokens: LiveTokens,
  ) {
    this.view = view
    this.socket = socket
    this.entry = entry
    this.#tokens = tokens
    this.name = view.name ?? `LiveView(${entry?.pattern ?? '?'})`
    this.renderer = new LiveRenderer({
      resolveComponent: (call) => this.components.resolve(call),
      resolveNested: (call) => this.#nested(call),
    })
  }

  #nested(call: LiveRenderCall): Template {
    this.#children ??= new NestedContainers(this.socket.id, this.#tokens)
    return this.#children.resolve(call)
  }

  get components(): LiveComponents {
    this.#components ??= new LiveComponents(this.socket, this.renderer)
    return this.#components
  }

  /** The live components, if any was ever placed. */
  get componentsIfAny(): LiveComponents | undefined {
    return this.#components
  }

  /**
   * Renders what changed (or the whole view the first time), with the queued
   * events and `reply`; as the `cinder:live:render` span when anyone listens.
   */
  render(replyValue?: unknown): Diff {
    if (!liveRender.hasSubscribers) return this.#render(replyValue)
    return liveRender.trace(
      { view: this.name, id: this.socket.id },
      () => this.#render(replyValue),
      (ctx, diff) => {
        ctx.diffBytes = Buffer.byteLength(JSON.stringify(diff))
      },
    )
  }

  #render(replyValue: unknown): Diff {
    const live = this.socket[kLive]
    let streamsPending = false
    for (const stream of live.streams?.values() ?? []) streamsPending ||= stream.hasPending
    const extras = {
      events: live.events,
      ...(replyValue === undefined ? {} : { reply: replyValue }),
    }
    const componentUpdates = this.#components?.takeDirty() ?? []
    let diff: Diff
    if (this.renderer.isFresh || live.changed.size > 0 || streamsPending) {
      const template = this.view.render(this.socket.assigns)
      if (!isTemplate(template)) {
        throw new CinderError(
          'CINDER_ERR_BAD_RETURN',
          `${this.name}.render must return an html\`…\` template, got: ${describe(template)}`,
        )
      }
      const title = (this.socket.assigns as { pageTitle?: unknown }).pageTitle
      diff = this.renderer.render(
        template,
        { ...extras, ...(typeof title === 'string' ? { title } : {}) },
        componentUpdates,
      )
    } else {
      diff = this.renderer.renderComponents(componentUpdates, extras)
    }
    if (live.changed.size > 0) live.changed.clear()
    if (live.events.length > 0) live.events = []
    for (const stream of live.streams?.values() ?? []) stream.prune()
    return diff
  }

  takeNavigation(): Navigation | undefined {
    const live = this.socket[kLive]
    const navigation = live.navigation
    live.navigation = undefined
    return navigation
  }

  /** The view stops: its timers, subscriptions and async tasks (its components' too) end. */
  stopTimers(): void {
    const live = this.socket[kLive]
    cancelAllAsync(this.socket)
    this.#components?.stop()
    for (const timer of live.timers ?? []) clearTimeout(timer)
    live.timers?.clear()
    if (live.host !== undefined) {
      for (const [topic, subscriber] of live.subscriptions ?? []) {
        live.host.unsubscribe(topic, subscriber)
      }
    }
    live.subscriptions?.clear()
  }
}
