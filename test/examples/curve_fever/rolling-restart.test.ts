/**
 * Curve Fever over a rolling restart (issue 19): two nodes through Redis, restarted one after
 * the other on their own ports, each draining first. A player's game page, in Chromium, stays
 * the same document throughout: its LiveView rejoins, its game channel rejoins the room, and
 * the match goes on with the scores it had.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import type { CurveFever, CurveFeverOptions } from '../../../examples/curve_fever/app.ts'
import { setLogger } from '../../../src/index.ts'
import { requireService } from '../../pubsub/service.ts'
import {
  connected,
  type GameState,
  launchChromium,
  QUICK_ROOMS,
  signIn,
  startApp,
  waitForGame,
} from './support.ts'

const REDIS = 'redis://127.0.0.1:6379'
const missing = await requireService('Redis', 6379)

const nodes = new Map<string, CurveFever>()
let browser: Browser

describe('Curve Fever over a rolling restart', { skip: missing?.skip ?? false }, () => {
  let common: CurveFeverOptions
  before(async () => {
    setLogger({ error: () => {}, warn: () => {}, info: () => {} })
    const cluster = `curve_fever_rolling_${randomBytes(4).toString('hex')}`
    // A long match: the scores must outlast the restarts, not a match that ended.
    const room = { ...QUICK_ROOMS, game: { ...QUICK_ROOMS.game, targetScore: 50 } }
    common = {
      redisUrl: REDIS,
      cluster,
      presenceBroadcastPeriod: 200,
      heartbeatInterval: 250,
      room,
    }
    nodes.set('cf-one', await startApp({ ...common, node: 'cf-one' }))
    nodes.set('cf-two', await startApp({ ...common, node: 'cf-two' }))
    browser = await launchChromium()
  })

  after(async () => {
    await browser?.close()
    for (const node of nodes.values()) await node.stop()
  })

  /** Drains `name` (its endpoint closes every socket with 1012) and starts it again on its port. */
  async function restart(name: string): Promise<void> {
    const node = nodes.get(name) as CurveFever
    await node.stop()
    const port = Number(new URL(node.url).port)
    nodes.set(name, await startApp({ ...common, node: name, port }))
  }

  it('keeps the game page, its seat and the scores while both nodes restart', async () => {
    const one = nodes.get('cf-one') as CurveFever
    const ada = await signIn(browser, one.url, 'Ada')
    await ada.page.click('#new-game')
    await ada.page.waitForURL(/\/game\/[a-z0-9]{8}$/)
    const gameUrl = ada.page.url()
    await connected(ada.page)
    await waitForGame(ada.page, (s) => s.joined && s.role === 'player', 'Ada to join')
    await ada.page.click('#add-bot')
    const scored = await waitForGame(
      ada.page,
      (s) => s.scores.some((p) => p.score > 0),
      'a point scored',
      30_000,
    )
    const documents: string[] = []
    ada.page.on('request', (r) => {
      if (r.resourceType() === 'document') documents.push(r.url())
    })

    let before = points(scored)
    for (const name of ['cf-one', 'cf-two']) {
      const started = Date.now()
      await restart(name)
      await connected(ada.page)
      const back = await waitForGame(
        ada.page,
        (s) =>
          s.joined &&
          s.role === 'player' &&
          s.scores.length === 2 &&
          (s.phase === 'countdown' || s.phase === 'running'),
        `the game back after ${name} restarted`,
        30_000,
      )
      for (const [player, score] of Object.entries(before)) {
        assert.ok(
          (points(back)[player] ?? -1) >= score,
          `${player} kept ${score} points over the restart of ${name}: ${JSON.stringify(points(back))}`,
        )
      }
      const tick = back.tick
      await waitForGame(ada.page, (s) => s.tick > tick + 20, `the room ticking after ${name}`)
      console.log(
        `# ${name} restarted; the game page was back in play ${Date.now() - started} ms later`,
      )
      before = points(back)
    }
    assert.equal(ada.page.url(), gameUrl)
    assert.deepEqual(documents, [], 'no page load: the same document all along')
    assert.deepEqual(ada.errors, [])
    await ada.context.close()
  })
})

function points(state: GameState): Record<string, number> {
  return Object.fromEntries(state.scores.map((p) => [p.name, p.score]))
}
