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
import { connected, launchChromium, signIn, startApp } from './support.ts'

let app: CurveFever
let browser: Browser

before(async () => {
  setLogger({ error: () => {}, warn: () => {}, info: () => {} })
  // 3 chat lines and one game per player here, and a server that runs at most 3 games.
  app = await startApp({
    limits: {
      chat: { burst: 3, perSecond: 0.1 },
      newGames: { burst: 1, perSecond: 0.001 },
      maxRooms: 3,
    },
  })
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

  it('refuses chat lines sent too fast, saying so and keeping the line', async () => {
    const ivy = await signIn(browser, app.url, 'Ivy')
    for (let i = 1; i <= 3; i++) {
      await ivy.page.fill(CHAT_INPUT, `line ${i}`)
      await ivy.page.press(CHAT_INPUT, 'Enter')
      await ivy.page.waitForSelector(`#chat-messages .msg:has-text("line ${i}")`)
    }
    await ivy.page.fill(CHAT_INPUT, 'line 4')
    await ivy.page.press(CHAT_INPUT, 'Enter')
    await ivy.page.waitForSelector('#chat-error:has-text("Slow down: you can send again in")')
    assert.equal(await ivy.page.inputValue(CHAT_INPUT), 'line 4')
    assert.equal(await ivy.page.locator('#chat-messages .msg:has-text("line 4")').count(), 0)
    // "Wait N s" goes once it is no longer true (here within 10 s); then the line goes through.
    await ivy.page.waitForFunction(
      () => (document.getElementById('chat-error')?.textContent ?? '').trim() === '',
      undefined,
      { timeout: 15_000 },
    )
    await ivy.page.press(CHAT_INPUT, 'Enter')
    await ivy.page.waitForSelector('#chat-messages .msg:has-text("line 4")')
    assert.deepEqual(ivy.errors, [])
    await ivy.context.close()
  })

  it('says so in the page when a player starts games too fast, or the server runs its maximum', async () => {
    const jon = await signIn(browser, app.url, 'Jon')
    await jon.page.click('#new-game')
    await jon.page.waitForURL(/\/game\/[a-z0-9]{8}$/)
    await jon.page.goto(`${app.url}/lobby`)
    await connected(jon.page)
    await jon.page.click('#new-game')
    await jon.page.waitForSelector('#games-error:has-text("you can start another in")')
    assert.match(jon.page.url(), /\/lobby$/)

    // Fill the server (3 rooms), then someone else tries.
    while (app.rooms.localIds().length < 3) await app.rooms.create({ name: 'Filler' })
    const kim = await signIn(browser, app.url, 'Kim')
    await kim.page.click('#new-game')
    await kim.page.waitForSelector('#games-error:has-text("maximum of 3 games")')
    assert.match(kim.page.url(), /\/lobby$/)
    // The page lives on: not crashed, still connected, the chat still works.
    assert.equal(await kim.page.locator('[data-phx-main].phx-server-error').count(), 0)
    await connected(kim.page)
    await kim.page.fill(CHAT_INPUT, 'still here')
    await kim.page.press(CHAT_INPUT, 'Enter')
    await kim.page.waitForSelector('#chat-messages .msg:has-text("still here")')
    assert.deepEqual([...jon.errors, ...kim.errors], [])
    await jon.context.close()
    await kim.context.close()
  })
})
