import { html, type Template } from '../../../src/index.ts'

/** The flash, as core components render it: each kind clears itself when clicked. */
export function flashMessages(flash: Readonly<Record<string, string>>): Template {
  return html`${Object.entries(flash).map(
    ([kind, message]) =>
      html`<p id=${`flash-${kind}`} class="flash" phx-click="lv:clear-flash" phx-value-key=${kind}>${message}</p>`,
  )}`
}
