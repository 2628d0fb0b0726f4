/**
 * What follows a view's callback: a `pushPatch` is pushed (`live_patch`)
 * and its `handleParams` run; a `pushNavigate` or `redirect` stops the
 * view; otherwise the view renders and the diff goes in the reply (or in a
 * `diff` push after a message).
 */
import { type Payload, push } from '../../channel/channel-socket.ts'
import { noreply, reply } from '../../process/behaviour.ts'
import { navigationPayload } from '../navigation.ts'
import { type Diff, isEmptyDiff } from '../rendered.ts'
import { leave } from './leave.ts'
import type { LiveProcess } from './live-process.ts'
import { patchTarget, runParams } from './params.ts'
import type { LiveRuntime, LvSocket, Outcome } from './runtime.ts'

/** The reply or pushes after a callback, per the navigation it asked for. */
export async function afterCallback(
  rt: LiveRuntime,
  proc: LiveProcess,
  socket: LvSocket,
  replyValue: unknown,
  replying: boolean,
): Promise<Outcome> {
  let navigation = proc.takeNavigation()
  if (navigation?.kind === 'patch') {
    push(socket, 'live_patch', navigationPayload(navigation, undefined))
    const result = await runParams(rt, proc, patchTarget(rt, proc, navigation))
    navigation = result.other
  }
  if (navigation !== undefined) return leave(rt, proc, socket, navigation, replying)
  const diff = proc.render(replyValue)
  if (replying) return reply(['ok', isEmptyDiff(diff) ? {} : { diff }] as const, socket)
  if (!isEmptyDiff(diff)) push(socket, 'diff', wire(diff))
  return noreply(socket)
}

/** A diff is a JSON object (its numeric keys travel as strings). */
function wire(diff: Diff): Payload {
  return diff as unknown as Payload
}
