// phx-trigger-action: a form validated over the socket, then submitted over
// plain HTTP by the official client, CSRF token included.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type BrowserEnv, startBrowserEnv, textOf, waitText } from './support.ts'

let env: BrowserEnv
before(async () => {
  env = await startBrowserEnv()
})
after(() => env.close())

test('an invalid name stays on the page; a valid one is posted over HTTP and lands in the session', async () => {
  const { page, errors } = await env.open('/lv/login')
  await page.fill('#login-name', 'Al')
  await page.click('#login-submit')
  await waitText(page, '#login-error', 'at least 3 characters')
  assert.equal(new URL(page.url()).pathname, '/lv/login')
  const csrf = await page.getAttribute('#login-form input[name="_csrf_token"]', 'value')
  assert.ok(csrf !== null && csrf.length > 20, 'the form carries the page CSRF token')
  await page.fill('#login-name', 'Ada')
  await Promise.all([page.waitForURL('**/lv/whoami'), page.click('#login-submit')])
  await waitText(page, '#whoami', 'Ada')
  assert.equal(await textOf(page, '#whoami'), 'Ada')
  assert.deepEqual(errors, [])
})
