/**
 * `view.upload(form, name, files)`: what the official client does when a
 * user picks files in a `liveFileInput` and they are sent (Phoenix's
 * `file_input` + `render_upload`): the form change announcing the entries,
 * the `allow_upload` preflight, then per accepted entry its `lvu:` channel
 * with the file in `chunkSize` binary chunks and a `progress` report after
 * each. An entry the server refused (too large, not accepted…) is not sent;
 * its errors are in the page. For an upload with an `external` uploader the
 * bytes would go elsewhere: the helper reports it complete (progress 100),
 * as the client's uploader would once done.
 */
import type { FoundElement } from './html-query.ts'
import { find, findAll } from './html-query.ts'
import type { PushReply } from './live-view-test.ts'

/** A file to upload. */
export interface TestFile {
  readonly name: string
  readonly content: string | Uint8Array
  /** MIME type. Default `application/octet-stream`. */
  readonly type?: string
  readonly lastModified?: number
}

/** A channel of the same connection (an upload's `lvu:<entry ref>`). */
export interface TestChannel {
  readonly reply: PushReply
  push(event: string, payload: Uint8Array | Record<string, unknown>): Promise<PushReply>
  close(): Promise<void>
}

/** What the upload needs of the view under test. */
export interface UploadDriver {
  html(): string
  /** Pushes on the view's topic; the reply is applied (diff) before it resolves. */
  push(event: string, payload: Record<string, unknown>): Promise<PushReply>
  openChannel(topic: string, params: Record<string, unknown>): Promise<TestChannel>
  nextEntryRef(): string
}

export async function uploadFiles(
  view: UploadDriver,
  selector: string,
  name: string,
  files: readonly TestFile[],
): Promise<void> {
  const { form, input } = fileInput(view.html(), selector, name)
  const ref = input.attributes['data-phx-upload-ref'] as string
  const change = form.attributes['phx-change']
  if (change === undefined)
    throw new Error(`${selector} has no phx-change (an upload form needs one)`)
  const target = targetOf(form)
  const bytes = files.map((f) =>
    typeof f.content === 'string' ? Buffer.from(f.content) : f.content,
  )
  const entries = files.map((file, i) => ({
    ref: view.nextEntryRef(),
    name: file.name,
    size: bytes[i]?.byteLength ?? 0,
    type: file.type ?? 'application/octet-stream',
    last_modified: file.lastModified ?? Date.now(),
  }))
  const uploads = { [ref]: entries }
  await view.push('event', {
    type: 'form',
    event: change,
    value: '',
    meta: { _target: name },
    uploads,
    ...target,
  })
  const preflight = await view.push('allow_upload', { ref, entries, ...target })
  const accepted = preflight.response.entries
  if (typeof accepted !== 'object' || accepted === null) return
  const chunkSize = Number(
    (preflight.response.config as { chunk_size?: number })?.chunk_size ?? 64_000,
  )
  for (const [i, entry] of entries.entries()) {
    const meta = (accepted as Record<string, unknown>)[entry.ref]
    if (meta === undefined) continue
    const progress = (percent: number) =>
      view.push('progress', { ref, entry_ref: entry.ref, progress: percent, ...target })
    if (typeof meta !== 'string') {
      await progress(100) // external: the client's uploader sent it
      continue
    }
    await sendChunks(view, entry.ref, meta, bytes[i] ?? new Uint8Array(), chunkSize, progress)
  }
}

async function sendChunks(
  view: UploadDriver,
  entryRef: string,
  token: string,
  bytes: Uint8Array,
  chunkSize: number,
  progress: (percent: number) => Promise<PushReply>,
): Promise<void> {
  const channel = await view.openChannel(`lvu:${entryRef}`, { token })
  if (channel.reply.status !== 'ok') {
    throw new Error(
      `the upload channel refused the join: ${JSON.stringify(channel.reply.response)}`,
    )
  }
  for (let at = 0; at < bytes.byteLength || at === 0; at += chunkSize) {
    const chunk = bytes.subarray(at, at + chunkSize)
    const reply = await channel.push('chunk', chunk)
    if (reply.status !== 'ok') {
      throw new Error(`the upload channel refused a chunk: ${JSON.stringify(reply.response)}`)
    }
    const sent = Math.min(bytes.byteLength, at + chunkSize)
    await progress(bytes.byteLength === 0 ? 100 : Math.floor((sent / bytes.byteLength) * 100))
    if (bytes.byteLength === 0) break
  }
}

function fileInput(
  html: string,
  selector: string,
  name: string,
): { form: FoundElement; input: FoundElement } {
  const form = find(html, selector)
  if (form === undefined)
    throw new Error(`no form matches ${JSON.stringify(selector)} in:\n${html}`)
  const inputs = findAll(form.innerHtml, 'input').filter((i) => i.attributes.type === 'file')
  const input = inputs.find((i) => i.attributes.name === name)
  if (input === undefined || input.attributes['data-phx-upload-ref'] === undefined) {
    const names = inputs.map((i) => i.attributes.name).join(', ') || '(none)'
    throw new Error(
      `the form ${JSON.stringify(selector)} has no upload input ${JSON.stringify(name)}; its file inputs: ${names}`,
    )
  }
  return { form, input }
}

/** `phx-target="3"` (a component's `myself`): the upload is that component's. */
function targetOf(form: FoundElement): { cid?: number } {
  const target = form.attributes['phx-target']
  return target !== undefined && /^\d+$/.test(target) ? { cid: Number(target) } : {}
}
