/**
 * Curve Fever when a node dies (kill -9), three node processes through Redis and through NATS:
 *
 * - the room's node dies: the room starts again on a surviving node from the state it saved
 *   (seats, scores) and a player on a surviving node, in Chromium, sees the match go on;
 * - a player's node dies: the room on a surviving node sees the player's channel go (a remote
 *   monitor), marks the seat disconnected within the down period and frees it after the grace
 *   period; the others' lobby stops listing the player.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { requireService } from '../../pubsub/service.ts'
import { connected, launchChromium, signIn, waitForGame } from './support.ts'

const here = dirname(fileURLToPath(import.meta.url))
const compiled = here.includes('.build')
/** The cluster's default down period: a dead node is noticed within it. */
const DOWN_AFTER_MS = 5000

interface NodeProcess {
  readonly name: string
  readonly url: string
  readonly child: ChildProcess
  readonly output: string[]
  kill(): Promise<void>
}

function startNode(name: string, cluster: string, engine: readonly string[]): Promise<NodeProcess> {
  const script = compiled
    ? [join(here, 'fixtures', 'node.js')]
    : ['--import', 'tsx', '--conditions=cinder:source', join(here, 'fixtures', 'node.ts')]
  const child = spawn(
    process.execPath,
    [...script, '--node', name, '--cluster', cluster, ...engine],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const output: string[] = []
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`node ${name} did not start:\n${output.join('')}`))
    }, 60_000)
    child.stderr?.on('data', (chunk: Buffer) => output.push(String(chunk)))
    child.stdout?.on('data', (chunk: Buffer) => {
      output.push(String(chunk))
      const port = /listening on (\d+)/.exec(output.join(''))?.[1]
      if (port === undefined) return
      clearTimeout(timer)
      resolve({
        name,
        url: `http://127.0.0.1:${port}`,
        child,
        output,
        async kill() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
          await exited
        },
      })
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`node ${name} exited with ${code} before listening:\n${output.join('')}`))
    })
  })
}

/** A broker the nodes join through, as the fixture's flags name it. */
export interface Engine {
  readonly name: string
  readonly port: number
  readonly args: readonly string[]
}

export const REDIS: Engine = {
  name: 'Redis',
  port: 6379,
  args: ['--redis', 'redis://127.0.0.1:6379'],
}
export const NATS: Engine = { name: 'NATS', port: 4222, args: ['--nats', 'nats://127.0.0.1:4222'] }

/** The failover suite through one broker (a file per broker keeps each under its time limit). */
export async function describeFailover(engine: Engine): Promise<void> {
  const missing = await requireService(engine.name, engine.port)
  describe(`Curve Fever across a dead node, through ${engine.name}`, {
    skip: missing?.skip ?? false,
  }, () => {
    const nodes: NodeProcess[] = []
    let browser: Browser

    before(async () => {
      // A cluster of its own: other runs may share the broker.
      const cluster = `cf_failover_${randomBytes(4).toString('hex')}`
      for (const name of ['cf-a', 'cf-b', 'cf-c'])
        nodes.push(await startNode(name, cluster, engine.args))
      browser = await launchChromium()
    })

    after(async () => {
      await browser?.close()
      for (const node of nodes) await node.kill()
    })

    it('a room on a killed node runs again on a surviving one; its player sees the match go on', async () => {
      const [a, b] = nodes as [NodeProcess, NodeProcess, NodeProcess]
      // Ada creates the game on node A, then plays it from node B (the same session cookie).
      const ada = await signIn(browser, a.url, 'Ada')
      await ada.page.click('#new-game')
      await ada.page.waitForURL(/\/game\/[a-z0-9]{8}$/)
      const id = ada.page.url().slice(-8)
      await ada.page.goto(`${b.url}/game/${id}`)
      await connected(ada.page)
      await waitForGame(ada.page, (s) => s.joined && s.role === 'player', 'Ada to join from B')
      await ada.page.click('#add-bot')
      const scored = await waitForGame(
        ada.page,
        (s) => s.scores.some((p) => p.score > 0) && s.phase !== 'roundOver',
        'a point scored and saved',
        30_000,
      )
      const points = (state: typeof scored) =>
        Object.fromEntries(state.scores.map((p) => [p.name, p.score]))
      const before = points(scored)

      const killed = Date.now()
      await a.kill()
      const back = await waitForGame(
        ada.page,
        (s) =>
          s.joined &&
          s.notices.some((n) => /moved to another one/.test(n)) &&
          (s.phase === 'countdown' || s.phase === 'running'),
        'the room to run again on B or C',
        15_000,
      )
      const moved = Date.now() - killed
      assert.ok(moved < 10_000, `the room ran again ${moved} ms after the kill`)
      for (const [name, score] of Object.entries(before)) {
        assert.ok(
          (points(back)[name] ?? -1) >= score,
          `${name} kept ${score} points: ${JSON.stringify(points(back))}`,
        )
      }
      const tick = back.tick
      await waitForGame(ada.page, (s) => s.tick > tick + 30, 'the room to keep ticking')
      console.log(`# ${engine.name}: the room ran again ${moved} ms after its node was killed`)
      await ada.context.close()
    })

    it("a player's killed node frees the seat after the grace period; the lobby drops them", async () => {
      const [, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess]
      const bob = await signIn(browser, b.url, 'Bob')
      const cyd = await signIn(browser, c.url, 'Cyd')
      await bob.page.click('#new-game')
      await bob.page.waitForURL(/\/game\/[a-z0-9]{8}$/)
      const id = bob.page.url().slice(-8)
      await waitForGame(bob.page, (s) => s.joined, 'Bob to join on B')
      // Cyd plays from node C, then node C dies with her channel.
      await cyd.page.goto(`${c.url}/game/${id}`)
      await connected(cyd.page)
      await waitForGame(cyd.page, (s) => s.joined && s.role === 'player', 'Cyd to join from C')
      await waitForGame(bob.page, (s) => s.scores.length === 2, 'both players on B')
      // Cyd also has the lobby open on node C (a second tab): Eve, on B, sees her online.
      const cydLobby = await cyd.context.newPage()
      await cydLobby.goto(`${c.url}/lobby`)
      await connected(cydLobby)
      const lobby = await signIn(browser, b.url, 'Eve')
      await lobby.page.waitForSelector('#online li:has-text("Cyd")', { timeout: 15_000 })

      const killed = Date.now()
      await c.kill()
      await waitForGame(
        bob.page,
        (s) => s.scores.some((p) => p.name === 'Cyd' && !p.connected),
        "Cyd's seat shown disconnected",
        DOWN_AFTER_MS + 5000,
      )
      const noticed = Date.now() - killed
      await lobby.page.waitForSelector('#online li:has-text("Cyd")', {
        state: 'detached',
        timeout: DOWN_AFTER_MS + 5000,
      })
      const left = Date.now() - killed
      await waitForGame(
        bob.page,
        (s) => !s.scores.some((p) => p.name === 'Cyd'),
        "Cyd's seat freed after the grace period",
        DOWN_AFTER_MS + 3000 + 5000,
      )
      const freed = Date.now() - killed
      assert.ok(
        noticed <= DOWN_AFTER_MS + 1000,
        `the seat was shown disconnected after ${noticed} ms`,
      )
      console.log(
        `# ${engine.name}: seat disconnected after ${noticed} ms, lobby dropped Cyd after ${left} ms, seat freed after ${freed} ms`,
      )
    })
  })
}
