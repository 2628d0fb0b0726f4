/**
 * `npm run dev` of a generated application in Chromium: a saved template shows in the page
 * within 2 s (the server restarts, the live-reload script reloads the page), and a saved
 * stylesheet is applied without a reload.
 */
import assert from 'node:assert/strict'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import {
  cinder,
  freePort,
  launchChromium,
  npmInstall,
  type Running,
  shellEnv,
  start,
  tempFolder,
} from './support.ts'

/** The bound from a save to the new text on the page. */
const UPDATE_WITHIN_MS = 2000

const folder = tempFolder()
const app = join(folder, 'devloop')
let browser: Browser
let dev: Running | undefined

before(async () => {
  const made = await cinder(['new', 'devloop'], folder)
  assert.equal(made.code, 0, made.output)
  const installed = await npmInstall(app)
  assert.equal(installed.code, 0, installed.output)
  browser = await launchChromium()
})

after(async () => {
  await dev?.stop()
  await browser?.close()
  rmSync(folder, { recursive: true, force: true })
})

/** Replaces `from` by `to` in a file of the app, as an editor saves it. */
function edit(path: string, from: RegExp, to: string): void {
  const file = join(app, path)
  const text = readFileSync(file, 'utf8')
  assert.match(text, from)
  writeFileSync(file, text.replace(from, to))
}

/** Saves a new heading and measures until the page shows it. */
async function saveHeading(page: Page, heading: string): Promise<number> {
  const saved = Date.now()
  edit('src/web/live/home-live.ts', /<h1>[^<]*<\/h1>/, `<h1>${heading}</h1>`)
  await page.waitForFunction(
    (text) => document.querySelector('h1')?.textContent === text,
    heading,
    {
      timeout: 30_000,
      polling: 20,
    },
  )
  return Date.now() - saved
}

test('a saved template reloads the page within 2 s; a saved stylesheet applies without one', async (t) => {
  const port = await freePort()
  const env = shellEnv({ PORT: String(port), CINDER_DEV_VERBOSE: '1' })
  dev = start('npm', ['run', 'dev'], { cwd: app, env })
  await dev.waitFor(/cinder dev: restarted in/, 120_000)
  const page = await browser.newPage()
  await page.goto(`http://127.0.0.1:${port}/`)
  await page.waitForSelector('[data-phx-main].phx-connected', { timeout: 15_000 })
  await page.waitForFunction(() => 'cinderLiveReload' in window)

  // A save restarts the server from a spare that has Cinder loaded; the everyday case is a save
  // after the next spare has loaded (each restart readies one), as here. Three saves: on a
  // shared machine one may land on a busy moment, so the median is held to the bound.
  const times: number[] = []
  for (const heading of ['Saved once', 'Saved twice', 'Saved thrice']) {
    await dev.waitFor(/spare server loaded/, 60_000, times.length + 1)
    times.push(await saveHeading(page, heading))
    await page.waitForSelector('[data-phx-main].phx-connected', { timeout: 15_000 })
  }
  const restarts = dev.output().match(/cinder dev: restarted .*/g)
  t.diagnostic(`template to page: ${times.join(', ')} ms; ${restarts?.join('; ')}`)
  const median = [...times].sort((a, b) => a - b)[1] ?? Number.POSITIVE_INFINITY
  assert.ok(median <= UPDATE_WITHIN_MS, `the page showed a change after ${median} ms (median)`)
  for (const ms of times) assert.ok(ms <= 3 * UPDATE_WITHIN_MS, `a change took ${ms} ms`)

  await page.waitForSelector('[data-phx-main].phx-connected', { timeout: 15_000 })
  await page.evaluate(() => {
    ;(window as unknown as { kept: boolean }).kept = true
  })
  edit('assets/css/app.css', /h1 \{\n {2}color: var\(--accent\);/, 'h1 {\n  color: rgb(1, 2, 3);')
  await page.waitForFunction(
    () => getComputedStyle(document.querySelector('h1') as Element).color === 'rgb(1, 2, 3)',
    undefined,
    { timeout: 10_000, polling: 20 },
  )
  const kept = await page.evaluate(() => (window as unknown as { kept?: boolean }).kept)
  assert.equal(kept, true, 'the stylesheet changed without a reload')
  await page.close()
})
