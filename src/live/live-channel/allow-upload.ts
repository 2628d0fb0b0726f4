/** `allow_upload`, the upload preflight: accept the entries and hand out their tokens, or say why not. */
import { reply } from '../../process/behaviour.ts'
import { isRecord } from '../live-session.ts'
import { diffField, uploadByRef } from '../uploads/live-uploads.ts'
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
    const slot = await rt.config.uploads.open(
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
