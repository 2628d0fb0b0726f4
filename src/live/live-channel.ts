/**
 * The live channel: the `lv:*` topics of the `/live` socket. Each join is a
 * LiveView's process, so a view's callbacks run one at a time and a crash
 * stops that view alone (`phx_error`; the client shows `phx-error` and
 * joins again, which mounts afresh).
 *
 * How this works (protocol notes §2, §4, §5):
 * - join: verify `session` (and `static`) against the topic, route `url`
 *   (or `redirect`, for live navigation) to a live route allowed by the
 *   token, mount, run `handleParams`, reply `{rendered, liveview_version}`.
 *   A token that does not verify answers `stale` (the client reloads the
 *   page, whose new tokens verify); a route the token does not allow answers
 *   `unauthorized` (the client loads the URL).
 * - `event`: decode, run `handleEvent`, reply `{}` or `{diff}` (a hook reply
 *   rides in the diff's `"r"`). `live_patch`: run `handleParams`, or answer
 *   `link_redirect` when another view serves the URL.
 * - messages (`sendSelf`, timers, PubSub): `handleInfo`, then a `diff` push.
 * - after each callback: `pushPatch` pushes `live_patch` before the reply;
 *   `pushNavigate` and `redirect` reply (or push) `live_redirect` /
 *   `redirect` and stop the view (`phx_close`).
 */
import type { Channel } from '../channel/channel.ts'
import { type ChannelSocket, type Payload, push } from '../channel/channel-socket.ts'
import { error, ok } from '../channel/results.ts'
import { CinderError, describe } from '../errors.ts'
import type { Params } from '../http/query.ts'
import type { Router } from '../http/router/router.ts'
import {
  type DownMessage,
  type NoReply,
  noreply,
  type Reply,
  reply,
  type Stop,
  stop,
} from '../process/behaviour.ts'
import type { Pid, Ref } from '../process/pid.ts'
import { currentPid, monitor } from '../process/process.ts'
import { flashToken } from './flash.ts'
import { hostOf } from './live-channel/channel-host.ts'
import { LiveProcess } from './live-channel/live-process.ts'
import type { LiveConfig } from './live-config.ts'
import { decodeEvent } from './live-event.ts'
import { type ResolvedRoute, resolveLiveRoute, viewKey } from './live-route.ts'
import { isRecord, type SessionClaims } from './live-session.ts'
import {
  ComponentUpdate,
  type EventValue,
  kLive,
  LiveSocket,
  type LiveView,
  type Navigation,
  settle,
} from './live-view.ts'
import { navigationEvent, navigationPayload } from './navigation.ts'
import { nestedView } from './nested.ts'
import { type Diff, isEmptyDiff } from './rendered.ts'
import {
  diffField,
  putUploadEntries,
  releaseUploads,
  uploadByRef,
  uploadProgress,
} from './uploads/live-uploads.ts'
import { slotKey } from './uploads/upload-registry.ts'
import { publish } from './uploads/uploads.ts'

/** The client version this server speaks (the client only warns on a mismatch). */
export const LIVEVIEW_VERSION = '1.2.12'
/** Set on a connection whose CSRF token did not match its session: every join is stale. */
export const STALE_CONNECTION = 'cinderLiveStale'
type LvSocket = ChannelSocket<Record<string, unknown>>

/** How many `pushPatch` in a row one callback chain may make before it is a loop. */
const MAX_PATCHES = 20

type Outcome = Reply<LvSocket> | NoReply<LvSocket> | Stop<LvSocket>

/** Builds the `lv:*` channel for one configuration and router. */
export function liveChannel(config: LiveConfig, router: Router): Channel<Record<string, unknown>> {
  const processes = new WeakMap<LvSocket, LiveProcess>()

  const resolve = (url: URL): ResolvedRoute | undefined => resolveLiveRoute(router, url)

  /** May a view with this token be mounted at this route? */
  const allowed = (claims: SessionClaims, route: ResolvedRoute, navigating: boolean): boolean => {
    const { entry } = route
    if (claims.liveSession !== null && entry.liveSession === claims.liveSession) return true
    return !navigating && viewKey(entry.view, entry.pattern) === claims.view
  }

  /** Runs `handleParams` (when routed), then follows `pushPatch`es; returns the last patch. */
  const runParams = async (
    proc: LiveProcess,
    route: ResolvedRoute,
  ): Promise<{ patch: Navigation | undefined; other: Navigation | undefined }> => {
    let current = route
    let patch: Navigation | undefined
    for (let i = 0; i <= MAX_PATCHES; i++) {
      proc.socket.uri = current.uri.href
      const { handleParams } = proc.view
      if (handleParams !== undefined) {
        const result = await handleParams.call(
          proc.view,
          current.params,
          current.uri.href,
          proc.socket,
        )
        settle(`${proc.name}.handleParams`, result, proc.socket, false)
      }
      const next = proc.takeNavigation()
      if (next?.kind !== 'patch') return { patch, other: next }
      patch = next
      current = patchTarget(proc, next)
    }
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `${proc.name} called pushPatch from handleParams more than ${MAX_PATCHES} times in a row (a patch loop)`,
    )
  }

  const patchTarget = (proc: LiveProcess, navigation: Navigation): ResolvedRoute => {
    const url = new URL(navigation.to, proc.socket.uri ?? 'http://localhost/')
    const route = resolve(url)
    if (route === undefined || route.entry.view !== proc.view) {
      throw new CinderError(
        'CINDER_ERR_LIVE_BAD_ARG',
        `${proc.name} called pushPatch(${describe(navigation.to)}), which this view does not serve; use pushNavigate to go to another view`,
      )
    }
    return route
  }

  /** The reply or pushes after a callback, per the navigation it asked for. */
  const afterCallback = async (
    proc: LiveProcess,
    socket: LvSocket,
    replyValue: unknown,
    replying: boolean,
  ): Promise<Outcome> => {
    let navigation = proc.takeNavigation()
    if (navigation?.kind === 'patch') {
      push(socket, 'live_patch', navigationPayload(navigation, undefined))
      const result = await runParams(proc, patchTarget(proc, navigation))
      navigation = result.other
    }
    if (navigation !== undefined) return leave(proc, socket, navigation, replying)
    const diff = proc.render(replyValue)
    if (replying) return reply(['ok', isEmptyDiff(diff) ? {} : { diff }] as const, socket)
    if (!isEmptyDiff(diff)) push(socket, 'diff', wire(diff))
    return noreply(socket)
  }

  /** `pushNavigate` / `redirect`: flush pushed events, tell the client, stop. */
  const leave = (
    proc: LiveProcess,
    socket: LvSocket,
    navigation: Navigation,
    replying: boolean,
  ): Outcome => {
    const live = proc.socket[kLive]
    if (live.events.length > 0) {
      push(socket, 'diff', { e: live.events })
      live.events = []
    }
    const payload = navigationPayload(
      navigation,
      flashToken(config.tokens, proc.socket.assigns.flash),
    )
    const event = navigationEvent(navigation)
    const reason = { shutdown: event }
    if (replying) return stop(reason, socket, ['ok', { [event]: payload }])
    push(socket, event, payload)
    return stop(reason, socket)
  }

  const processOf = (socket: LvSocket): LiveProcess => {
    const proc = processes.get(socket)
    if (proc === undefined) {
      throw new CinderError(
        'CINDER_ERR_LIVE_BAD_EVENT',
        `no LiveView is mounted on ${describe(socket.topic)}`,
      )
    }
    return proc
  }

  /** Which process runs the view of each container id (parents of nested views). */
  const liveById = new Map<string, Pid>()
  // Outside a process (cinder/testing's mountLive) there is nothing to register.
  const registerView = (id: string): void => {
    const pid = currentPid()
    if (pid !== undefined) liveById.set(id, pid)
  }

  /** The join of a view placed with `liveRender` (not routed: no url, no handleParams). */
  const joinNested = async (
    id: string,
    claims: SessionClaims,
    params: Record<string, unknown>,
    socket: LvSocket,
  ) => {
    const view = nestedView(claims.view)
    if (view === undefined) return error({ reason: 'unauthorized' })
    let parentMonitor: Ref | undefined
    if (claims.parent !== null && claims.parent !== undefined) {
      const parent = liveById.get(claims.parent)
      if (parent === undefined) return error({ reason: 'unauthorized' })
      parentMonitor = monitor(parent)
    }
    const live = new LiveSocket<object>({
      id,
      view,
      connected: true,
      uri: undefined,
      connectParams: isRecord(params.params) ? params.params : {},
      host: hostOf(socket, config.uploads),
    })
    const proc = new LiveProcess(view, live, undefined, config.tokens)
    proc.parentMonitor = parentMonitor
    try {
      if (view.mount !== undefined) {
        settle(
          `${proc.name}.mount`,
          await view.mount.call(view, {}, claims.session, live),
          live,
          false,
        )
      }
      const navigation = proc.takeNavigation()
      if (navigation !== undefined) {
        proc.stopTimers()
        const payload = navigationPayload(navigation, flashToken(config.tokens, live.assigns.flash))
        return error({ [navigationEvent(navigation)]: payload })
      }
      const rendered = proc.render()
      processes.set(socket, proc)
      registerView(id)
      return ok(socket, { rendered, liveview_version: LIVEVIEW_VERSION })
    } catch (failure) {
      proc.stopTimers()
      throw failure
    }
  }

  return {
    name: 'LiveChannel',

    async join(topic, params, socket) {
      if (socket.assigns[STALE_CONNECTION] === true) return error({ reason: 'stale' })
      const id = topic.slice('lv:'.length)
      const claims = config.tokens.verifySession(params.session)
      if (claims === undefined || claims.id !== id) return error({ reason: 'stale' })
      if (claims.parent !== undefined) return joinNested(id, claims, params, socket)
      const staticToken = params.static
      const statics =
        typeof staticToken === 'string' && staticToken !== ''
          ? config.tokens.verifyStatic(staticToken)
          : undefined
      if (statics !== undefined && statics.id !== id) return error({ reason: 'stale' })
      if (typeof staticToken === 'string' && staticToken !== '' && statics === undefined) {
        return error({ reason: 'stale' })
      }

      const navigating = typeof params.redirect === 'string'
      const href = navigating ? params.redirect : params.url
      const url = typeof href === 'string' ? parseUrl(href) : undefined
      const route = url === undefined ? undefined : resolve(url)
      if (route === undefined || !allowed(claims, route, navigating)) {
        return error({ reason: 'unauthorized' })
      }

      const connectParams = isRecord(params.params) ? params.params : {}
      const flash =
        typeof params.flash === 'string'
          ? config.tokens.verifyFlash(params.flash)
          : !navigating && connectParams._mounts === 0 && statics !== undefined
            ? statics.flash
            : {}
      const view = route.entry.view as LiveView<object>
      const live = new LiveSocket<object>({
        id,
        view,
        connected: true,
        uri: route.uri.href,
        flash,
        liveAction: route.entry.action,
        connectParams,
        host: hostOf(socket, config.uploads),
      })
      const proc = new LiveProcess(view, live, route.entry, config.tokens)
      try {
        if (view.mount !== undefined) {
          const result = await view.mount.call(view, route.params, claims.session, live)
          settle(`${proc.name}.mount`, result, live, false)
        }
        let navigation = proc.takeNavigation()
        let patch: Navigation | undefined
        if (navigation?.kind === 'patch') {
          patch = navigation
          navigation = (await runParams(proc, patchTarget(proc, navigation))).other
        } else if (navigation === undefined) {
          const result = await runParams(proc, route)
          patch = result.patch
          navigation = result.other
        }
        if (navigation !== undefined) {
          proc.stopTimers()
          const payload = navigationPayload(
            navigation,
            flashToken(config.tokens, live.assigns.flash),
          )
          return error({ [navigationEvent(navigation)]: payload })
        }
        const rendered = proc.render()
        processes.set(socket, proc)
        registerView(id)
        return ok(socket, {
          rendered,
          liveview_version: LIVEVIEW_VERSION,
          ...(navigating ? { container: ['div', {}] } : {}),
          ...(patch === undefined ? {} : { live_patch: navigationPayload(patch, undefined) }),
        })
      } catch (failure) {
        proc.stopTimers()
        throw failure
      }
    },

    async handleIn(event, payload, socket) {
      const proc = processOf(socket)
      switch (event) {
        case 'event':
          return handleEvent(proc, payload, socket)
        case 'live_patch':
          return livePatch(proc, payload, socket)
        case 'allow_upload':
          return allowUploadEvent(proc, payload, socket)
        case 'progress':
          uploadProgress(proc.socket, payload)
          return afterCallback(proc, socket, undefined, true)
        case 'cids_will_destroy':
          for (const cid of cidsOf(payload)) proc.renderer.resetComponent(cid)
          return reply(['ok', {}], socket)
        case 'cids_destroyed': {
          const cids = cidsOf(payload)
          for (const cid of cids) {
            proc.renderer.deleteComponent(cid)
            proc.componentsIfAny?.delete(cid)
          }
          return reply(['ok', { cids }], socket)
        }
        default:
          return reply(['error', { reason: `unknown event ${event}` }], socket)
      }
    },

    async handleInfo(message, socket) {
      const proc = processOf(socket)
      if (
        proc.parentMonitor !== undefined &&
        (message as Partial<DownMessage>)?.ref === proc.parentMonitor
      ) {
        // A nested view stops with its parent (the client rejoins both if the parent comes back).
        return stop('shutdown', socket)
      }
      if (message instanceof ComponentUpdate) {
        proc.componentsIfAny?.sendUpdate(message)
        return (await afterCallback(proc, socket, undefined, false)) as
          | NoReply<LvSocket>
          | Stop<LvSocket>
      }
      const { handleInfo } = proc.view
      if (handleInfo === undefined) {
        throw new CinderError(
          'CINDER_ERR_LIVE_NO_HANDLER',
          `${proc.name} received ${describe(message)} but has no handleInfo`,
        )
      }
      settle(
        `${proc.name}.handleInfo`,
        await handleInfo.call(proc.view, message, proc.socket),
        proc.socket,
        false,
      )
      // not replying: afterCallback answers noreply or stop only
      return (await afterCallback(proc, socket, undefined, false)) as
        | NoReply<LvSocket>
        | Stop<LvSocket>
    },

    async terminate(reason, socket) {
      const proc = processes.get(socket)
      if (proc === undefined) return
      processes.delete(socket)
      if (liveById.get(proc.socket.id) === currentPid()) liveById.delete(proc.socket.id)
      proc.stopTimers()
      await releaseUploads(proc.socket)
      await proc.view.terminate?.call(proc.view, reason, proc.socket)
    },
  }

  async function handleEvent(
    proc: LiveProcess,
    payload: unknown,
    socket: LvSocket,
  ): Promise<Outcome> {
    const { event, value, cid } = decodeEvent(payload, config.maxEventSize)
    const live = proc.socket
    if (isRecord(payload) && isRecord(payload.uploads)) putUploadEntries(live, payload.uploads)
    if (cid !== undefined) return componentEvent(proc, socket, cid, event, value)
    if (event === 'lv:clear-flash') {
      if (typeof value.key === 'string') live.clearFlash(value.key)
      else live.clearFlash()
      return afterCallback(proc, socket, undefined, true)
    }
    if (event.startsWith('lv:')) {
      throw new CinderError(
        'CINDER_ERR_LIVE_BAD_EVENT',
        `${describe(event)} is a reserved event name (lv: prefix)`,
      )
    }
    const { handleEvent: handler } = proc.view
    if (handler === undefined) {
      throw new CinderError(
        'CINDER_ERR_LIVE_NO_HANDLER',
        `${proc.name} received the event ${describe(event)} but has no handleEvent`,
      )
    }
    const result = await handler.call(proc.view, event, value, live)
    const settled = settle(`${proc.name}.handleEvent(${describe(event)})`, result, live, true)
    return afterCallback(proc, socket, settled.reply, true)
  }

  /** Preflight: accept the entries and hand out their tokens, or say why not. */
  async function allowUploadEvent(
    proc: LiveProcess,
    payload: unknown,
    socket: LvSocket,
  ): Promise<Outcome> {
    const live = proc.socket
    const ref = isRecord(payload) ? payload.ref : undefined
    const upload = typeof ref === 'string' ? uploadByRef(live, ref) : undefined
    if (upload === undefined) {
      return reply(['ok', { ref: String(ref), error: [[String(ref), 'disallowed']] }], socket)
    }
    const result = upload.preflight((payload as Record<string, unknown>).entries)
    publish(live)
    if ('errors' in result) {
      const diff = proc.render()
      return reply(['ok', { ref: upload.ref, error: result.errors, ...diffField(diff) }], socket)
    }
    const entries: Record<string, string> = {}
    for (const entryRef of result.accepted) {
      const entry = upload.entries.find((e) => e.ref === entryRef)
      const slot = await config.uploads.open(
        slotKey(live.id, upload.ref, entryRef),
        entry?.clientSize ?? 0,
        upload.options.maxFileSize,
      )
      entries[entryRef] = slot.token
    }
    const diff = proc.render()
    return reply(
      [
        'ok',
        { ref: upload.ref, config: upload.wireConfig(), entries, errors: {}, ...diffField(diff) },
      ],
      socket,
    )
  }

  /** An event whose `phx-target` is a live component. */
  async function componentEvent(
    proc: LiveProcess,
    socket: LvSocket,
    cid: number,
    event: string,
    value: EventValue,
  ): Promise<Outcome> {
    const instance = proc.componentsIfAny?.get(cid)
    if (instance === undefined) {
      // Phoenix ignores these too: the component left the page while the event was in flight.
      return reply(['ok', {}], socket)
    }
    const replyValue = await proc.components.handleEvent(instance, event, value)
    return afterCallback(proc, socket, replyValue, true)
  }

  async function livePatch(
    proc: LiveProcess,
    payload: unknown,
    socket: LvSocket,
  ): Promise<Outcome> {
    const href = isRecord(payload) ? payload.url : undefined
    const url = typeof href === 'string' ? parseUrl(href) : undefined
    const route = url === undefined ? undefined : resolve(url)
    if (route === undefined || route.entry.view !== proc.view) {
      return reply(['ok', { link_redirect: true }], socket)
    }
    proc.socket.clearFlash()
    const { other } = await runParams(proc, route)
    if (other !== undefined) proc.socket[kLive].navigation = other
    return afterCallback(proc, socket, undefined, true)
  }
}

/** A diff is a JSON object (its numeric keys travel as strings). */
function wire(diff: Diff): Payload {
  return diff as unknown as Payload
}

function parseUrl(href: string): URL | undefined {
  try {
    return new URL(href)
  } catch {
    return undefined
  }
}

function cidsOf(payload: unknown): number[] {
  const cids = isRecord(payload) ? payload.cids : undefined
  return Array.isArray(cids) ? cids.filter((cid): cid is number => Number.isSafeInteger(cid)) : []
}

export type { Params }
