/**
 * The first seconds of a game in Chromium: the countdown follows the second player at once,
 * streaming at the full rate; a player who joins during the countdown plays that round, and one
 * who joins later is told they play from the next.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import type { CurveFever } from '../../../examples/curve_fever/app.ts'
import { connected, launchChromium, QUICK_ROOMS, signIn, startApp, waitForGame } from './support.ts'

let app: CurveFever
let browser: Browser

before(async () => {
  // A countdown long enough for a second browser to join during it, and curves slow enough
  // (at least 3 s to a wall) for a third to join while they fly.
  app = await startApp({
    room: {
      ...QUICK_ROOMS,
      game: { ...QUICK_ROOMS.game, countdownMs: 3000, speed: 30, targetScore: 10 },
    },
  })
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
  it('starts the countdown at once when a bot arrives, and streams it at the full rate', async (t) => {
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
    assert.equal(during.phase, 'countdown', 'still counting down (3 s in these rooms)')
    const rate = (during.frames - before) / 0.5
    assert.ok(rate >= 15, `${rate} frames/s during the countdown, expected about 20`)
    t.diagnostic(`countdown ${Math.round(ms)} ms after "Add a bot", then ${rate} frames/s`)
    assert.deepEqual(eve.errors, [])
    await eve.context.close()
  })

  it('seats a player who joins during the countdown in that round, and tells a later one', async () => {
    const ivy = await signIn(browser, app.url, 'Ivy')
    const hal = await signIn(browser, app.url, 'Hal')
    const jo = await signIn(browser, app.url, 'Jo')
    const id = await app.rooms.create({ name: 'Late comers' })
    await ivy.page.goto(`${app.url}/game/${id}`)
    await connected(ivy.page)
    await waitForGame(ivy.page, (s) => s.joined, 'Ivy to join')
    await ivy.page.click('#add-bot')
    await waitForGame(ivy.page, (s) => s.phase === 'countdown', 'the countdown')

    await hal.page.goto(`${app.url}/game/${id}`)
    await connected(hal.page)
    const joined = await waitForGame(hal.page, (s) => s.joined, 'Hal to join')
    assert.equal(joined.phase, 'countdown', 'Hal joined during the countdown')
    assert.ok(joined.notices.includes('You are in: steer with ← →'), JSON.stringify(joined))
    const flying = await waitForGame(hal.page, (s) => s.phase === 'running', 'the round')
    const halRow = flying.scores.find((r) => r.name === 'Hal')
    assert.equal(halRow?.alive, true, `Hal flies this round: ${JSON.stringify(flying.scores)}`)

    await jo.page.goto(`${app.url}/game/${id}`)
    await connected(jo.page)
    const late = await waitForGame(jo.page, (s) => s.joined && s.frames > 0, 'Jo to join')
    assert.equal(late.phase, 'running', 'Jo joined while the curves fly')
    assert.ok(
      late.notices.some((n) => /next round/.test(n)),
      `Jo is told: ${JSON.stringify(late.notices)}`,
    )
    assert.ok(!late.notices.some((n) => /You are in/.test(n)))
    assert.equal(late.scores.find((r) => r.name === 'Jo')?.alive, false, 'Jo sits this one out')
    assert.deepEqual([...ivy.errors, ...hal.errors, ...jo.errors], [])
    for (const p of [ivy, hal, jo]) await p.context.close()
  })
})
