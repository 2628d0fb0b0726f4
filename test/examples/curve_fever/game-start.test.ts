/**
 * The first seconds of a game in Chromium: the countdown follows the second player at once,
 * streaming at the full rate.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import type { CurveFever } from '../../../examples/curve_fever/app.ts'
import { connected, launchChromium, signIn, startApp, waitForGame } from './support.ts'

let app: CurveFever
let browser: Browser

before(async () => {
  app = await startApp()
  browser = await launchChromium()
})

after(async () => {
  await browser?.close()
  await app?.stop()
})

/** Clicks "Add a bot" in the page and times, there, how long until the countdown shows. */
function addBotAndTimeCountdown(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const view = (window as unknown as { curveFever: { phase: string } }).curveFever
        const t0 = performance.now()
        document.getElementById('add-bot')?.click()
        const poll = (): void => {
          const ms = performance.now() - t0
          if (view.phase === 'countdown') resolve(ms)
          else if (ms > 10_000) reject(new Error(`still ${view.phase} after 10 s`))
          else setTimeout(poll, 5)
        }
        poll()
      }),
  )
}

describe('starting a game', () => {
  it('starts the countdown at once when a bot arrives, and streams it at the full rate', async () => {
    const eve = await signIn(browser, app.url, 'Eve')
    const id = await app.rooms.create({ name: 'Quick start' })
    await eve.page.goto(`${app.url}/game/${id}`)
    await connected(eve.page)
    await waitForGame(eve.page, (s) => s.joined && s.snapshots > 0, 'the join')
    const ms = await addBotAndTimeCountdown(eve.page)
    assert.ok(ms <= 300, `the countdown showed ${Math.round(ms)} ms after "Add a bot"`)
    const before = (await waitForGame(eve.page, () => true, 'state')).frames
    await eve.page.waitForTimeout(500)
    const during = await waitForGame(eve.page, () => true, 'state')
    assert.equal(during.phase, 'countdown', 'still counting down (1 s in these rooms)')
    const rate = (during.frames - before) / 0.5
    assert.ok(rate >= 15, `${rate} frames/s during the countdown, expected about 20`)
    assert.deepEqual(eve.errors, [])
    await eve.context.close()
  })
})
