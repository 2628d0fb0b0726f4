/**
 * The Curve Fever lobby in headless Chromium when things go wrong: a chat line that is too
 * long or too fast, a player who creates games without end, a server at its limit of rooms.
 * The page says what happened, keeps what was typed, and never crashes.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import type { CurveFever } from '../../../examples/curve_fever/app.ts'
import { setLogger } from '../../../src/index.ts'
import { launchChromium, signIn, startApp } from './support.ts'

let app: CurveFever
let browser: Browser

before(async () => {
  setLogger({ error: () => {}, warn: () => {}, info: () => {} })
  app = await startApp()
  browser = await launchChromium()
})

after(async () => {
  await browser?.close()
  await app?.stop()
})

const CHAT_INPUT = '#chat-form input[name=body]'

describe('Curve Fever: the lobby at its limits', () => {
  it('limits a chat line to 280 characters, and keeps the text the server refuses', async () => {
    const hal = await signIn(browser, app.url, 'Hal')
    await hal.page.fill(CHAT_INPUT, 'y'.repeat(300))
    assert.equal((await hal.page.inputValue(CHAT_INPUT)).length, 280, 'the field stops at 280')
    // Past the field's limit anyway (a script, an old browser): refused, and nothing is lost.
    const long = 'z'.repeat(300)
    await hal.page.evaluate(
      ([selector, text]) => {
        ;(document.querySelector(selector as string) as HTMLInputElement).value = text as string
      },
      [CHAT_INPUT, long],
    )
    await hal.page.press(CHAT_INPUT, 'Enter')
    await hal.page.waitForSelector('#chat-error:has-text("at most 280")')
    await hal.page.waitForTimeout(500)
    assert.equal(await hal.page.inputValue(CHAT_INPUT), long, 'the refused text is kept')
    assert.equal(await hal.page.locator('#chat-messages .msg').count(), 0)
    assert.deepEqual(hal.errors, [])
    await hal.context.close()
  })
})
