/**
 * Curve Fever in headless Chromium: two players sign in, see each other in the lobby, chat,
 * create and join a game, survive a room crash mid-game, play the match to its end, and find
 * the winner on the leaderboard. Screenshots go to test-artifacts/ (and docs/images for the
 * README).
 */
import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import type { CurveFever } from '../../../examples/curve_fever/app.ts'
import { repositoryRoot } from '../../../examples/curve_fever/web/assets.ts'
import { setLogger } from '../../../src/index.ts'
import { artifact, connected, launchChromium, signIn, startApp, waitForGame } from './support.ts'

let app: CurveFever
let browser: Browser
const crashes: string[] = []

before(async () => {
  setLogger({ error: (m) => crashes.push(m), warn: () => {}, info: () => {} })
  app = await startApp()
  browser = await launchChromium()
})

after(async () => {
  await browser?.close()
  await app?.stop()
})

describe('Curve Fever in the browser', () => {
  it('signs in, meets in the lobby, chats, plays a match through a room crash, and ranks the winner', async () => {
    const base = app.url
    const ada = await signIn(browser, base, 'Ada', '#ffff00')
    const bob = await signIn(browser, base, 'Bob <b>', '#ee8800')

    // The lobby: each sees the other (names with HTML stay text).
    await ada.page.waitForSelector('#online li:has-text("Bob <b>")')
    await bob.page.waitForSelector('#online li:has-text("Ada")')
    assert.equal(await ada.page.locator('#online b').count(), 0, 'no markup from a name')

    // Chat, with the typing indicator on the way.
    await bob.page.fill('#chat-form input[name=body]', 'hel')
    await ada.page.waitForSelector('#typing:has-text("Bob <b> is typing")')
    await bob.page.fill('#chat-form input[name=body]', 'hello Ada')
    await bob.page.press('#chat-form input[name=body]', 'Enter')
    await ada.page.waitForSelector('#chat-messages .msg:has-text("hello Ada")')
    await bob.page.waitForFunction(
      () =>
        (document.querySelector('#chat-form input[name=body]') as HTMLInputElement).value === '',
    )
    // A line longer than the chat takes stops at 280 in the field (browser-lobby.test.ts tries more).
    await ada.page.fill('#chat-form input[name=body]', 'x'.repeat(300))
    assert.equal((await ada.page.inputValue('#chat-form input[name=body]')).length, 280)
    await ada.page.fill('#chat-form input[name=body]', '')
    assert.equal(await bob.page.locator('#chat-messages .msg').count(), 1)
    await ada.page.screenshot({ path: artifact('curve-fever-lobby.png') })

    // Ada creates a game; Bob finds it in the lobby and joins.
    await ada.page.click('#new-game')
    await ada.page.waitForURL(/\/game\/[a-z0-9]{8}$/)
    const gameUrl = ada.page.url()
    const id = gameUrl.slice(-8)
    await waitForGame(ada.page, (s) => s.joined && s.role === 'player', 'Ada to join')
    await bob.page.waitForSelector(`#games a[href="/game/${id}"]`)
    await bob.page.click(`#games a[href="/game/${id}"]`)
    await bob.page.waitForURL(gameUrl)
    await connected(bob.page)
    await waitForGame(bob.page, (s) => s.joined && s.role === 'player', 'Bob to join')

    // The match starts by itself; Ada steers with the keyboard.
    await waitForGame(ada.page, (s) => s.phase === 'running', 'the first round')
    await ada.page.keyboard.down('ArrowLeft')
    await ada.page.waitForTimeout(300)
    await ada.page.keyboard.up('ArrowLeft')

    // A room crash mid-game: both rejoin the restarted room and play on.
    const framesBefore = (await waitForGame(bob.page, () => true, 'state')).frames
    await ada.page.click('#crash-room')
    for (const page of [ada.page, bob.page]) {
      await waitForGame(
        page,
        (s) => s.joined && s.notices.some((n) => /restarted/.test(n)),
        'the rejoin with a notice',
      )
    }
    assert.equal(crashes.filter((c) => /crashed on purpose/.test(c)).length, 1)
    await waitForGame(bob.page, (s) => s.frames > framesBefore + 20, 'frames after the restart')

    // The match to its end (one round decides it here).
    const over = await waitForGame(
      ada.page,
      (s) => s.phase === 'matchOver',
      'the end of the match',
      60_000,
    )
    const winner = over.scores[0]?.name
    assert.ok(winner === 'Ada' || winner === 'Bob <b>', `a winner: ${JSON.stringify(over.scores)}`)
    assert.ok(over.notices.some((n) => n.includes('wins the match')))
    await ada.page.screenshot({ path: artifact('curve-fever-game.png') })

    // Back in the lobby, the winner is on the leaderboard.
    await bob.page.click('#back')
    await bob.page.waitForURL(`${base}/lobby`)
    await connected(bob.page)
    const row = bob.page.locator('#leaderboard li', { hasText: winner ?? '' })
    await row.waitFor()
    assert.match((await row.textContent()) ?? '', /1 win/)

    assert.deepEqual([...ada.errors, ...bob.errors], [])
    await ada.context.close()
    await bob.context.close()
  })

  it('answers an unknown game with a clear message, and a full game with a seat in the stands', async () => {
    const cyd = await signIn(browser, app.url, 'Cyd')
    await cyd.page.goto(`${app.url}/game/zzzzzzzz`)
    await connected(cyd.page)
    await waitForGame(cyd.page, (s) => /over, or never existed/.test(s.gone ?? ''), 'the refusal')
    await cyd.page.waitForSelector('#notice a#back-to-lobby[href="/lobby"]')

    const id = await app.rooms.create({ name: 'Full house' })
    await cyd.page.goto(`${app.url}/game/${id}`)
    await connected(cyd.page)
    await waitForGame(cyd.page, (s) => s.joined, 'the join')
    for (let i = 0; i < 7; i++) await cyd.page.click('#add-bot')
    await waitForGame(cyd.page, (s) => s.scores.length === 8, 'eight seats taken')
    await cyd.page.click('#add-bot')
    await waitForGame(
      cyd.page,
      (s) => s.notices.some((n) => /full/.test(n)),
      'the full-room notice',
    )

    // Eight curves a few seconds into a round: the README's picture.
    await waitForGame(cyd.page, (s) => s.phase === 'running', 'a round', 20_000)
    await cyd.page.waitForTimeout(5000)
    await cyd.page.screenshot({ path: artifact('curve-fever-bots.png') })
    // The README's picture is refreshed on purpose only (UPDATE_SCREENSHOTS=1), never as a side effect.
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      const docs = join(repositoryRoot(), 'docs', 'images')
      mkdirSync(docs, { recursive: true })
      copyFileSync(artifact('curve-fever-bots.png'), join(docs, 'curve-fever.png'))
    }

    const dee = await signIn(browser, app.url, 'Dee')
    await dee.page.goto(`${app.url}/game/${id}`)
    await connected(dee.page)
    await waitForGame(dee.page, (s) => s.joined && s.role === 'spectator', 'a spectator seat')
    assert.deepEqual([...cyd.errors, ...dee.errors], [])
    await cyd.context.close()
    await dee.context.close()
  })
})
