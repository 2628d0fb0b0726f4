/**
 * The outcome of a view's (or a live component's) async task, handled in
 * the view's process like any message: an `assignAsync` puts its result in
 * the assigns, a `startAsync` runs `handleAsync` (after the hooks attached
 * to it); then the diff goes out. An outcome for a task superseded or
 * cancelled since is dropped (settleAsync), and so is one for a component
 * no longer on the page.
 */
import { CinderError, describe } from '../../errors.ts'
import { type AsyncDone, settleAsync } from '../async.ts'
import { hooksOf, runHooks } from '../hooks.ts'
import { settle } from '../live-view.ts'
import type { LiveProcess } from './live-process.ts'
import { afterCallback } from './outcome.ts'
import type { LiveRuntime, LvSocket, Outcome } from './runtime.ts'

export async function asyncDone(
  rt: LiveRuntime,
  proc: LiveProcess,
  message: AsyncDone,
  socket: LvSocket,
): Promise<Outcome> {
  const started = settleAsync(message)
  if (message.socket !== proc.socket) {
    const instance = proc.componentsIfAny?.bySocket(message.socket)
    if (instance !== undefined) await proc.components.settleAsync(instance, started)
  } else if (started !== undefined) {
    const live = proc.socket
    const hooks = hooksOf(live, 'handleAsync')
    const args = [started.name, started.outcome]
    if (hooks === undefined || !(await runHooks(hooks, 'handleAsync', live, args)).halted) {
      const { handleAsync } = proc.view
      if (handleAsync === undefined) {
        throw new CinderError(
          'CINDER_ERR_LIVE_NO_HANDLER',
          `${proc.name} started the task ${describe(started.name)} but has no handleAsync`,
        )
      }
      const result = await handleAsync.call(proc.view, started.name, started.outcome, live)
      settle(`${proc.name}.handleAsync(${describe(started.name)})`, result, live, false)
    }
  }
  return afterCallback(rt, proc, socket, undefined, false)
}
