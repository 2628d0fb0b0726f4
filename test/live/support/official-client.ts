/**
 * The official phoenix_live_view client's `Rendered` (the class that merges
 * diffs into its cache and turns the cache into HTML), bundled from the npm
 * package's sources with esbuild and loaded in Node. Tests apply our diffs to it
 * and compare its HTML with a fresh full render: the gold standard.
 */

import { mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { buildSync } from 'esbuild'

const require = createRequire(import.meta.url)
// main is priv/static/phoenix_live_view.cjs.js; the sources are under assets/js
const pkg = join(dirname(require.resolve('phoenix_live_view')), '..', '..')
const bundle = buildSync({
  entryPoints: [join(pkg, 'assets/js/phoenix_live_view/rendered.js')],
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
  logLevel: 'error',
})
const code = bundle.outputFiles[0]?.text ?? ''

interface RenderedInstance {
  mergeDiff(diff: unknown): void
  toString(): { buffer: string; streams: Set<unknown> }
}
type RenderedClass = {
  new (viewId: string, rendered: unknown): RenderedInstance
  extract(diff: unknown): { diff: unknown; title?: string; reply: unknown; events: unknown[] }
}

// The client reads `window` (deepClone checks for structuredClone there; errors
// dispatch a diagnostic event). Node has both on globalThis but no `window`.
const g = globalThis as { window?: unknown; dispatchEvent?: unknown }
g.window ??= globalThis
g.dispatchEvent ??= () => true

const file = join(mkdtempSync(join(tmpdir(), 'cinder-lv-')), 'rendered.mjs')
writeFileSync(file, code)
const { default: Rendered } = (await import(pathToFileURL(file).href)) as {
  default: RenderedClass
}

/** What the client's View does with a join render and each diff, without the DOM. */
export class OfficialClient {
  readonly #rendered: RenderedInstance
  title: string | undefined
  reply: unknown = null
  events: unknown[] = []
  /** Stream annotations the last render produced (the client applies them to the DOM). */
  streams: unknown[] = []

  constructor(join: unknown, viewId = 'phx-test') {
    // The wire is JSON: round-trip, so nothing is shared with the server's objects.
    const extracted = Rendered.extract(JSON.parse(JSON.stringify(join)))
    this.title = extracted.title
    this.#rendered = new Rendered(viewId, extracted.diff)
  }

  apply(diff: unknown): void {
    const extracted = Rendered.extract(JSON.parse(JSON.stringify(diff)))
    if (extracted.title !== undefined) this.title = extracted.title
    this.reply = extracted.reply
    this.events = extracted.events
    this.#rendered.mergeDiff(extracted.diff)
  }

  /** The HTML the client would patch in, without the attributes it adds to component roots. */
  html(): string {
    const { buffer, streams } = this.#rendered.toString()
    this.streams = [...streams]
    return buffer.replace(/ data-phx-(?:id|component|view)="[^"]*"/g, '')
  }

  /** The HTML with the client's component attributes left in. */
  rawHtml(): string {
    return this.#rendered.toString().buffer
  }
}
