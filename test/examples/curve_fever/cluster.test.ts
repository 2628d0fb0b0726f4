/**
 * Two Curve Fever nodes joined through Redis: a player on each node, the same lobby (presence,
 * chat, the list of games), the same game (the room runs on one node, the other node's player
 * steers it over PubSub), and the winner on both nodes' leaderboards.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import type { CurveFever } from '../../../examples/curve_fever/app.ts'
import { setLogger } from '../../../src/index.ts'
import { requireService } from '../../pubsub/service.ts'
import { connected, launchChromium, signIn, startApp, waitForGame } from './support.ts'

const REDIS = 'redis://127.0.0.1:6379'
const missing = await requireService('Redis', 6379)

let one: CurveFever
let two: CurveFever
let browser: Browser

describe('Curve Fever on two nodes through Redis', { skip: missing?.skip ?? false }, () => {
  before(async () => {
    setLogger({ error: () => {}, warn: () => {}, info: () => {} })
    // A cluster name of its own: other test runs may share this Redis.
    const cluster = `curve_fever_test_${randomBytes(4).toString('hex')}`
    const common = { redisUrl: REDIS, cluster, presenceBroadcastPeriod: 200 }
    one = await startApp({ ...common, node: 'cf-one' })
    two = await startApp({ ...common, node: 'cf-two' })
    browser = await launchChromium()
  })

  after(async () => {
    await browser?.close()
    await one?.stop()
    await two?.stop()
  })

  it('shares the lobby and a game between a player on each node', async () => {
    const ada = await signIn(browser, one.url, 'Ada')
    const bob = await signIn(browser, two.url, 'Bob')
    await ada.page.waitForSelector('#online li:has-text("Bob")', { timeout: 15_000 })
    await bob.page.waitForSelector('#online li:has-text("Ada")', { timeout: 15_000 })

    await ada.page.fill('#chat-form input[name=body]', 'hi from node one')
    await ada.page.press('#chat-form input[name=body]', 'Enter')
    await bob.page.waitForSelector('#chat-messages .msg:has-text("hi from node one")')

    // Ada's game runs on node one; Bob, on node two, finds it in the lobby and plays in it.
    await ada.page.click('#new-game')
    await ada.page.waitForURL(/\/game\/[a-z0-9]{8}$/)
    const id = ada.page.url().slice(-8)
    await waitForGame(ada.page, (s) => s.joined, 'Ada to join')
    assert.ok(one.rooms.whereis(id) !== undefined && two.rooms.whereis(id) === undefined)
    await bob.page.waitForSelector(`#games a[href="/game/${id}"]`, { timeout: 15_000 })
    await bob.page.click(`#games a[href="/game/${id}"]`)
    await bob.page.waitForURL(`${two.url}/game/${id}`)
    await connected(bob.page)
    await waitForGame(bob.page, (s) => s.joined && s.role === 'player', 'Bob to join from node two')
    await waitForGame(bob.page, (s) => s.scores.length === 2, 'both players on node two')

    // Bob steers from node two; the match ends, both nodes rank the winner.
    await waitForGame(bob.page, (s) => s.phase === 'running', 'the round', 20_000)
    await bob.page.keyboard.down('ArrowRight')
    await bob.page.waitForTimeout(200)
    await bob.page.keyboard.up('ArrowRight')
    const over = await waitForGame(bob.page, (s) => s.phase === 'matchOver', 'the end', 60_000)
    const winner = over.scores[0]?.name ?? ''
    assert.ok(winner === 'Ada' || winner === 'Bob', JSON.stringify(over.scores))
    for (const [page, node] of [
      [ada.page, one],
      [bob.page, two],
    ] as const) {
      await page.goto(`${node.url}/lobby`)
      await connected(page)
      await page
        .locator('#leaderboard li', { hasText: winner })
        .filter({ hasText: '1 win' })
        .waitFor({ timeout: 10_000 })
    }
    assert.deepEqual([...ada.errors, ...bob.errors], [])
    await ada.context.close()
    await bob.context.close()
  })
})
