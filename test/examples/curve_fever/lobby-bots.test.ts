/**
 * Bots in the lobby, in Chromium: a room where only bots are left leaves the list at once and
 * closes soon after, and bots' wins are kept apart from the people's leaderboard.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import type { CurveFever } from '../../../examples/curve_fever/app.ts'
import { connected, launchChromium, QUICK_ROOMS, signIn, startApp, waitForGame } from './support.ts'

const GRACE_MS = 2000

let app: CurveFever
let browser: Browser

before(async () => {
  app = await startApp({ room: { ...QUICK_ROOMS, graceMs: GRACE_MS } })
  browser = await launchChromium()
})

after(async () => {
  await browser?.close()
  await app?.stop()
})

describe('bots in the lobby', () => {
  it('hides and closes a room left to bots, and ranks people apart from bots', async (t) => {
    const kim = await signIn(browser, app.url, 'Kim')
    const lee = await signIn(browser, app.url, 'Lee')
    const id = await app.rooms.create({ name: 'Bot arena' })
    await kim.page.goto(`${app.url}/game/${id}`)
    await connected(kim.page)
    await waitForGame(kim.page, (s) => s.joined, 'Kim to join')
    await kim.page.click('#add-bot')
    await kim.page.click('#add-bot')
    await waitForGame(kim.page, (s) => s.scores.length === 3, 'two bots')
    await lee.page.waitForSelector(`#game-${id}`)

    // Kim leaves: once her seat's grace is over only bots are left, and nobody watches.
    const left = Date.now()
    await kim.page.click('#back')
    await kim.page.waitForURL(`${app.url}/lobby`)
    await lee.page.waitForSelector(`#game-${id}`, { state: 'detached', timeout: GRACE_MS + 3000 })
    const hiddenAfter = Date.now() - left
    for (;;) {
      if (app.rooms.whereis(id) === undefined) break
      assert.ok(Date.now() - left < 20_000, 'the room closes within 20 s of Kim leaving')
      await lee.page.waitForTimeout(200)
    }
    const closedAfter = Date.now() - left
    assert.ok(hiddenAfter < closedAfter, `hidden after ${hiddenAfter} ms, closed ${closedAfter} ms`)
    t.diagnostic(`off the lobby ${hiddenAfter} ms after Kim left, closed after ${closedAfter} ms`)

    // A bot's win and a person's: the leaderboard ranks people; bots get a line of their own.
    app.lobby.recordWin({ id: 'bot-zzzzzzzz-1', name: 'Zed (bot)', bot: true })
    app.lobby.recordWin({ id: 'u-kim', name: 'Kim', bot: false })
    await lee.page.locator('#leaderboard li', { hasText: 'Kim' }).waitFor()
    await lee.page.locator('#bot-wins', { hasText: /Bots: \d+ wins?/ }).waitFor()
    assert.equal(await lee.page.locator('#leaderboard li', { hasText: '(bot)' }).count(), 0)
    assert.deepEqual([...kim.errors, ...lee.errors], [])
    await kim.context.close()
    await lee.context.close()
  })
})
