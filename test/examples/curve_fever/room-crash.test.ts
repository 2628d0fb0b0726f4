/**
 * A room crash as a player sees it in Chromium: the restarted room shows the match going on
 * with its scores (never an empty room at 0 first), and a room that keeps crashing says so in
 * words, with the way back to the lobby.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import type { CurveFever } from '../../../examples/curve_fever/app.ts'
import { setLogger } from '../../../src/index.ts'
import {
  connected,
  type GameState,
  launchChromium,
  QUICK_ROOMS,
  signIn,
  startApp,
  waitForGame,
} from './support.ts'

let app: CurveFever
let browser: Browser

before(async () => {
  setLogger({ error: () => {}, warn: () => {}, info: () => {} })
  app = await startApp({
    room: {
      ...QUICK_ROOMS,
      maxCrashes: 3,
      game: { ...QUICK_ROOMS.game, targetScore: 20 },
    },
  })
  browser = await launchChromium()
})

after(async () => {
  await browser?.close()
  await app?.stop()
})

interface Sample {
  readonly phase: string
  readonly best: number
}

/** Records, in the page, the phase and the best score every 10 ms until `stop` is called. */
async function record(page: Page): Promise<() => Promise<Sample[]>> {
  await page.evaluate(() => {
    const w = window as unknown as {
      curveFever: GameState
      samples: { phase: string; best: number }[]
      recorder: number
    }
    w.samples = []
    w.recorder = window.setInterval(() => {
      const s = w.curveFever
      w.samples.push({ phase: s.phase, best: Math.max(0, ...s.scores.map((r) => r.score)) })
    }, 10)
  })
  return () =>
    page.evaluate(() => {
      const w = window as unknown as { samples: Sample[]; recorder: number }
      clearInterval(w.recorder)
      return w.samples
    })
}

async function crashAndRejoin(page: Page, crashes: number): Promise<void> {
  await page.click('#crash-room')
  await waitForGame(
    page,
    (s) => s.joined && s.notices.filter((n) => /restarted/.test(n)).length >= crashes,
    `the rejoin after crash ${crashes}`,
  )
}

describe('a room crash, as the player sees it', () => {
  it('restores the scores at once, and closes a crash loop with words and a way back', async () => {
    const gil = await signIn(browser, app.url, 'Gil')
    const id = await app.rooms.create({ name: 'Fragile' })
    await gil.page.goto(`${app.url}/game/${id}`)
    await connected(gil.page)
    await waitForGame(gil.page, (s) => s.joined, 'the join')
    await gil.page.click('#add-bot')
    // Gil never steers: someone scores in the first round.
    const scored = await waitForGame(
      gil.page,
      (s) => s.round >= 2 && s.scores.some((r) => r.score > 0),
      'a point scored',
      30_000,
    )
    const best = Math.max(...scored.scores.map((r) => r.score))

    const stop = await record(gil.page)
    await crashAndRejoin(gil.page, 1)
    await gil.page.waitForTimeout(1000)
    const samples = await stop()
    const flashes = samples.filter((s) => s.phase === 'waiting' || s.best < best)
    assert.deepEqual(flashes.slice(0, 3), [], `${flashes.length} of ${samples.length} samples`)

    await crashAndRejoin(gil.page, 2)
    await gil.page.click('#crash-room')
    const gone = await waitForGame(gil.page, (s) => s.gone !== null, 'the room to close', 15_000)
    assert.match(gone.gone ?? '', /crashed 3 times in a row/)
    await gil.page.waitForSelector('#notice a#back-to-lobby[href="/lobby"]')
    const notice = (await gil.page.textContent('#notice')) ?? ''
    assert.doesNotMatch(notice, /there is no game/)
    assert.match(notice, /crashed 3 times in a row/)
    assert.deepEqual(gil.errors, [])
    await gil.context.close()
  })
})
