// The live dashboard in headless Chromium, with the official phoenix_live_view
// client it serves itself, against a node with sockets, channels, presences
// and a worker that crashes: every page opens, and its figures change while
// it is open, as clients come and go and the worker crashes.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type Browser, chromium, type Page } from 'playwright-core'
import { join, openClient, outcome, type PhxSocket } from '../conformance/support.ts'
import { type DashboardServer, startDashboardServer } from '../support/dashboard-server.ts'
import { chromiumPath, connected } from './support.ts'

const executablePath = chromiumPath()
if (executablePath === undefined && process.env.CI === 'true') {
  throw new Error('Chromium is missing; under CI=true this is a failure')
}
const skip = executablePath === undefined ? 'Chromium is not installed' : false

let server: DashboardServer
let browser: Browser
const clients: PhxSocket[] = []
const errors: string[] = []

async function open(path: string): Promise<Page> {
  const context = await browser.newContext()
  const page = await context.newPage()
  page.on('pageerror', (e) => errors.push(`${path}: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${path}: ${m.text()}`)
  })
  await page.goto(`${server.url}${path}`)
  await connected(page)
  return page
}

/** The text of `selector` once `ok` holds for it (the page refreshes itself). */
async function until(
  page: Page,
  selector: string,
  ok: (text: string) => boolean,
  timeout = 5000,
): Promise<string> {
  const deadline = Date.now() + timeout
  for (;;) {
    const text =
      (await page
        .locator(selector)
        .first()
        .textContent({ timeout })
        .catch(() => null)) ?? ''
    if (ok(text)) return text
    if (Date.now() > deadline) throw new Error(`${selector} stayed ${JSON.stringify(text)}`)
    await page.waitForTimeout(100)
  }
}

async function client(): Promise<PhxSocket> {
  const socket = await openClient(`ws://127.0.0.1:${server.port}/socket`)
  clients.push(socket)
  return socket
}

describe('the live dashboard', { skip }, () => {
  before(async () => {
    server = await startDashboardServer()
    browser = await chromium.launch({
      executablePath: executablePath as string,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
  })
  after(async () => {
    for (const socket of clients) socket.disconnect()
    await browser?.close()
    await server?.stop()
  })

  test('home: node, versions, memory, and the socket count as clients connect', async () => {
    const page = await open('/dashboard')
    assert.equal(await page.locator('#node-name').textContent(), 'dash-node')
    assert.equal(await page.locator('#node-version').textContent(), process.version)
    assert.match((await page.locator('#heap-used').textContent()) ?? '', /MiB|KiB/)
    const before = Number(await page.locator('#sockets').textContent())
    await client()
    await client()
    await until(page, '#sockets', (t) => Number(t) === before + 2)
    await until(page, '#processes', (t) => Number(t) > 5)
  })

  test('sockets: channels by topic, counted live', async () => {
    const page = await open('/dashboard/sockets')
    const [a, b] = [await client(), await client()]
    await join(a, 'room:alpha')
    const second = await join(b, 'room:alpha')
    const row = '#topics tr[data-topic="room:alpha"] .count'
    await until(page, row, (t) => t === '2')
    await outcome(second.leave())
    await until(page, row, (t) => t === '1')
    await until(page, '#transport-websocket .sockets', (t) => Number(t) >= 2)
  })

  test('presence: presences by topic, counted live', async () => {
    const page = await open('/dashboard/presence')
    const socket = await client()
    await join(socket, 'room:lobby', { user: 'ada' })
    await join(await client(), 'room:lobby', { user: 'bob' })
    const row = '[data-tracker="dash-presence"] tr[data-topic="room:lobby"]'
    await until(page, `${row} .count`, (t) => t === '2')
    await until(page, `${row} .keys`, (t) => t === '2')
  })

  test('pubsub: broadcasts by topic, counted live', async () => {
    const page = await open('/dashboard/pubsub')
    const channel = await join(await client(), 'room:loud')
    for (let i = 0; i < 3; i++) await outcome(channel.push('shout', { i }))
    await until(page, '#pubsub-topics tr[data-topic="room:loud"] .count', (t) => Number(t) >= 3)
    await until(page, '#scope-cluster .count', (t) => Number(t) >= 3)
    assert.match((await page.locator('#pubsub-link').textContent()) ?? '', /adapter local: up/)
  })

  test('processes: sortable by mailbox, memory and messages; a crashed worker comes back', async () => {
    const page = await open('/dashboard/processes')
    const crasherPid = async () =>
      (await page
        .locator('#processes tr', { hasText: 'crasher' })
        .first()
        .getAttribute('data-pid')) ?? ''
    await page.click('#sort-handled')
    await until(page, '#sort-handled', () => true)
    assert.equal(await page.locator('#sort-handled').getAttribute('class'), 'active')
    await page.click('#sort-memory')
    await page.waitForSelector('#sort-memory.active')
    const first = await until(page, '#processes tbody tr td:nth-child(5)', (t) => /B$/.test(t))
    assert.match(first, /\d/)
    await page.click('#sort-mailbox')
    await page.waitForSelector('#sort-mailbox.active')
    await until(page, '#processes', (t) => t.includes('crasher'))
    const pid = await crasherPid()
    server.crash()
    await until(page, '#processes', () => true)
    for (let i = 0; i < 50 && (await crasherPid()) === pid; i++) await page.waitForTimeout(100)
    assert.notEqual(await crasherPid(), pid, 'the restarted worker has a new pid')
  })

  test('supervision: the tree, expandable, and live as a child restarts', async () => {
    const page = await open('/dashboard/tree')
    const crasher = page.locator('#tree li', { hasText: 'crasher · crasher' }).last()
    await crasher.waitFor()
    const pid = await crasher.getAttribute('data-pid')
    server.crash()
    await until(page, '#tree', (t) => !t.includes(pid ?? '?'))
    assert.ok(await page.locator('#tree li', { hasText: 'crasher · crasher' }).count())
    const workers = page.locator('#tree li.sup', { hasText: 'workers · supervisor' }).last()
    await workers.locator('> button').click()
    await until(page, '#tree', (t) => !t.includes('crasher · crasher'))
    await page
      .locator('#tree li.sup', { hasText: 'workers · supervisor' })
      .last()
      .locator('> button')
      .click()
    await until(page, '#tree', (t) => t.includes('crasher · crasher'))
    assert.ok(
      await page.locator('#tree li', { hasText: 'socket:/socket' }).count(),
      'the endpoint is there',
    )
  })

  test('cluster: this node and its PubSub link', async () => {
    const page = await open('/dashboard/cluster')
    await until(page, '#nodes', (t) => t.includes('dash-node (this node)'))
    const read = await page.locator('#refreshed').getAttribute('data-at')
    for (
      let i = 0;
      i < 50 && (await page.locator('#refreshed').getAttribute('data-at')) === read;
      i++
    ) {
      await page.waitForTimeout(100)
    }
    assert.notEqual(
      await page.locator('#refreshed').getAttribute('data-at'),
      read,
      'read again while open',
    )
    assert.match(
      (await page.locator('#link').textContent()) ?? '',
      /PubSub dashboard-test over local: link up/,
    )
  })

  test('metrics: the last minutes, growing while the page is open', async () => {
    const page = await open('/dashboard/metrics')
    const lastTime = async () => {
      const data = JSON.parse(
        (await page.locator('#plot-connections').getAttribute('data-series')) ?? '{}',
      )
      return (data.times as number[]).at(-1) ?? 0
    }
    const start = await lastTime()
    for (let i = 0; i < 50 && (await lastTime()) <= start; i++) await page.waitForTimeout(100)
    assert.ok((await lastTime()) > start, 'new samples reach the open page')
    assert.ok(Number(await page.locator('#history-seconds').textContent()) > 0)
    const sockets = '#chart-connections tr[data-series="sockets"] .last'
    const now = Number(await until(page, sockets, (t) => Number(t) > 0))
    await client()
    await until(page, sockets, (t) => Number(t) === now + 1)
    server.crash()
    await until(
      page,
      '#chart-activity tr[data-series="restarts"] td:nth-child(4)',
      (t) => Number(t) > 0,
    )
    const data = JSON.parse(
      (await page.locator('#plot-connections').getAttribute('data-series')) ?? '{}',
    )
    assert.deepEqual(data.labels, ['sockets', 'channels', 'LiveViews'])
    assert.equal(data.values[0].length, data.times.length)
    // uPlot drew each chart: a canvas inside the ignored plot, a legend
    // naming the series, and the plot's data follows the element's.
    assert.equal(await page.locator('.chart .plot canvas').count(), 6)
    const legend = await page.locator('#plot-connections-canvas .u-legend').textContent()
    assert.match(legend ?? '', /sockets[\s\S]*channels[\s\S]*LiveViews/)
  })

  test('the pages link to each other with live navigation (no page load)', async () => {
    const page = await open('/dashboard')
    const documents: string[] = []
    page.on('request', (r) => {
      if (r.resourceType() === 'document') documents.push(r.url())
    })
    for (const [nav, title] of [
      ['#nav-processes', 'Processes'],
      ['#nav-metrics', 'Metrics'],
      ['#nav-home', 'Home'],
    ] as const) {
      await page.click(nav)
      await until(page, 'main h1', (t) => t === title)
    }
    assert.deepEqual(documents, [])
    assert.deepEqual(errors, [], 'no page logged an error')
  })
})

describe('a dashboard behind onMount', { skip }, () => {
  let guarded: DashboardServer
  let own: Browser
  before(async () => {
    guarded = await startDashboardServer({ guarded: true })
    own = await chromium.launch({
      executablePath: executablePath as string,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    })
  })
  after(async () => {
    await own?.close()
    await guarded?.stop()
  })

  test('refuses a visitor onMount does not allow, and shows itself once it does', async () => {
    const refused = await fetch(`${guarded.url}/dashboard/processes`, { redirect: 'manual' })
    assert.equal(refused.status, 302)
    assert.equal(refused.headers.get('location'), '/')
    const context = await own.newContext()
    const page = await context.newPage()
    await page.goto(`${guarded.url}/login`)
    await connected(page)
    assert.equal(await page.locator('main h1').textContent(), 'Home')
    await context.close()
  })
})
