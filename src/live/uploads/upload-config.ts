/**
 * The state of one `allowUpload` (Phoenix.LiveView.UploadConfig): its
 * options, the entries the browser announced in a form change, and what
 * became of them (preflighted, progress, done, errors). The view's process
 * owns it; the `lvu:` channel only writes bytes to the file of an entry it
 * was given a token for (upload-registry.ts).
 *
 * Protocol (docs/protocol/liveview.md §4.5): a form change carries
 * `uploads: {ref: [entry…]}` → entries are validated and listed in the
 * input's `data-phx-active-refs`; `allow_upload` preflights them and hands
 * out tokens; the client joins `lvu:<entry ref>` with a token and pushes
 * binary chunks; `progress` events on the view's channel report percentages
 * until 100, when the entry is done.
 */
import { randomBytes } from 'node:crypto'
import { CinderError, describe } from '../../errors.ts'
import type { LiveSocket } from '../live-view.ts'

/** Options of `socket.allowUpload(name, options)`. */
export interface UploadOptions {
  /** `'any'`, or extensions and MIME types: `['.jpg', '.png', 'image/*']`. */
  readonly accept: 'any' | readonly string[]
  /** Most files at once. Default 1. */
  readonly maxEntries?: number
  /** Most bytes per file. Default 8 MB. */
  readonly maxFileSize?: number
  /** Bytes per chunk the client sends. Default 64,000 (under the socket's 64 KiB frame limit). */
  readonly chunkSize?: number
  /**
   * How long a chunk may take, ms. Default 10,000. The client waits this
   * long for each chunk's acknowledgement; the server closes an upload
   * channel that receives no chunk for this long (a stalled upload).
   */
  readonly chunkTimeout?: number
  /** Upload as soon as files are picked, not on submit. Default false. */
  readonly autoUpload?: boolean
  /**
   * Send the files somewhere else (object storage) instead of to the view:
   * called at preflight for each accepted entry, it returns the meta the
   * browser's uploader needs (a presigned URL…), with `uploader` naming the
   * function of the client's `new LiveSocket(…, { uploaders })` that sends
   * the file and reports progress. Default: none (the files come over the socket).
   */
  readonly external?: ExternalUploader
}

/** An external uploader's meta for one entry: `uploader` names the client's function. */
export interface ExternalMeta {
  readonly uploader: string
  readonly [key: string]: unknown
}

/** `allowUpload`'s `external` option (Phoenix's `external: &presign/2`). */
export type ExternalUploader = (
  entry: UploadEntry,
  // biome-ignore lint/suspicious/noExplicitAny: the socket of any view
  socket: LiveSocket<any>,
) => ExternalMeta | Promise<ExternalMeta>

/** Why an entry or a config was refused (Phoenix's atoms, as strings). */
export type UploadError =
  | 'too_large'
  | 'not_accepted'
  | 'too_many_files'
  | 'external_client_failure'

/** One file the browser announced. */
export interface UploadEntry {
  /** The client's ref (`"0"`, `"1"`… per page). */
  readonly ref: string
  /** A server-side unique id, e.g. for a stored file name. */
  readonly uuid: string
  readonly clientName: string
  readonly clientSize: number
  readonly clientType: string
  readonly clientLastModified: number | undefined
  /** Percent received, 0 to 100. */
  readonly progress: number
  readonly preflighted: boolean
  readonly done: boolean
  readonly valid: boolean
  readonly errors: readonly UploadError[]
}

/** What templates see in `assigns.uploads[name]` (a new object after every change). */
export interface LiveUpload {
  readonly name: string
  /** The input's id and the config's ref on the wire. */
  readonly ref: string
  readonly accept: 'any' | readonly string[]
  readonly maxEntries: number
  readonly maxFileSize: number
  readonly chunkSize: number
  readonly chunkTimeout: number
  readonly autoUpload: boolean
  readonly entries: readonly UploadEntry[]
  /** Errors of the whole upload (`too_many_files`). */
  readonly errors: readonly UploadError[]
}

/** What the client sends for each file (in form changes and `allow_upload`). */
interface ClientEntry {
  readonly ref: string
  readonly name: string
  readonly size: number
  readonly type: string
  readonly lastModified: number | undefined
}

const DEFAULTS = { maxEntries: 1, maxFileSize: 8_000_000, chunkSize: 64_000, chunkTimeout: 10_000 }

export class UploadConfig {
  readonly name: string
  readonly ref: string
  readonly options: Required<Omit<UploadOptions, 'accept' | 'external'>> &
    Pick<UploadOptions, 'accept' | 'external'>
  #entries: UploadEntry[] = []
  /** The external uploader's meta per entry ref (created on the first presign). */
  #external: Map<string, ExternalMeta> | undefined
  #errors: UploadError[] = []

  constructor(name: string, options: UploadOptions) {
    this.name = name
    this.ref = `phx-${randomBytes(9).toString('base64url')}`
    this.options = checkOptions(name, options)
  }

  get entries(): readonly UploadEntry[] {
    return this.#entries
  }

  /** The assign templates read. */
  snapshot(): LiveUpload {
    const { accept, maxEntries, maxFileSize, chunkSize, chunkTimeout, autoUpload } = this.options
    return {
      name: this.name,
      ref: this.ref,
      accept,
      maxEntries,
      maxFileSize,
      chunkSize,
      chunkTimeout,
      autoUpload,
      entries: this.#entries,
      errors: this.#errors,
    }
  }

  /** A form change listed these files: keep known ones, add and validate new ones. Returns their refs. */
  putEntries(raw: unknown): Set<string> {
    const announced = clientEntries(raw)
    const known = new Map(this.#entries.map((entry) => [entry.ref, entry]))
    const next: UploadEntry[] = []
    for (const client of announced) next.push(known.get(client.ref) ?? this.#newEntry(client))
    // Entries already uploading stay even if a later change omits them.
    for (const entry of this.#entries) {
      if (!next.some((e) => e.ref === entry.ref) && entry.preflighted) next.push(entry)
    }
    this.#entries = next
    this.#validateCount()
    return new Set(announced.map((entry) => entry.ref))
  }

  /**
   * `allow_upload`: the entries the client wants to send now. Returns the
   * refs accepted, or the errors (`[[ref, reason]]`) when any entry is invalid.
   */
  preflight(raw: unknown): { accepted: string[] } | { errors: Array<[string, UploadError]> } {
    const wanted = this.putEntries(raw)
    const errors: Array<[string, UploadError]> = []
    for (const entry of this.#entries) {
      if (!wanted.has(entry.ref)) continue
      for (const reason of entry.errors) errors.push([entry.ref, reason])
    }
    for (const reason of this.#errors) errors.push([this.ref, reason])
    if (errors.length > 0) return { errors }
    const accepted: string[] = []
    this.#entries = this.#entries.map((entry) => {
      if (!wanted.has(entry.ref)) return entry
      accepted.push(entry.ref)
      return { ...entry, preflighted: true }
    })
    return { accepted }
  }

  /** The external uploader's meta for `entry` (kept for `consumeUploadedEntries`). */
  async presign(entry: UploadEntry, socket: LiveSocket<object>): Promise<ExternalMeta> {
    const external = this.options.external as ExternalUploader
    const meta = await external(entry, socket)
    if (typeof meta !== 'object' || meta === null || typeof meta.uploader !== 'string') {
      throw new CinderError(
        'CINDER_ERR_BAD_RETURN',
        `the external uploader of ${describe(this.name)} must return { uploader: 'Name', … } (the client's Uploaders key), got: ${describe(meta)}`,
      )
    }
    this.#external ??= new Map()
    this.#external.set(entry.ref, meta)
    return meta
  }

  /** The meta an external uploader gave `entryRef`, if any. */
  externalMeta(entryRef: string): ExternalMeta | undefined {
    return this.#external?.get(entryRef)
  }

  /** A `progress` event: the percentage, or an error from the client. Returns the entry, if known. */
  progress(entryRef: string, progress: unknown): UploadEntry | undefined {
    const index = this.#entries.findIndex((entry) => entry.ref === entryRef)
    const entry = this.#entries[index]
    if (entry === undefined) return undefined
    let updated: UploadEntry
    if (typeof progress === 'number' && Number.isFinite(progress)) {
      const percent = Math.max(entry.progress, Math.min(100, Math.round(progress)))
      updated = { ...entry, progress: percent, done: percent === 100 }
    } else {
      updated = { ...entry, valid: false, errors: [...entry.errors, 'external_client_failure'] }
    }
    this.#entries = this.#entries.with(index, updated)
    return updated
  }

  /** Drops entries (consumed or cancelled). */
  remove(refs: ReadonlySet<string>): void {
    this.#entries = this.#entries.filter((entry) => !refs.has(entry.ref))
    for (const ref of refs) this.#external?.delete(ref)
    this.#validateCount()
  }

  /** The config's upload options for the `allow_upload` reply, in Phoenix's names. */
  wireConfig(): Record<string, number> {
    const { chunkSize, chunkTimeout, maxEntries, maxFileSize } = this.options
    return {
      chunk_size: chunkSize,
      chunk_timeout: chunkTimeout,
      max_entries: maxEntries,
      max_file_size: maxFileSize,
    }
  }

  #newEntry(client: ClientEntry): UploadEntry {
    const errors: UploadError[] = []
    if (client.size > this.options.maxFileSize) errors.push('too_large')
    if (!accepts(this.options.accept, client.name, client.type)) errors.push('not_accepted')
    return {
      ref: client.ref,
      uuid: randomBytes(16).toString('hex'),
      clientName: client.name,
      clientSize: client.size,
      clientType: client.type,
      clientLastModified: client.lastModified,
      progress: 0,
      preflighted: false,
      done: false,
      valid: errors.length === 0,
      errors,
    }
  }

  #validateCount(): void {
    this.#errors = this.#entries.length > this.options.maxEntries ? ['too_many_files'] : []
  }
}

function checkOptions(name: string, options: UploadOptions): UploadConfig['options'] {
  const accept = options?.accept
  if (accept !== 'any' && !(Array.isArray(accept) && accept.every((a) => typeof a === 'string'))) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `allowUpload(${describe(name)}) needs accept: 'any' or a list such as ['.jpg', 'image/*'], got: ${describe(accept)}`,
    )
  }
  const out = { ...DEFAULTS, autoUpload: false, ...options, accept }
  if (out.external !== undefined && typeof out.external !== 'function') {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `allowUpload(${describe(name)}) needs external to be a function (entry, socket) => meta, got: ${describe(out.external)}`,
    )
  }
  for (const key of ['maxEntries', 'maxFileSize', 'chunkSize', 'chunkTimeout'] as const) {
    if (!Number.isSafeInteger(out[key]) || out[key] < 1) {
      throw new CinderError(
        'CINDER_ERR_LIVE_BAD_ARG',
        `allowUpload(${describe(name)}) needs ${key} to be a positive integer, got: ${describe(out[key])}`,
      )
    }
  }
  return out
}

/** Entries as the client sends them; anything malformed is a clear error. */
function clientEntries(raw: unknown): ClientEntry[] {
  if (!Array.isArray(raw)) throw badEntries(raw)
  return raw.map((item) => {
    const entry = item as Record<string, unknown> | null
    const ref = entry?.ref
    const size = entry?.size
    if (typeof ref !== 'string' || typeof size !== 'number' || !Number.isSafeInteger(size)) {
      throw badEntries(item)
    }
    const lastModified = entry?.last_modified
    return {
      ref,
      size,
      name: typeof entry?.name === 'string' ? entry.name : '',
      type: typeof entry?.type === 'string' ? entry.type : '',
      lastModified: typeof lastModified === 'number' ? lastModified : undefined,
    }
  })
}

function badEntries(value: unknown): CinderError {
  return new CinderError(
    'CINDER_ERR_LIVE_BAD_EVENT',
    `upload entries are a list of {ref, name, size, type, last_modified}; got: ${describe(value)}`,
  )
}

/** Whether `accept` takes a file by extension or MIME type (`image/*` too). */
function accepts(accept: 'any' | readonly string[], name: string, type: string): boolean {
  if (accept === 'any') return true
  const lowerName = name.toLowerCase()
  const lowerType = type.toLowerCase()
  return accept.some((rule) => {
    const r = rule.toLowerCase()
    if (r.startsWith('.')) return lowerName.endsWith(r)
    if (r.endsWith('/*')) return lowerType.startsWith(r.slice(0, -1))
    return lowerType === r
  })
}
