/** `allow_upload`, the upload preflight: accept the entries and hand out their tokens, or say why not. */
import { reply } from '../../process/behaviour.ts'
import { isRecord } from '../live-session.ts'
import type { LiveSocket } from '../live-view.ts'
import { diffField, uploadByRef } from '../uploads/live-uploads.ts'
import type { UploadConfig } from '../uploads/upload-config.ts'
import { slotKey } from '../uploads/upload-registry.ts'
import { publish } from '../uploads/uploads.ts'
import type { LiveProcess } from './live-process.ts'
import type { LiveRuntime, LvSocket, Outcome } from './runtime.ts'

export async function allowUpload(
  rt: LiveRuntime,
  proc: LiveProcess,
  payload: unknown,
  socket: LvSocket,
): Promise<Outcome> {
  const live = uploadTarget(proc, payload)
  const ref = isRecord(payload) ? payload.ref : undefined
  const upload = typeof ref === 'string' && live !== undefined ? uploadByRef(live, ref) : undefined
  if (live === undefined || upload === undefined) {
    return reply(['ok', { ref: String(ref), error: [[String(ref), 'disallowed']] }], socket)
  }
  const result = upload.preflight((payload as Record<string, unknown>).entries)
  publish(live)
  if ('errors' in result) {
    proc.componentsIfAny?.touch(live)
    const diff = proc.render()
    return reply(['ok', { ref: upload.ref, error: result.errors, ...diffField(diff) }], socket)
  }
  const entries: Record<string, unknown> = {}
  for (const entryRef of result.accepted) {
    entries[entryRef] = await entryMeta(rt, live, upload, entryRef)
  }
  publish(live)
  proc.componentsIfAny?.touch(live)
  const diff = proc.render()
  return reply(
    [
      'ok',
      { ref: upload.ref, config: upload.wireConfig(), entries, errors: {}, ...diffField(diff) },
    ],
    socket,
  )
}

/**
 * What the client gets for an accepted entry: the token of its `lvu:`
 * channel, or, for an upload with an `external` uploader, the uploader's
 * meta (`{ uploader: 'S3', url, … }`, which names the client's `Uploaders`
 * function that sends the file).
 */
async function entryMeta(
  rt: LiveRuntime,
  live: LiveSocket<object>,
  upload: UploadConfig,
  entryRef: string,
): Promise<unknown> {
  const entry = upload.entries.find((e) => e.ref === entryRef)
  if (upload.options.external !== undefined && entry !== undefined) {
    return upload.presign(entry, live)
  }
  const slot = await rt.config.uploads.open(
    slotKey(live.id, upload.ref, entryRef),
    entry?.clientSize ?? 0,
    upload.options.maxFileSize,
    upload.options.chunkTimeout,
  )
  return slot.token
}

/**
 * The socket an upload message is for: the view's, or with a `cid` (a form
 * whose `phx-target` is a live component) that component's; undefined for
 * a component no longer on the page.
 */
export function uploadTarget(proc: LiveProcess, payload: unknown): LiveSocket<object> | undefined {
  const cid = isRecord(payload) ? payload.cid : undefined
  if (typeof cid !== 'number') return proc.socket
  return proc.componentsIfAny?.get(cid)?.socket
}
