/**
 * The join of a view placed with `liveRender`: not routed (no url, no
 * `handleParams`); it monitors its parent's process and stops with it.
 */
import type { JoinParams, JoinResult } from '../../channel/channel.ts'
import { error } from '../../channel/results.ts'
import type { Ref } from '../../process/pid.ts'
import { monitor } from '../../process/process.ts'
import { isRecord, type SessionClaims } from '../live-session.ts'
import { LiveSocket } from '../live-view.ts'
import { nestedView } from '../nested.ts'
import { hostOf } from './channel-host.ts'
import { LiveProcess } from './live-process.ts'
import { joinReply, mountView } from './mount.ts'
import type { LiveRuntime, LvSocket } from './runtime.ts'

export async function joinNested(
  rt: LiveRuntime,
  id: string,
  claims: SessionClaims,
  params: JoinParams,
  socket: LvSocket,
): Promise<JoinResult<Record<string, unknown>>> {
  const view = nestedView(claims.view)
  if (view === undefined) return error({ reason: 'unauthorized' })
  let parentMonitor: Ref | undefined
  if (claims.parent !== null && claims.parent !== undefined) {
    const parent = rt.pidOf(claims.parent)
    if (parent === undefined) return error({ reason: 'unauthorized' })
    parentMonitor = monitor(parent)
  }
  const live = new LiveSocket<object>({
    id,
    view,
    connected: true,
    uri: undefined,
    connectParams: isRecord(params.params) ? params.params : {},
    host: hostOf(socket, rt.config.uploads),
  })
  const proc = new LiveProcess(view, live, undefined, rt.config.tokens)
  proc.parentMonitor = parentMonitor
  try {
    await mountView(proc, {}, claims.session)
    return joinReply(rt, proc, socket, proc.takeNavigation(), {})
  } catch (failure) {
    proc.stopTimers()
    throw failure
  }
}
