/**
 * The join of a routed view: verify `session` (and `static`) against the
 * topic, route `url` (or `redirect`, for live navigation) to a live route
 * the token allows, mount, run `handleParams`, reply the first render. A
 * token that does not verify answers `stale` (the client reloads the page,
 * whose new tokens verify); a route the token does not allow answers
 * `unauthorized` (the client loads the URL).
 */
import type { JoinParams, JoinResult } from '../../channel/channel.ts'
import { error } from '../../channel/results.ts'
import { type ResolvedRoute, viewKey } from '../live-route.ts'
import {
  type Flash,
  isRecord,
  type LiveTokens,
  type SessionClaims,
  type StaticClaims,
} from '../live-session.ts'
import { type LiveSessionData, LiveSocket, type LiveView } from '../live-view.ts'
import { navigationPayload } from '../navigation.ts'
import { LiveSnapshots } from '../snapshots.ts'
import { hostOf } from './channel-host.ts'
import { LiveProcess } from './live-process.ts'
import { joinReply, mountView, restoreView } from './mount.ts'
import { joinNested } from './nested-join.ts'
import { paramsAfterMount } from './params.ts'
import type { LiveRuntime, LvSocket } from './runtime.ts'

/** Set on a connection whose CSRF token did not match its session: every join is stale. */
export const STALE_CONNECTION = 'cinderLiveStale'

type JoinReply = JoinResult<Record<string, unknown>>

export async function join(
  rt: LiveRuntime,
  topic: string,
  params: JoinParams,
  socket: LvSocket,
): Promise<JoinReply> {
  if (socket.assigns[STALE_CONNECTION] === true) return error({ reason: 'stale' })
  const id = topic.slice('lv:'.length)
  const { tokens } = rt.config
  const claims = tokens.verifySession(params.session)
  if (claims === undefined || claims.id !== id) return error({ reason: 'stale' })
  if (claims.parent !== undefined) return joinNested(rt, id, claims, params, socket)
  const statics = staticClaims(tokens, id, params.static)
  if (statics === 'stale') return error({ reason: 'stale' })

  const navigating = typeof params.redirect === 'string'
  const route = rt.resolve(navigating ? params.redirect : params.url)
  if (route === undefined || !allowed(claims, route, navigating)) {
    return error({ reason: 'unauthorized' })
  }
  const connectParams = isRecord(params.params) ? params.params : {}
  const view = route.entry.view as LiveView<object>
  const live = new LiveSocket<object>({
    id,
    view,
    connected: true,
    uri: route.uri.href,
    flash: joinFlash(tokens, params.flash, navigating, connectParams, statics),
    liveAction: route.entry.action,
    connectParams,
    host: hostOf(socket, rt.config.uploads),
  })
  const proc = new LiveProcess(view, live, route.entry, tokens)
  let snapshot: Snapshot
  if (LiveSnapshots.durable(view)) {
    proc.owner = { id, viewKey: claims.view, sessionToken: params.session as string }
    // A first join (`_mounts` 0) follows the dead render: no view of this container ran yet.
    if (!navigating && connectParams._mounts !== 0) {
      await rt.saved(id) // a plain reconnect can outrun the save of the view it left here
      snapshot = await rt.config.snapshots.take(view, proc.owner)
    }
  }
  return mountRouted(rt, proc, route, claims.session, navigating, socket, snapshot)
}

type Snapshot = { readonly saved: unknown } | undefined

/** Mount, `handleParams`, and the reply: with a container when navigating, and the patch if any. */
async function mountRouted(
  rt: LiveRuntime,
  proc: LiveProcess,
  route: ResolvedRoute,
  session: LiveSessionData,
  navigating: boolean,
  socket: LvSocket,
  snapshot: Snapshot,
): Promise<JoinReply> {
  try {
    await mountView(proc, route.params, session)
    if (snapshot !== undefined) await restoreView(proc, snapshot.saved)
    const { patch, other } = await paramsAfterMount(rt, proc, route)
    return joinReply(rt, proc, socket, other, {
      ...(navigating ? { container: ['div', {}] } : {}),
      ...(patch === undefined ? {} : { live_patch: navigationPayload(patch, undefined) }),
    })
  } catch (failure) {
    proc.stopTimers()
    throw failure
  }
}

/** May a view with this token be mounted at this route? */
function allowed(claims: SessionClaims, route: ResolvedRoute, navigating: boolean): boolean {
  const { entry } = route
  if (claims.liveSession !== null && entry.liveSession === claims.liveSession) return true
  return !navigating && viewKey(entry.view, entry.pattern) === claims.view
}

/** The `static` token's claims (none without one), or `stale` when it does not verify for `id`. */
function staticClaims(
  tokens: LiveTokens,
  id: string,
  token: unknown,
): StaticClaims | undefined | 'stale' {
  if (typeof token !== 'string' || token === '') return undefined
  const statics = tokens.verifyStatic(token)
  return statics === undefined || statics.id !== id ? 'stale' : statics
}

/**
 * The flash at mount: the one a live navigation carried, else (on the
 * first mount of the page) the one the dead render had.
 */
function joinFlash(
  tokens: LiveTokens,
  token: unknown,
  navigating: boolean,
  connectParams: Record<string, unknown>,
  statics: StaticClaims | undefined,
): Flash {
  if (typeof token === 'string') return tokens.verifyFlash(token)
  return !navigating && connectParams._mounts === 0 && statics !== undefined ? statics.flash : {}
}
