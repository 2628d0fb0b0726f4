/**
 * Curve Fever in headless Chromium while its server is away: the lobby and the game page say
 * they are reconnecting (LiveView's phx-client-error on the container, the game socket's
 * errors), and stop saying so when the server is back. The server restarts on the port it
 * was given first, with the same secret, as a restarted deployment would.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import type { CurveFever } from '../../../examples/curve_fever/app.ts'
import { setLogger } from '../../../src/index.ts'
import { connected, launchChromium, signIn, startApp, waitForGame } from './support.ts'

let port = 0
const SECRET = 'r'.repeat(64)
let app: CurveFever | undefined
let browser: Browser

const start = () => startApp({ port, secretKeyBase: SECRET })

before(async () => {
  setLogger({ error: () => {}, warn: () => {}, info: () => {} })
  app = await start()
  port = app.endpoint.port
  browser = await launchChromium()
})

after(async () => {
  await browser?.close()
  await app?.stop()
})

const banner = (page: Page) => page.locator('#connection-lost')

/** Stops the server, waits until `page` says it is reconnecting, and starts it again. */
async function serverAway(page: Page, whileAway: () => Promise<void> = async () => {}) {
  await app?.stop()
  app = undefined
  await banner(page).waitFor({ state: 'visible', timeout: 10_000 })
  // The connection is lost (not a failure of the view): the bar says which.
  assert.equal(await page.locator('#connection-lost .client').isVisible(), true)
  assert.equal(await page.locator('#connection-lost .server').isVisible(), false)
  assert.match((await page.locator('#connection-lost .client').textContent()) ?? '', /reconnecting/)
  await whileAway()
  app = await start()
}

describe('Curve Fever while its server is away', () => {
  it('the lobby says it is reconnecting, and carries on when the server is back', async () => {
    const lea = await signIn(browser, `http://127.0.0.1:${port}`, 'Lea')
    assert.equal(await banner(lea.page).isVisible(), false)
    await serverAway(lea.page)
    await banner(lea.page).waitFor({ state: 'hidden', timeout: 15_000 })
    await connected(lea.page)
    await lea.page.fill('#chat-form input[name=body]', 'back again')
    await lea.page.press('#chat-form input[name=body]', 'Enter')
    await lea.page.waitForSelector('#chat-messages .msg:has-text("back again")')
    await lea.context.close()
  })

  it('the game page says it is reconnecting, on the page and in the arena', async () => {
    const max = await signIn(browser, `http://127.0.0.1:${port}`, 'Max')
    const id = await (app as CurveFever).rooms.create({ name: 'Away' })
    await max.page.goto(`http://127.0.0.1:${port}/game/${id}`)
    await connected(max.page)
    await waitForGame(max.page, (s) => s.joined && s.connection === 'connected', 'the join')
    await serverAway(max.page, async () => {
      await waitForGame(max.page, (s) => s.connection === 'reconnecting', 'the game socket')
    })
    await waitForGame(max.page, (s) => s.connection === 'connected', 'the game socket back', 15_000)
    await banner(max.page).waitFor({ state: 'hidden', timeout: 15_000 })
    // The room did not survive its only server (memory store): the page says so.
    await waitForGame(max.page, (s) => s.gone !== null, 'the verdict on the room')
    await max.context.close()
  })
})
