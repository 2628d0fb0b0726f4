// Curve Fever mounts the live dashboard in development: its rooms show as
// processes under the room supervisor, live; /metrics answers in any mode;
// in production the dashboard is not there.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser } from 'playwright-core'
import type { CurveFever } from '../../../examples/curve_fever/app.ts'
import { connected, launchChromium, startApp } from './support.ts'

let app: CurveFever
let browser: Browser

before(async () => {
  app = await startApp()
  browser = await launchChromium()
})
after(async () => {
  await browser?.close()
  await app?.stop()
})

test('the supervision tree shows the rooms as processes, and a new room appears live', async () => {
  await app.rooms.create({ name: 'First' })
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(`${app.url}/dashboard/tree`)
  await connected(page)
  const supervisor = page.locator('#tree li.sup', { hasText: 'room-supervisor' }).last()
  await supervisor.locator('> button').click()
  const rooms = page.locator('#tree li', { hasText: 'curve fever room' })
  await rooms.first().waitFor()
  const before = await rooms.count()
  await app.rooms.create({ name: 'Second' })
  for (let i = 0; i < 50 && (await rooms.count()) === before; i++) await page.waitForTimeout(100)
  assert.equal(await rooms.count(), before + 1)
  await context.close()
})

test('/metrics answers with the node metrics', async () => {
  const response = await fetch(`${app.url}/metrics`)
  assert.equal(response.status, 200)
  const body = await response.text()
  assert.match(body, /^cinder_processes\{node="[^"]+"\} \d+$/m)
  assert.match(body, /^cinder_presences\{node="[^"]+",tracker="curve_fever",scope="local"\} \d+$/m)
})

test('in production the dashboard is not mounted', async () => {
  const prod = await startApp({ dev: false })
  try {
    const response = await fetch(`${prod.url}/dashboard`)
    assert.equal(response.status, 404)
  } finally {
    await prod.stop()
  }
})
