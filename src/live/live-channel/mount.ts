/**
 * The end of a join, routed or nested: `mount`, then either the first
 * render (the view is now mounted on the channel socket) or, when the view
 * navigated away meanwhile, a refusal that says where to go.
 */
import type { JoinResult } from '../../channel/channel.ts'
import { ok } from '../../channel/results.ts'
import type { Params } from '../../http/query.ts'
import { liveMount } from '../../telemetry/index.ts'
import { runOnMount } from '../hooks.ts'
import { mountHooks } from '../live-route.ts'
import { kLive, type LiveSessionData, type Navigation, settle } from '../live-view.ts'
import { refuseJoin } from './leave.ts'
import type { LiveProcess } from './live-process.ts'
import type { LiveRuntime, LvSocket } from './runtime.ts'

/** The client version this server speaks (the client only warns on a mismatch). */
export const LIVEVIEW_VERSION = '1.2.12'

/** Runs the `onMount` hooks, then the view's `mount` unless one of them halted (with a navigation). */
export async function mountView(
  proc: LiveProcess,
  params: Params,
  session: LiveSessionData,
): Promise<void> {
  const { view, socket } = proc
  const hooks = mountHooks(proc.entry, view)
  if (hooks.length > 0 && (await runOnMount(hooks, params, session, socket, proc.name))) return
  const mount = view.mount
  if (mount === undefined) return
  const run = () => mount.call(view, params, session, socket)
  const out = liveMount.hasSubscribers
    ? liveMount.trace(spanOf(proc, params), async () => await run())
    : run()
  settle(`${proc.name}.mount`, await out, socket, false)
}

/** Puts a snapshot's state back with the view's `restore`, unless `mount` already navigated. */
export async function restoreView(proc: LiveProcess, saved: unknown): Promise<void> {
  const { view, socket } = proc
  if (view.restore === undefined || socket[kLive].navigation !== undefined) return
  settle(`${proc.name}.restore`, await view.restore.call(view, saved, socket), socket, false)
}

function spanOf(proc: LiveProcess, params: Params) {
  return { view: proc.name, connected: true, params, uri: proc.socket.uri, id: proc.socket.id }
}

/** Refuses the join when the view navigated away, else mounts it and replies its first render. */
export function joinReply(
  rt: LiveRuntime,
  proc: LiveProcess,
  socket: LvSocket,
  navigation: Navigation | undefined,
  extra: Record<string, unknown>,
): JoinResult<Record<string, unknown>> {
  if (navigation !== undefined) return refuseJoin(rt, proc, navigation)
  const rendered = proc.render()
  rt.register(socket, proc)
  return ok(socket, { rendered, liveview_version: LIVEVIEW_VERSION, ...extra })
}
