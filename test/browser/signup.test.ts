// A form built with toForm and validated by a Standard Schema validator,
// driven by the official client: errors appear only for the fields the user
// has used (the client's _unused_ markers), all of them after a submit.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type BrowserEnv, startBrowserEnv, textOf, waitText } from './support.ts'

let env: BrowserEnv
before(async () => {
  env = await startBrowserEnv()
})
after(() => env.close())

test('errors show for used fields only, then for all on submit; a valid submit saves', async () => {
  const { page, errors } = await env.open('/lv/signup')
  await page.fill('#user_name', 'Jo')
  await waitText(page, '#name-errors', 'must be at least 3 characters')
  assert.equal(await textOf(page, '#email-errors'), '', 'the email field is not used yet')
  await page.click('#signup')
  await waitText(page, '#email-errors', 'must have an @')
  assert.equal(await textOf(page, '#terms-errors'), 'must be accepted')
  await page.fill('#user_name', 'Joe')
  await page.fill('#user_email', 'joe@example.com')
  await page.check('#user_terms')
  await waitText(page, '#name-errors', '')
  await page.click('#signup')
  await waitText(page, '#saved', 'Joe joe@example.com')
  assert.deepEqual(errors, [])
})
