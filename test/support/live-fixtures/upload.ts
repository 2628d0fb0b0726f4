/**
 * `/lv/upload`: uploads through the official client.
 *
 * - `#upload-form` (`phx-change="validate"`, `phx-submit="save"`) holds the
 *   `doc` input: `.txt` / `text/plain`, at most 2 files of 200,000 bytes,
 *   sent in 16,000-byte chunks on submit. Each picked file is listed as
 *   `#entry-<ref>` (name, `progress%`, errors); submitting consumes the
 *   finished files into `#saved`: one `<li>` per file with its name, size and
 *   SHA-256 as the server read them from disk.
 * - `#auto-form` holds the `auto` input (any type, one file, autoUpload):
 *   the file is sent as soon as it is picked; `#auto-progress` shows its
 *   progress and `#auto-done` appears when it is complete.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import {
  allowUpload,
  consumeUploadedEntries,
  html,
  type LiveUpload,
  type LiveView,
  liveFileInput,
} from '../../../src/index.ts'

type Saved = { name: string; size: number; sha256: string }
type Assigns = { uploads: Record<string, LiveUpload>; saved: Saved[]; pageTitle: string }

export const UploadLive: LiveView<Assigns> = {
  name: 'UploadLive',
  mount(_params, _session, socket) {
    socket.assign({ saved: [], pageTitle: 'Upload' })
    allowUpload(socket, 'doc', {
      accept: ['.txt', 'text/plain'],
      maxEntries: 2,
      maxFileSize: 200_000,
      chunkSize: 16_000,
    })
    allowUpload(socket, 'auto', { accept: 'any', autoUpload: true })
  },
  async handleEvent(event, _value, socket) {
    if (event === 'validate') return
    if (event === 'save') {
      const saved = await consumeUploadedEntries(socket, 'doc', async ({ path }, entry) => {
        const bytes = await readFile(path)
        return {
          name: entry.clientName,
          size: bytes.byteLength,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        }
      })
      socket.update('saved', (list) => [...list, ...saved])
      return
    }
    throw new Error(`UploadLive has no event ${event}`)
  },
  render: ({ uploads, saved }) => {
    const doc = uploads.doc as LiveUpload
    const auto = uploads.auto as LiveUpload
    const autoEntry = auto.entries[0]
    return html`<div id="upload">
  <form id="upload-form" phx-change="validate" phx-submit="save">
    ${liveFileInput(doc)}
    <button id="save" type="submit">save</button>
  </form>
  <ul id="entries">${doc.entries.map(
    (entry) =>
      html`<li id=${`entry-${entry.ref}`}>${entry.clientName} ${entry.progress}%${entry.errors.map((e) => html` <span class="error">${e}</span>`)}</li>`,
  )}</ul>
  <p id="doc-errors">${doc.errors.join(' ')}</p>
  <ul id="saved">${saved.map((file) => html`<li>${file.name} ${file.size} ${file.sha256}</li>`)}</ul>
  <form id="auto-form" phx-change="validate">${liveFileInput(auto)}</form>
  <p id="auto-progress">${autoEntry === undefined ? '' : `${autoEntry.progress}`}</p>
  ${autoEntry?.done === true ? html`<p id="auto-done">${autoEntry.clientName}</p>` : ''}
</div>`
  },
}
