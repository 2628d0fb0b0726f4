/**
 * The live channel's side of uploads: entries announced in form changes,
 * `progress` reports, and cleanup when the view stops. (Preflight lives in
 * live-channel/allow-upload.ts, with the reply.)
 */
import { CinderError, describe } from '../../errors.ts'
import { isRecord } from '../live-session.ts'
import { kLive, type LiveSocket } from '../live-view.ts'
import { type Diff, isEmptyDiff } from '../rendered.ts'
import type { UploadConfig } from './upload-config.ts'
import { publish, releaseAll } from './uploads.ts'

/** The upload whose input has `ref`, if the view declared it. */
export function uploadByRef(socket: LiveSocket<object>, ref: string): UploadConfig | undefined {
  for (const config of socket[kLive].uploads?.values() ?? []) if (config.ref === ref) return config
  return undefined
}

/** A form change's `uploads: {ref: [entry…]}`: record the files each input now holds. */
export function putUploadEntries(
  socket: LiveSocket<object>,
  uploads: Record<string, unknown>,
): void {
  let changed = false
  for (const [ref, entries] of Object.entries(uploads)) {
    const config = uploadByRef(socket, ref)
    if (config === undefined) {
      throw new CinderError(
        'CINDER_ERR_LIVE_BAD_EVENT',
        `the event lists files for the upload input ${describe(ref)}, which this view did not declare with allowUpload`,
      )
    }
    config.putEntries(entries)
    changed = true
  }
  if (changed) publish(socket)
}

/** `progress {ref, entry_ref, progress}`: a percentage (100 = done) or `{error}`. */
export function uploadProgress(socket: LiveSocket<object>, payload: unknown): void {
  if (
    !isRecord(payload) ||
    typeof payload.ref !== 'string' ||
    typeof payload.entry_ref !== 'string'
  ) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_EVENT',
      `progress is {ref, entry_ref, progress}; got: ${describe(payload)}`,
    )
  }
  const config = uploadByRef(socket, payload.ref)
  if (config?.progress(payload.entry_ref, payload.progress) !== undefined) publish(socket)
}

/** The view stopped: drop every file it had not consumed. */
export async function releaseUploads(socket: LiveSocket<object>): Promise<void> {
  for (const config of socket[kLive].uploads?.values() ?? []) await releaseAll(socket, config)
}

/** `{diff}` when there is something to send, as replies carry it. */
export function diffField(diff: Diff): { diff?: Diff } {
  return isEmptyDiff(diff) ? {} : { diff }
}
