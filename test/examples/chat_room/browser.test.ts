/**
 * Chat Room on two nodes joined through Redis, with two users in Chromium, one on each node:
 * they sign in, see each other online, meet in a new room, see each other typing, talk, and
 * find the history after a reload; a third node started late gets the history too.
 * Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import {
  type StartedApplication,
  startApplication,
} from '../../../examples/chat_room/src/application.ts'
import { readConfig } from '../../../examples/chat_room/src/config.ts'
import { assetContext } from '../../../src/cli/assets.ts'
import { launchChromium, REPO } from '../new_app/support.ts'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
/** A cluster of this run only: other runs on the same Redis never meet it. */
const CLUSTER = `chat_room_test_${randomBytes(4).toString('hex')}`
const APP = join(REPO, 'examples', 'chat_room')
const ARTIFACTS = join(REPO, 'test-artifacts')

const nodes: StartedApplication[] = []
let browser: Browser

function startNode(node: string): Promise<StartedApplication> {
  const config = { ...readConfig({}), port: 0, redisUrl: REDIS_URL, node, cluster: CLUSTER }
  return startApplication(config).then((app) => {
    nodes.push(app)
    return app
  })
}

before(async () => {
  // The pages' bundle, as `cinder assets` builds it into examples/chat_room/public/assets.
  const assets = await assetContext(APP)
  await assets?.rebuild()
  await assets?.dispose()
  await startNode('node-a')
  await startNode('node-b')
  browser = await launchChromium()
})

after(async () => {
  await browser?.close()
  for (const node of nodes.reverse()) await node.stop()
})

/** A user in a browser context of their own, signed in on `base`, in the lobby. */
async function signIn(base: string, name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } })
  const page = await context.newPage()
  page.on('pageerror', (error) => assert.fail(`${name}'s page: ${error.message}`))
  await page.goto(base)
  await connected(page)
  await page.fill('#sign-in input[name=name]', name)
  await page.click('#sign-in button[type=submit]')
  await page.waitForSelector(`header .me:text("${name}")`)
  await connected(page)
  return page
}

async function connected(page: Page): Promise<void> {
  await page.waitForSelector('[data-phx-main].phx-connected', { timeout: 15_000 })
}

function shot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(ARTIFACTS, { recursive: true })
  return page.screenshot({ path: join(ARTIFACTS, name) })
}

test('two users on two nodes meet in a room, see each other typing, talk, and keep the history', async () => {
  const [a, b] = nodes
  assert.ok(a !== undefined && b !== undefined)
  const ada = await signIn(a.url, 'Ada')
  const bob = await signIn(b.url, 'Bob <b>')

  // Presence crosses the nodes (names with markup stay text).
  await ada.waitForSelector('#online li:has-text("Bob <b>")', { timeout: 15_000 })
  await bob.waitForSelector('#online li:has-text("Ada")', { timeout: 15_000 })
  assert.equal(await ada.locator('#online b').count(), 0)

  // Ada opens a room on node A; it appears in Bob's lobby on node B, and he follows.
  await ada.fill('#new-room input[name=room]', 'book-club')
  await ada.press('#new-room input[name=room]', 'Enter')
  await ada.waitForURL(`${a.url}/rooms/book-club`)
  await connected(ada)
  await bob.click('#room-book-club a', { timeout: 15_000 })
  await bob.waitForURL(`${b.url}/rooms/book-club`)
  await connected(bob)
  await ada.waitForSelector('#here li:has-text("Bob <b>")', { timeout: 15_000 })
  await bob.waitForSelector('#here li:has-text("Ada")', { timeout: 15_000 })

  // Typing shows on the other node, and stops when the message goes.
  await bob.fill('#message-form input[name=body]', 'hel')
  await ada.waitForSelector('#typing:text("Bob <b> is typing…")', { timeout: 15_000 })
  await bob.fill('#message-form input[name=body]', 'hello Ada')
  await bob.press('#message-form input[name=body]', 'Enter')
  await ada.waitForSelector('#messages .message:has-text("hello Ada")', { timeout: 15_000 })
  // Presence crosses nodes with each heartbeat (1.5 s): the typing line clears within one.
  await ada.waitForFunction(
    () => document.querySelector('#typing')?.textContent === '',
    undefined,
    {
      timeout: 15_000,
    },
  )
  assert.equal(await bob.inputValue('#message-form input[name=body]'), '')

  await ada.fill('#message-form input[name=body]', 'hi Bob, welcome')
  await ada.press('#message-form input[name=body]', 'Enter')
  await bob.waitForSelector('#messages .message:has-text("hi Bob, welcome")', { timeout: 15_000 })
  await shot(ada, 'chat-room-ada.png')
  await shot(bob, 'chat-room-bob.png')

  // The history is in each node's table: a reload on node B shows both messages, in order.
  await bob.reload()
  await connected(bob)
  const bodies = await bob.locator('#messages .message .body').allTextContents()
  assert.deepEqual(bodies.slice(-2), ['hello Ada', 'hi Bob, welcome'])

  // A node that starts now asks the others for their history.
  const late = await startNode('node-c')
  let history: { body: string }[] = []
  for (let i = 0; i < 100 && history.length < 2; i += 1) {
    const response = await fetch(`${late.url}/api/rooms/book-club/messages`)
    if (response.ok)
      history = ((await response.json()) as { messages: { body: string }[] }).messages
    if (history.length < 2) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  assert.deepEqual(
    history.map((m) => m.body),
    ['hello Ada', 'hi Bob, welcome'],
  )
  await ada.context().close()
  await bob.context().close()
})
