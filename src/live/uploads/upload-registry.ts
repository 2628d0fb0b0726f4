/**
 * Where uploaded bytes go between the `lvu:` channel that receives them and
 * the view that consumes them. `allow_upload` opens a slot per accepted entry
 * and hands its token to the client; the client joins `lvu:<entry ref>` with
 * it, and that channel writes each chunk to the slot's temporary file. Tokens
 * are random (144 bits) and live only in this node's memory, next to the
 * socket that made them: an upload channel is always on the same connection
 * as its view.
 */
import { randomBytes } from 'node:crypto'
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** One accepted entry's file, from preflight until consumed or cancelled. */
export class UploadSlot {
  readonly token: string
  /** The view's container id, config ref and entry ref: the entry this slot is for. */
  readonly key: string
  readonly path: string
  /** The size the client announced, and the upload's limit. */
  readonly declaredSize: number
  readonly maxFileSize: number
  /** Milliseconds the upload channel waits for the next chunk before it closes. */
  readonly chunkTimeout: number
  received = 0
  /** Set when an upload channel joined with the token. */
  channel: { close(): void } | undefined
  #handle: Promise<FileHandle> | undefined
  #writes: Promise<unknown> = Promise.resolve()

  constructor(
    token: string,
    key: string,
    path: string,
    limits: { declaredSize: number; maxFileSize: number; chunkTimeout: number },
  ) {
    this.token = token
    this.key = key
    this.path = path
    this.declaredSize = limits.declaredSize
    this.maxFileSize = limits.maxFileSize
    this.chunkTimeout = limits.chunkTimeout
  }

  /** Appends a chunk (chunks are written in order). */
  write(chunk: Uint8Array): Promise<void> {
    this.received += chunk.byteLength
    this.#handle ??= open(this.path, 'w')
    const handle = this.#handle
    const written = this.#writes.then(async () => {
      await (await handle).write(chunk)
    })
    this.#writes = written
    return written
  }

  /** Waits for pending writes and closes the file (an empty file if nothing came). */
  async settle(): Promise<void> {
    this.#handle ??= open(this.path, 'w')
    await this.#writes
    await (await this.#handle).close().catch(() => {})
  }
}

export class UploadRegistry {
  readonly #slots = new Map<string, UploadSlot>()
  readonly #byKey = new Map<string, UploadSlot>()
  #dir: Promise<string> | undefined

  /** A slot for an accepted entry (its token goes to the client). */
  async open(
    key: string,
    declaredSize: number,
    maxFileSize: number,
    chunkTimeout: number,
  ): Promise<UploadSlot> {
    const existing = this.#byKey.get(key)
    if (existing !== undefined) return existing
    this.#dir ??= mkdtemp(join(tmpdir(), 'cinder-uploads-'))
    const token = randomBytes(18).toString('base64url')
    const path = join(await this.#dir, token)
    const slot = new UploadSlot(token, key, path, { declaredSize, maxFileSize, chunkTimeout })
    this.#slots.set(token, slot)
    this.#byKey.set(key, slot)
    return slot
  }

  /** The slot of `token`, for an upload channel's join. */
  byToken(token: unknown): UploadSlot | undefined {
    return typeof token === 'string' ? this.#slots.get(token) : undefined
  }

  byKey(key: string): UploadSlot | undefined {
    return this.#byKey.get(key)
  }

  /** Consumed or cancelled: close the upload channel, delete the file, forget the slot. */
  async release(slot: UploadSlot): Promise<void> {
    this.#slots.delete(slot.token)
    this.#byKey.delete(slot.key)
    slot.channel?.close()
    await slot.settle().catch(() => {})
    await rm(slot.path, { force: true })
  }
}

/** The registry key of an entry. */
export function slotKey(viewId: string, configRef: string, entryRef: string): string {
  return `${viewId}\u0000${configRef}\u0000${entryRef}`
}
