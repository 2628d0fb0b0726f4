/**
 * `liveFileInput(upload)`: the `<input type="file">` the official client
 * drives (its `Phoenix.LiveFileUpload` hook), with the entry refs it reads
 * to know what is active, preflighted and done. Put it in a form with
 * `phx-change` (picking files is a change) and usually `phx-submit`.
 */
import { html, type Template } from '../html.ts'
import type { LiveUpload } from './upload-config.ts'

/** Extra attributes for the input (`class`, `aria-label`…), rendered as given. */
export type FileInputAttributes = Readonly<
  Record<string, string | number | boolean | null | undefined>
>

/** The `<input type="file">` of an upload, wired to the official client's upload hook. */
export function liveFileInput(upload: LiveUpload, attributes: FileInputAttributes = {}): Template {
  const refs = (pick: (e: LiveUpload['entries'][number]) => boolean) =>
    upload.entries
      .filter(pick)
      .map((entry) => entry.ref)
      .join(',')
  return html`<input id=${upload.ref} type="file" name=${upload.name} accept=${upload.accept === 'any' ? null : upload.accept.join(',')} data-phx-hook="Phoenix.LiveFileUpload" data-phx-update="ignore" data-phx-upload-ref=${upload.ref} data-phx-active-refs=${refs(() => true)} data-phx-done-refs=${refs((e) => e.done)} data-phx-preflighted-refs=${refs((e) => e.preflighted)} data-phx-error-refs=${refs((e) => !e.valid)} data-phx-auto-upload=${upload.autoUpload} multiple=${upload.maxEntries > 1} ${attributes} />`
}
