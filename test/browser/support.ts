/**
 * Browser tests: the conformance server's LiveView fixtures driven by the
 * official phoenix_live_view client in headless Chromium (Debian's package,
 * through playwright-core).
 */
import { existsSync } from 'node:fs'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import type { Endpoint } from '../../src/index.ts'
import { startConformanceServer } from '../support/conformance-server.ts'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Whether Chromium is installed (CI installs it; a missing one fails there, see browserOrSkip). */
export function chromiumPath(): string | undefined {
  return existsSync(CHROMIUM) ? CHROMIUM : undefined
}

export interface BrowserEnv {
  readonly browser: Browser
  readonly endpoint: Endpoint
  readonly base: string
  /**
   * A fresh context (own cookies) with a page that records the LiveView socket
   * frames, at `path`, joined. `setup` runs before the first navigation.
   */
  open(path: string, options?: OpenOptions): Promise<LivePage>
  close(): Promise<void>
}

export interface OpenOptions {
  readonly setup?: (page: Page) => Promise<void>
  /** Wait for the join (default true). */
  readonly join?: boolean
}

export interface Frame {
  readonly direction: 'sent' | 'received'
  /** A text frame's JSON, or '' for a binary frame. */
  readonly text: string
  /** A binary frame's bytes (upload chunks). */
  readonly bytes?: Buffer
}

export interface LivePage {
  readonly page: Page
  readonly context: BrowserContext
  /** Every WebSocket frame of the page's `/live` sockets, in order. */
  readonly frames: Frame[]
  /** Console errors and page errors. */
  readonly errors: string[]
  /** HTTP document requests the page made (full page loads). */
  readonly documents: string[]
}

export async function startBrowserEnv(): Promise<BrowserEnv> {
  const executablePath = chromiumPath()
  if (executablePath === undefined) throw new Error(`Chromium is not installed at ${CHROMIUM}`)
  const endpoint = await startConformanceServer({ port: 0, logger: quietLogger })
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  const base = `http://127.0.0.1:${endpoint.port}`
  const contexts: BrowserContext[] = []
  return {
    browser,
    endpoint,
    base,
    async open(path, options = {}) {
      const context = await browser.newContext()
      contexts.push(context)
      const page = await context.newPage()
      const frames: Frame[] = []
      const errors: string[] = []
      const documents: string[] = []
      page.on('websocket', (ws) => {
        if (!ws.url().includes('/live/websocket')) return
        ws.on('framesent', (f) => frames.push(frameOf('sent', f.payload)))
        ws.on('framereceived', (f) => frames.push(frameOf('received', f.payload)))
      })
      page.on('pageerror', (e) => errors.push(e.message))
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text())
      })
      page.on('request', (r) => {
        if (r.resourceType() === 'document') documents.push(r.url())
      })
      await options.setup?.(page)
      await page.goto(`${base}${path}`)
      if (options.join !== false) await connected(page)
      return { page, context, frames, errors, documents }
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {})
      await browser.close()
      await endpoint.stop()
    },
  }
}

/** Waits until the main LiveView has joined (class `phx-connected`). */
export async function connected(page: Page, timeout = 5000): Promise<void> {
  await page.waitForSelector('[data-phx-main].phx-connected', { timeout })
}

export async function textOf(page: Page, selector: string): Promise<string | null> {
  return page.locator(selector).textContent()
}

/** Waits for `selector`'s text to equal `text`. */
export async function waitText(
  page: Page,
  selector: string,
  text: string,
  timeout = 5000,
): Promise<void> {
  const [s, t] = [JSON.stringify(selector), JSON.stringify(text)]
  await page.waitForFunction(`document.querySelector(${s})?.textContent === ${t}`, null, {
    timeout,
  })
}

/** Waits until a frame sent (or received) satisfies `match`; fails with `what` after `timeout`. */
export async function waitForMessage(
  frames: readonly Frame[],
  direction: Frame['direction'],
  match: (message: unknown[]) => boolean,
  what: string,
  timeout = 5000,
): Promise<unknown[]> {
  for (const until = Date.now() + timeout; ; ) {
    const found = messages(frames, direction).find(match)
    if (found !== undefined) return found
    if (Date.now() > until) throw new Error(`no ${direction} frame: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function frameOf(direction: Frame['direction'], payload: string | Buffer): Frame {
  return typeof payload === 'string'
    ? { direction, text: payload }
    : { direction, text: '', bytes: Buffer.from(payload) }
}

/**
 * Parsed frames: `[joinRef, ref, topic, event, payload]`; a binary push
 * (kind 0: four length bytes, then the fields) has its bytes as payload.
 */
export function messages(frames: readonly Frame[], direction: Frame['direction']): unknown[][] {
  return frames
    .filter((f) => f.direction === direction)
    .map((f) => {
      if (f.bytes === undefined) return JSON.parse(f.text) as unknown[]
      const lengths = [...f.bytes.subarray(1, 5)]
      let at = 5
      const fields = lengths.map((length) => {
        const field = f.bytes?.subarray(at, at + length).toString('utf8')
        at += length
        return field
      })
      return [...fields, f.bytes.subarray(at)]
    })
}

const quietLogger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
}
