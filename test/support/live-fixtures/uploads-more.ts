/**
 * `/lv/uploads-more`: uploads beyond the view's own form.
 *
 * - A live component (`#avatar-box`) owns the `avatar` upload; its form
 *   `#avatar-form` targets the component (`phx-target`), lists the entries
 *   as `#avatar-entry-<ref>` and, on submit, shows `#avatar-saved` with the
 *   names and sizes it consumed.
 * - The view's `photo` upload has an external uploader: preflight hands the
 *   client `{ uploader: 'Fake', key, url: '/lv/fake-storage?key=…' }`; the
 *   fixtures' client (`Uploaders.Fake`) POSTs the file there and reports
 *   progress. Submitting `#photo-form` consumes it into `#photo-saved`
 *   (`key size`, the size as the fake storage received it).
 * - `stall` (a 300 ms chunkTimeout, autoUpload) for the server-side chunk
 *   timeout test.
 */
import { readFile } from 'node:fs/promises'
import {
  allowUpload,
  type Conn,
  consumeUploadedEntries,
  html,
  type LiveComponent,
  type LiveUpload,
  type LiveView,
  liveComponent,
  liveFileInput,
  text,
} from '../../../src/extend.ts'

/** What the fake object storage received, by key. */
const stored = new Map<string, number>()

/** `POST /lv/fake-storage?key=K`: stores the body's size under K. */
export async function fakeStorage(conn: Conn): Promise<Conn> {
  const key = new URLSearchParams(conn.queryString).get('key') ?? ''
  const body = await conn.readBody({ limit: 10_000_000 })
  stored.set(key, body.byteLength)
  return text(conn.putRespHeader('access-control-allow-origin', '*'), 'stored')
}

type AvatarAssigns = { uploads: Record<string, LiveUpload>; saved: string[] }

const AvatarBox: LiveComponent<AvatarAssigns> = {
  name: 'AvatarBox',
  mount(socket) {
    socket.assign({ saved: [] })
    allowUpload(socket, 'avatar', { accept: 'any', maxEntries: 2, chunkSize: 1_000 })
  },
  async handleEvent(event, _value, socket) {
    if (event !== 'save') return
    const saved = await consumeUploadedEntries(socket, 'avatar', async ({ path }, entry) => {
      const bytes = await readFile(path)
      return `${entry.clientName} ${bytes.byteLength}`
    })
    socket.update('saved', (list) => [...list, ...saved])
  },
  render: ({ uploads, saved, myself }) => {
    const avatar = uploads.avatar as LiveUpload
    return html`<div id="avatar-box">
  <form id="avatar-form" phx-change="validate" phx-submit="save" phx-target=${myself}>
    ${liveFileInput(avatar)}
    <button id="avatar-save" type="submit">save</button>
  </form>
  <ul>${avatar.entries.map((e) => html`<li id=${`avatar-entry-${e.ref}`}>${e.clientName} ${e.progress}%</li>`)}</ul>
  <p id="avatar-saved">${saved.join(', ')}</p>
</div>`
  },
}

type Assigns = { uploads: Record<string, LiveUpload>; photos: string[]; pageTitle: string }

export const UploadsMoreLive: LiveView<Assigns> = {
  name: 'UploadsMoreLive',
  mount(_params, _session, socket) {
    socket.assign({ photos: [], pageTitle: 'More uploads' })
    allowUpload(socket, 'photo', {
      accept: 'any',
      external: (entry) => {
        const key = `photo-${entry.uuid.slice(0, 8)}-${entry.clientName}`
        return { uploader: 'Fake', key, url: `/lv/fake-storage?key=${encodeURIComponent(key)}` }
      },
    })
    allowUpload(socket, 'stall', { accept: 'any', autoUpload: true, chunkTimeout: 300 })
  },
  async handleEvent(event, _value, socket) {
    if (event !== 'save') return
    const photos = await consumeUploadedEntries(socket, 'photo', ({ external }) => {
      const key = String(external?.key)
      return `${key} ${stored.get(key) ?? 'missing'}`
    })
    socket.update('photos', (list) => [...list, ...photos])
  },
  render: ({ uploads, photos }) => html`<div id="uploads-more">
  ${liveComponent(AvatarBox, { id: 'avatar' })}
  <form id="photo-form" phx-change="validate" phx-submit="save">
    ${liveFileInput(uploads.photo as LiveUpload)}
    <button id="photo-save" type="submit">save</button>
  </form>
  <ul>${(uploads.photo as LiveUpload).entries.map((e) => html`<li id=${`photo-entry-${e.ref}`}>${e.clientName} ${e.progress}%</li>`)}</ul>
  <p id="photo-saved">${photos.join(', ')}</p>
  <form id="stall-form" phx-change="validate">${liveFileInput(uploads.stall as LiveUpload)}</form>
</div>`,
}
