// Issue 19: a LiveView's state over a drain, in Chromium with the official client. Two nodes
// share Redis; the page talks to a TCP proxy (its stable address), which sends new connections
// to node A, then to node B. Node A drains: the client hears 1012, reconnects through the
// proxy to B and rejoins; B restores the view instead of mounting it afresh. No reload.
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'
import { after, before, test } from 'node:test'
import { type Browser, chromium } from 'playwright-core'
import { type ClusterStore, type Endpoint, startRedisStore } from '../../src/extend.ts'
import { dropTestData } from '../cluster/broker.ts'
import { requireService } from '../pubsub/service.ts'
import { startDurableNode } from '../support/durable-node.ts'
import { chromiumPath, connected, type Frame, messages, waitText } from './support.ts'

const quiet = { info() {}, warn() {}, error() {} }
const prefix = `cinder_test_durable_${process.pid}_${Date.now()}:`

/** A TCP proxy whose new connections go to `target` (changed at will). */
class SwitchingProxy {
  target = 0
  readonly #server: Server
  readonly #sockets = new Set<Socket>()
  constructor() {
    this.#server = createServer((client) => {
      const upstream = tcpConnect(this.target, '127.0.0.1')
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket)
        socket.on('close', () => this.#sockets.delete(socket))
        socket.on('error', () => {
          client.destroy()
          upstream.destroy()
        })
      }
      client.pipe(upstream).pipe(client)
      upstream.on('close', () => client.destroy())
      client.on('close', () => upstream.destroy())
    })
  }
  listen(): Promise<number> {
    return new Promise((resolve) => {
      this.#server.listen(0, '127.0.0.1', () => {
        const address = this.#server.address()
        resolve(typeof address === 'object' && address !== null ? address.port : 0)
      })
    })
  }
  close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }
}

let browser: Browser
let skip: string | undefined
const stores: ClusterStore[] = []
const nodes: Endpoint[] = []
const proxy = new SwitchingProxy()
let base = ''

before(async () => {
  skip = (await requireService('Redis', 6379))?.skip
  if (skip !== undefined) return
  const executablePath = chromiumPath()
  if (executablePath === undefined) throw new Error('Chromium is not installed')
  browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  base = `http://127.0.0.1:${await proxy.listen()}`
})

after(async () => {
  await browser?.close()
  for (const node of nodes) await node.stop()
  for (const store of stores) await store.close()
  await proxy.close()
  await dropTestData(prefix)
})

/** One node, with a Redis store of its own connection (as a separate process would have). */
async function startNode(node: string): Promise<Endpoint> {
  const store = await startRedisStore({ prefix })
  stores.push(store)
  const endpoint = await startDurableNode({ node, store, logger: quiet })
  nodes.push(endpoint)
  return endpoint
}

test('a half-filled form and a counter at 7 survive the drain of their node', async (t) => {
  if (skip !== undefined) return t.skip(skip)
  const a = await startNode('A')
  const b = await startNode('B')
  proxy.target = a.port

  const context = await browser.newContext()
  const page = await context.newPage()
  const documents: string[] = []
  const frames: Frame[] = []
  page.on('request', (r) => {
    if (r.resourceType() === 'document') documents.push(r.url())
  })
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => frames.push({ direction: 'sent', text: String(f.payload) }))
  })
  await page.goto(`${base}/durable`)
  await connected(page)
  for (let i = 1; i <= 7; i++) {
    await page.click('#inc')
    await waitText(page, '#count', String(i))
  }
  await page.fill('#note_title', 'Half')
  await waitText(page, '#echo', 'Half|')
  assert.equal(await page.textContent('#node'), 'A')

  proxy.target = b.port // the load balancer sends new connections to B
  const started = Date.now()
  const stopped = a.stop() // SIGTERM: the drainer saves the view, then closes with 1012
  await waitText(page, '#node', 'B', 10_000)
  const back = Date.now() - started
  await stopped
  const drained = Date.now() - started

  assert.equal(await page.textContent('#count'), '7')
  assert.equal(await page.inputValue('#note_title'), 'Half')
  assert.equal(await page.textContent('#echo'), 'Half|')
  assert.equal(await page.textContent('#mounts'), '1', 'B mounted once, then restored')
  assert.deepEqual(documents, [`${base}/durable`], 'no new document load')
  const joins = messages(frames, 'sent').filter((m) => m[3] === 'phx_join')
  assert.equal(joins.length, 2, 'joined A, then rejoined B')
  const rejoin = joins[1]?.[4] as { params: { _mounts: number } }
  assert.equal(rejoin.params._mounts, 1)
  await page.click('#inc')
  await waitText(page, '#count', '8')
  t.diagnostic(`node A drained in ${drained} ms; the state was back on B ${back} ms after it began`)
  await context.close()
})
