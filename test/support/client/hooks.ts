/**
 * The application's LiveView hooks (`phx-hook="Name"`). A hook is an object
 * whose callbacks run with `this` bound to the element's hook instance
 * (`this.el`, `this.pushEvent`, `this.handleEvent`).
 */

interface HookContext {
  el: HTMLElement
  pushEvent(event: string, payload: unknown): Promise<unknown>
  handleEvent(event: string, callback: (payload: unknown) => void): void
}

/** Pushes `ping` when clicked and writes the server's reply into the element's `data-reply`. */
const Ping = {
  mounted(this: HookContext) {
    this.el.addEventListener('click', () => {
      void this.pushEvent('ping', { at: this.el.id }).then((reply) => {
        this.el.dataset.reply = JSON.stringify(reply)
      })
    })
  },
}

/** Listens to the server's `highlight` events and records the last one in `data-highlight`. */
const Highlight = {
  mounted(this: HookContext) {
    this.handleEvent('highlight', (payload) => {
      this.el.dataset.highlight = JSON.stringify(payload)
    })
  },
}

export const hooks = { Ping, Highlight }

interface UploadEntry {
  file: File
  meta: { url: string }
  progress(percent: number): void
  error(reason?: string): void
}

/**
 * External uploaders (`new LiveSocket(…, { uploaders })`): `Fake` POSTs the
 * file to the URL the server's presign gave, then reports it complete.
 */
export const uploaders = {
  Fake(entries: UploadEntry[]) {
    for (const entry of entries) {
      entry.progress(10)
      void fetch(entry.meta.url, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: entry.file,
      }).then(
        (response) =>
          response.ok ? entry.progress(100) : entry.error(`status ${response.status}`),
        () => entry.error('network'),
      )
    }
  },
}
