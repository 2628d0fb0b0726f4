/**
 * Curve Fever in headless Chromium, the things a player notices before the game itself: the
 * arena fits the screen (laptop and phone), game keys never scroll the page or press a button
 * that kept the focus, the tab has an icon (no 404), notices never outlive what they say.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import type { CurveFever } from '../../../examples/curve_fever/app.ts'
import { setLogger } from '../../../src/index.ts'
import { artifact, connected, launchChromium, signIn, startApp, waitForGame } from './support.ts'

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

/** Opens a fresh room's page and waits until the player is seated. */
async function openGame(page: Page): Promise<string> {
  const id = await app.rooms.create({ name: 'Layout' })
  await page.goto(`${app.url}/game/${id}`)
  await connected(page)
  await waitForGame(page, (s) => s.joined && s.role === 'player', 'the join')
  return id
}

function arenaBox(page: Page) {
  return page.evaluate(() => {
    const box = (document.getElementById('game') as HTMLCanvasElement).getBoundingClientRect()
    return {
      top: box.top,
      left: box.left,
      right: box.right,
      bottom: box.bottom,
      width: box.width,
      innerWidth: window.innerWidth,
      innerHeight: window.innerHeight,
    }
  })
}

describe('Curve Fever: the page around the game', () => {
  it('fits the arena in a 1280×800 laptop window, and game keys never scroll it', async () => {
    const eve = await signIn(browser, app.url, 'Eve', undefined, {
      viewport: { width: 1280, height: 800 },
    })
    await openGame(eve.page)
    const box = await arenaBox(eve.page)
    assert.ok(
      box.bottom <= box.innerHeight,
      `the arena ends within the window: ${JSON.stringify(box)}`,
    )
    assert.ok(box.width >= 500, `the arena stays large: ${JSON.stringify(box)}`)
    await eve.page.screenshot({ path: artifact('curve-fever-1280x800.png') })
    // A page taller than the window, so that a key that scrolls would show.
    await eve.page.evaluate(() => {
      document.body.style.minHeight = '3000px'
    })
    for (const key of ['Space', 'ArrowDown', 'PageDown', 'ArrowLeft', 'ArrowRight']) {
      await eve.page.keyboard.press(key)
      await eve.page.waitForTimeout(100)
      assert.equal(await eve.page.evaluate(() => window.scrollY), 0, `${key} scrolled the page`)
    }
    assert.deepEqual(eve.errors, [])
    await eve.context.close()
  })

  it('fits the arena on a phone (390×844, touch) and steers by touch', async () => {
    const fay = await signIn(browser, app.url, 'Fay', undefined, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 3,
    })
    await openGame(fay.page)
    const box = await arenaBox(fay.page)
    assert.ok(
      box.left >= 0 && box.right <= box.innerWidth,
      `within the width: ${JSON.stringify(box)}`,
    )
    assert.ok(box.bottom <= box.innerHeight, `within the height: ${JSON.stringify(box)}`)
    assert.ok(box.width >= 300, `the arena stays large: ${JSON.stringify(box)}`)
    await fay.page.screenshot({ path: artifact('curve-fever-phone.png') })
    assert.equal(
      await fay.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      true,
      'no sideways scrolling',
    )
    await fay.page.touchscreen.tap(box.left + 20, box.top + box.width / 2)
    // Turned sideways, the whole arena still shows.
    await fay.page.setViewportSize({ width: 844, height: 390 })
    await fay.page.waitForTimeout(200)
    const sideways = await arenaBox(fay.page)
    assert.ok(
      sideways.bottom <= sideways.innerHeight && sideways.right <= sideways.innerWidth,
      `sideways: ${JSON.stringify(sideways)}`,
    )
    assert.deepEqual(fay.errors, [])
    await fay.context.close()
  })

  it('gives the focus back after "Add a bot": Space adds no second bot', async () => {
    const gil = await signIn(browser, app.url, 'Gil')
    await openGame(gil.page)
    await gil.page.click('#add-bot')
    await waitForGame(gil.page, (s) => s.scores.length === 2, 'the bot')
    assert.notEqual(await gil.page.evaluate(() => document.activeElement?.id), 'add-bot')
    await gil.page.keyboard.press('Space')
    await gil.page.keyboard.press('Enter')
    await gil.page.waitForTimeout(1000)
    const state = await waitForGame(gil.page, () => true, 'the state')
    assert.equal(state.scores.length, 2, `one bot only: ${JSON.stringify(state.scores)}`)
    assert.deepEqual(gil.errors, [])
    await gil.context.close()
  })

  it('has an icon: no page load asks for anything that is not there', async () => {
    const missing: string[] = []
    const ida = await signIn(browser, app.url, 'Ida')
    ida.page.on('response', (r) => {
      if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`)
    })
    await openGame(ida.page)
    await ida.page.goto(`${app.url}/lobby`)
    await connected(ida.page)
    const href = await ida.page.getAttribute('link[rel=icon]', 'href')
    assert.ok(href !== null, 'the layout links an icon')
    for (const path of [href, '/favicon.ico']) {
      const response = await fetch(new URL(path, app.url))
      assert.equal(response.status, 200, path)
      assert.match(response.headers.get('content-type') ?? '', /^image\/svg\+xml/, path)
      assert.match(await response.text(), /<svg/)
    }
    assert.deepEqual(missing, [])
    assert.deepEqual(ida.errors, [])
    await ida.context.close()
  })

  it('clears a notice once it is no longer true, and lets passing ones go', async () => {
    const jay = await signIn(browser, app.url, 'Jay')
    await openGame(jay.page)
    const notices = async () => (await jay.page.locator('#notice').textContent()) ?? ''
    assert.match(await notices(), /You are in/)
    await jay.page.click('#crash-room')
    await waitForGame(jay.page, (s) => s.notices.some((n) => /rejoining/.test(n)), 'the crash')
    await waitForGame(
      jay.page,
      (s) => s.joined && s.notices.some((n) => /restarted/.test(n)),
      'the rejoin',
    )
    await jay.page.waitForTimeout(300)
    const after = await notices()
    assert.doesNotMatch(after, /rejoining/, 'the rejoin is done: it no longer says it rejoins')
    assert.match(after, /restarted/)
    // What just happened goes after a few seconds; nothing is left that is no longer true.
    await jay.page.waitForFunction(
      () => (document.getElementById('notice')?.textContent ?? '').trim() === '',
      undefined,
      { timeout: 12_000 },
    )
    assert.deepEqual(jay.errors, [])
    await jay.context.close()
  })
})
