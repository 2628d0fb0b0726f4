/**
 * What the client pushes on `lv:*`: `event` (decode, run `handleEvent` or a
 * live component's, reply `{}` or `{diff}`; a hook reply rides in the
 * diff's `"r"`), `live_patch` (run `handleParams`, or answer
 * `link_redirect` when another view serves the URL), upload `allow_upload`
 * and `progress`, and the client's component cleanup.
 */
import type { Payload } from '../../channel/channel-socket.ts'
import { CinderError, describe } from '../../errors.ts'
import { reply } from '../../process/behaviour.ts'
import { liveHandleEvent } from '../../telemetry/index.ts'
import { hooksOf, runHooks } from '../hooks.ts'
import { decodeEvent } from '../live-event.ts'
import { isRecord } from '../live-session.ts'
import { type EventValue, kLive, settle } from '../live-view.ts'
import { putUploadEntries, uploadProgress } from '../uploads/live-uploads.ts'
import { allowUpload, uploadTarget } from './allow-upload.ts'
import type { LiveProcess } from './live-process.ts'
import { afterCallback } from './outcome.ts'
import { runParams } from './params.ts'
import type { LiveRuntime, LvSocket, Outcome } from './runtime.ts'

export async function handleIn(
  rt: LiveRuntime,
  event: string,
  payload: Payload,
  socket: LvSocket,
): Promise<Outcome> {
  const proc = rt.processOf(socket)
  switch (event) {
    case 'event':
      return handleEvent(rt, proc, payload, socket)
    case 'live_patch':
      return livePatch(rt, proc, payload, socket)
    case 'allow_upload':
      return allowUpload(rt, proc, payload, socket)
    case 'progress': {
      const target = uploadTarget(proc, payload)
      if (target !== undefined) {
        uploadProgress(target, payload)
        proc.componentsIfAny?.touch(target)
      }
      return afterCallback(rt, proc, socket, undefined, true)
    }
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
}

async function handleEvent(
  rt: LiveRuntime,
  proc: LiveProcess,
  payload: unknown,
  socket: LvSocket,
): Promise<Outcome> {
  const { event, value, cid } = decodeEvent(payload, rt.config.maxEventSize)
  const live = proc.socket
  if (isRecord(payload) && isRecord(payload.uploads)) {
    const target = uploadTarget(proc, payload)
    if (target !== undefined) putUploadEntries(target, payload.uploads)
  }
  if (cid !== undefined) return componentEvent(rt, proc, socket, cid, event, value)
  if (event === 'lv:clear-flash') {
    if (typeof value.key === 'string') live.clearFlash(value.key)
    else live.clearFlash()
    return afterCallback(rt, proc, socket, undefined, true)
  }
  if (event.startsWith('lv:')) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_EVENT',
      `${describe(event)} is a reserved event name (lv: prefix)`,
    )
  }
  const hooks = hooksOf(live, 'handleEvent')
  if (hooks !== undefined) {
    const hooked = await runHooks(hooks, 'handleEvent', live, [event, value])
    if (hooked.halted) return afterCallback(rt, proc, socket, hooked.reply, true)
  }
  const { handleEvent: handler } = proc.view
  if (handler === undefined) {
    throw new CinderError(
      'CINDER_ERR_LIVE_NO_HANDLER',
      `${proc.name} received the event ${describe(event)} but has no handleEvent`,
    )
  }
  const run = () => handler.call(proc.view, event, value, live)
  const result = await (liveHandleEvent.hasSubscribers
    ? liveHandleEvent.trace({ view: proc.name, event, value, id: live.id }, async () => await run())
    : run())
  const settled = settle(`${proc.name}.handleEvent(${describe(event)})`, result, live, true)
  return afterCallback(rt, proc, socket, settled.reply, true)
}

/** An event whose `phx-target` is a live component. */
async function componentEvent(
  rt: LiveRuntime,
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
  return afterCallback(rt, proc, socket, replyValue, true)
}

async function livePatch(
  rt: LiveRuntime,
  proc: LiveProcess,
  payload: unknown,
  socket: LvSocket,
): Promise<Outcome> {
  const route = rt.resolve(isRecord(payload) ? payload.url : undefined)
  if (route === undefined || route.entry.view !== proc.view) {
    return reply(['ok', { link_redirect: true }], socket)
  }
  proc.socket.clearFlash()
  const { other } = await runParams(rt, proc, route)
  if (other !== undefined) proc.socket[kLive].navigation = other
  return afterCallback(rt, proc, socket, undefined, true)
}

function cidsOf(payload: unknown): number[] {
  const cids = isRecord(payload) ? payload.cids : undefined
  return Array.isArray(cids) ? cids.filter((cid): cid is number => Number.isSafeInteger(cid)) : []
}
