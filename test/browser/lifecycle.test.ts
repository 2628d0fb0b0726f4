// The view lifecycle API through the official client: assignAsync and
// startAsync (the page answers clicks while a task runs), and a
// live_session's options (onMount hooks, session, root layout) with a
// view's own onMount and attachHook.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type BrowserEnv, startBrowserEnv, textOf, waitText } from './support.ts'

let env: BrowserEnv
before(async () => {
  env = await startBrowserEnv()
})
after(() => env.close())

test('clicks are answered while an assignAsync loads; its value, then a startAsync job, land', async () => {
  const { page, errors } = await env.open('/lv/async?delay=4000')
  assert.equal(await textOf(page, '#org'), 'Loading…', 'the dead render and the join show loading')
  for (let i = 1; i <= 3; i++) {
    await page.click('#inc')
    await waitText(page, '#count', String(i), 1000)
  }
  assert.equal(await textOf(page, '#org'), 'Loading…', 'still loading: the clicks did not wait')
  await waitText(page, '#org', 'Org: Acme (load 1)', 10_000)
  await page.click('#start')
  await waitText(page, '#job', 'running')
  await waitText(page, '#job', 'done: 3', 10_000)
  await page.click('#fail')
  await waitText(page, '#org', 'Failed: boom', 10_000)
  assert.deepEqual(errors, [])
})

test('a live_session onMount hook sends a visitor without a user to the login page', async () => {
  const { page } = await env.open('/lv/guarded', { join: false })
  await page.waitForURL('**/lv/login')
  assert.equal(new URL(page.url()).pathname, '/lv/login')
})

test("after login: the session's hook, session data and layout, the view's hooks", async () => {
  const { page, errors } = await env.open('/lv/login')
  await page.fill('#login-name', 'Ada')
  await Promise.all([page.waitForURL('**/lv/whoami'), page.click('#login-submit')])
  await page.goto(`${env.base}/lv/guarded`)
  await page.waitForSelector('[data-phx-main].phx-connected')
  assert.equal(await textOf(page, '#current-user'), 'Ada')
  assert.equal(await textOf(page, '#greeting'), 'Welcome, Ada')
  assert.equal(await textOf(page, '#team'), 'fixtures')
  assert.equal(await page.getAttribute('body', 'data-layout'), 'guarded')
  await page.click('#inc')
  await waitText(page, '#count', '1')
  await page.click('#secret')
  await waitText(page, '#audited', '2')
  assert.equal(await textOf(page, '#count'), '1', 'the hook halted secret')
  assert.deepEqual(errors, [])
})
