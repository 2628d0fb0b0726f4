/**
 * Uploads in a LiveView, as Phoenix's `allow_upload` family:
 *
 * ```ts
 * mount(_params, _session, socket) {
 *   allowUpload(socket, 'avatar', { accept: ['.png', '.jpg'], maxFileSize: 2_000_000 })
 * },
 * async handleEvent(event, _value, socket) {
 *   if (event === 'save') {
 *     const saved = await consumeUploadedEntries(socket, 'avatar', async ({ path }, entry) =>
 *       storeFile(path, entry.clientName))
 *     socket.assign('files', saved)
 *   }
 * },
 * render: ({ uploads }) => html`<form id="upload-form" phx-change="validate" phx-submit="save">
 *   ${liveFileInput(uploads.avatar)} <button>Upload</button></form>`
 * ```
 *
 * The files arrive over `lvu:` channels on the same socket while the form
 * is filled in (autoUpload) or before the submit event (the client holds the
 * submit until every file is done); `consumeUploadedEntries` hands each
 * finished file's temporary path to a function, then deletes the file.
 */
import { CinderError, describe } from '../../errors.ts'
import { kLive, type LiveSocket } from '../live-view.ts'
import {
  type ExternalMeta,
  type LiveUpload,
  UploadConfig,
  type UploadEntry,
  type UploadOptions,
} from './upload-config.ts'
import { slotKey } from './upload-registry.ts'

/** Declares an upload: `assigns.uploads[name]` then describes it for `liveFileInput`. */
export function allowUpload<A extends object>(
  socket: LiveSocket<A>,
  name: string,
  options: UploadOptions,
): LiveSocket<A> {
  if (typeof name !== 'string' || name === '') {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `allowUpload needs a name, got: ${describe(name)}`,
    )
  }
  const live = socket[kLive]
  live.uploads ??= new Map()
  if (live.uploads.has(name)) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `allowUpload(${describe(name)}) was already called for this view (call disallowUpload first)`,
    )
  }
  live.uploads.set(name, new UploadConfig(name, options))
  publish(socket)
  return socket
}

/** Removes an upload declared with `allowUpload` (its pending entries are cancelled). */
export async function disallowUpload<A extends object>(
  socket: LiveSocket<A>,
  name: string,
): Promise<void> {
  await releaseAll(socket, configOf(socket, name, 'disallowUpload'))
  socket[kLive].uploads?.delete(name)
  publish(socket)
}

/** @internal Drops every entry of `config` and its file (also when the view stops). */
export function releaseAll<A extends object>(
  socket: LiveSocket<A>,
  config: UploadConfig,
): Promise<void> {
  return release(socket, config, new Set(config.entries.map((entry) => entry.ref)))
}

/** Cancels one entry (e.g. a "remove" button next to it): its file is dropped. */
export async function cancelUpload<A extends object>(
  socket: LiveSocket<A>,
  name: string,
  entryRef: string,
): Promise<void> {
  const config = configOf(socket, name, 'cancelUpload')
  await release(socket, config, new Set([entryRef]))
  publish(socket)
}

/** Finished and in-progress entries of an upload. */
export function uploadedEntries<A extends object>(
  socket: LiveSocket<A>,
  name: string,
): { completed: UploadEntry[]; inProgress: UploadEntry[] } {
  const entries = configOf(socket, name, 'uploadedEntries').entries
  return {
    completed: entries.filter((entry) => entry.done),
    inProgress: entries.filter((entry) => !entry.done),
  }
}

/** What `consumeUploadedEntries` hands over for a finished entry. */
export interface UploadedFile {
  /** The temporary file (an upload over the socket); '' for an external upload. */
  readonly path: string
  /** An external upload's meta (what `external` returned for it: its key, URL…). */
  readonly external?: ExternalMeta
}

/**
 * Runs `fn` on each finished entry with its temporary file's `path` (or an
 * external upload's meta), then deletes the files and drops the entries;
 * resolves with what `fn` returned. Copy or move the file inside `fn`: it is
 * gone afterwards.
 */
export async function consumeUploadedEntries<A extends object, T>(
  socket: LiveSocket<A>,
  name: string,
  fn: (file: UploadedFile, entry: UploadEntry) => T | Promise<T>,
): Promise<T[]> {
  const config = configOf(socket, name, 'consumeUploadedEntries')
  const registry = socket[kLive].host?.uploads
  const done = config.entries.filter((entry) => entry.done)
  const results: T[] = []
  const consumed = new Set<string>()
  try {
    for (const entry of done) {
      const external = config.externalMeta(entry.ref)
      if (external !== undefined) {
        results.push(await fn({ path: '', external }, entry))
        consumed.add(entry.ref)
        continue
      }
      const slot = registry?.byKey(slotKey(socket.id, config.ref, entry.ref))
      if (slot === undefined) continue
      await slot.settle()
      results.push(await fn({ path: slot.path }, entry))
      consumed.add(entry.ref)
    }
  } finally {
    await release(socket, config, consumed)
    publish(socket)
  }
  return results
}

/** The errors of an upload (`too_many_files`), or of one of its entries (`too_large`, `not_accepted`). */
export function uploadErrors(upload: LiveUpload, entry?: UploadEntry): readonly string[] {
  return entry === undefined ? upload.errors : entry.errors
}

/** @internal Puts the current snapshot of every upload into `assigns.uploads`. */
export function publish<A extends object>(socket: LiveSocket<A>): void {
  const uploads: Record<string, LiveUpload> = {}
  for (const [name, config] of socket[kLive].uploads ?? []) uploads[name] = config.snapshot()
  socket.assign({ uploads } as unknown as Partial<A>)
}

async function release<A extends object>(
  socket: LiveSocket<A>,
  config: UploadConfig,
  refs: ReadonlySet<string>,
): Promise<void> {
  const registry = socket[kLive].host?.uploads
  for (const ref of refs) {
    const slot = registry?.byKey(slotKey(socket.id, config.ref, ref))
    if (slot !== undefined) await registry?.release(slot)
  }
  config.remove(refs)
}

function configOf<A extends object>(
  socket: LiveSocket<A>,
  name: string,
  operation: string,
): UploadConfig {
  const config = socket[kLive].uploads?.get(name)
  if (config === undefined) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `${operation}(${describe(name)}): no such upload; declare it with allowUpload(socket, ${describe(name)}, {...}) in mount`,
    )
  }
  return config
}
