/**
 * Messages to a view's process (`sendSelf`, timers, PubSub): `handleInfo`,
 * then a `diff` push. A live component's `sendUpdate` and the stop of a
 * nested view's parent arrive here too.
 */
import type { HandleResult } from '../../channel/channel.ts'
import { CinderError, describe } from '../../errors.ts'
import { type DownMessage, stop } from '../../process/behaviour.ts'
import { AsyncDone } from '../async.ts'
import { hooksOf, runHooks } from '../hooks.ts'
import { ComponentUpdate, settle } from '../live-view.ts'
import { asyncDone } from './async-done.ts'
import { afterCallback } from './outcome.ts'
import type { LiveRuntime, LvSocket } from './runtime.ts'

type InfoResult = HandleResult<Record<string, unknown>>

export async function handleInfo(
  rt: LiveRuntime,
  message: unknown,
  socket: LvSocket,
): Promise<InfoResult> {
  const proc = rt.processOf(socket)
  if (
    proc.parentMonitor !== undefined &&
    (message as Partial<DownMessage>)?.ref === proc.parentMonitor
  ) {
    // A nested view stops with its parent (the client rejoins both if the parent comes back).
    return stop('shutdown', socket)
  }
  if (message instanceof ComponentUpdate) {
    proc.componentsIfAny?.sendUpdate(message)
    return (await afterCallback(rt, proc, socket, undefined, false)) as InfoResult
  }
  if (message instanceof AsyncDone) {
    return (await asyncDone(rt, proc, message, socket)) as InfoResult
  }
  const hooks = hooksOf(proc.socket, 'handleInfo')
  if (hooks !== undefined && (await runHooks(hooks, 'handleInfo', proc.socket, [message])).halted) {
    return (await afterCallback(rt, proc, socket, undefined, false)) as InfoResult
  }
  const { handleInfo: handler } = proc.view
  if (handler === undefined) {
    throw new CinderError(
      'CINDER_ERR_LIVE_NO_HANDLER',
      `${proc.name} received ${describe(message)} but has no handleInfo`,
    )
  }
  settle(
    `${proc.name}.handleInfo`,
    await handler.call(proc.view, message, proc.socket),
    proc.socket,
    false,
  )
  // not replying: afterCallback answers noreply or stop only
  return (await afterCallback(rt, proc, socket, undefined, false)) as InfoResult
}
