/**
 * A view leaves: `pushNavigate` or `redirect` after a callback (tell the
 * client, stop), the same during its join (refuse the join with where to
 * go), and the stop of its channel (release what the view holds).
 */
import type { ExitReason, JoinError } from '../../channel/channel.ts'
import { push } from '../../channel/channel-socket.ts'
import { error } from '../../channel/results.ts'
import { stop } from '../../process/behaviour.ts'
import { ConnectionExit } from '../../socket/connection.ts'
import { flashToken } from '../flash.ts'
import { kLive, type Navigation } from '../live-view.ts'
import { navigationEvent, navigationPayload } from '../navigation.ts'
import { releaseUploads } from '../uploads/live-uploads.ts'
import type { LiveProcess } from './live-process.ts'
import type { LiveRuntime, LvSocket, Outcome } from './runtime.ts'

/** `pushNavigate` / `redirect`: flush pushed events, tell the client, stop. */
export function leave(
  rt: LiveRuntime,
  proc: LiveProcess,
  socket: LvSocket,
  navigation: Navigation,
  replying: boolean,
): Outcome {
  const live = proc.socket[kLive]
  if (live.events.length > 0) {
    push(socket, 'diff', { e: live.events })
    live.events = []
  }
  const payload = payloadOf(rt, proc, navigation)
  const event = navigationEvent(navigation)
  const reason = { shutdown: event }
  if (replying) return stop(reason, socket, ['ok', { [event]: payload }])
  push(socket, event, payload)
  return stop(reason, socket)
}

/** The view navigated away before its join completed: the join is refused with where to go. */
export function refuseJoin(rt: LiveRuntime, proc: LiveProcess, navigation: Navigation): JoinError {
  proc.stopTimers()
  return error({ [navigationEvent(navigation)]: payloadOf(rt, proc, navigation) })
}

/** The channel stopped: forget the view, stop its timers, drop its files, then its `terminate`. */
export async function terminate(
  rt: LiveRuntime,
  reason: ExitReason,
  socket: LvSocket,
): Promise<void> {
  const proc = rt.unregister(socket)
  if (proc === undefined) return
  proc.stopTimers()
  const { owner } = proc
  if (owner !== undefined && outlives(reason)) {
    const { snapshots } = rt.config
    await rt.saving(owner.id, () => snapshots.save(proc.view, owner, proc.socket.assigns))
  }
  await releaseUploads(proc.socket)
  for (const component of proc.componentsIfAny?.sockets() ?? []) await releaseUploads(component)
  await proc.view.terminate?.call(proc.view, reason, proc.socket)
}

/**
 * Whether the view stopped in a way its client comes back from: the node drains, or the
 * connection dropped. Not a leave, a navigation, a crash, a `disconnect` or expired credentials.
 */
function outlives(reason: ExitReason): boolean {
  const shutdown = (reason as { shutdown?: unknown } | null)?.shutdown
  return (
    shutdown === ConnectionExit.draining.shutdown || shutdown === ConnectionExit.closed.shutdown
  )
}

function payloadOf(rt: LiveRuntime, proc: LiveProcess, navigation: Navigation) {
  return navigationPayload(navigation, flashToken(rt.config.tokens, proc.socket.assigns.flash))
}
