import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type BrowserEnv, messages, startBrowserEnv, waitText } from './support.ts'

let env: BrowserEnv
before(async () => {
  env = await startBrowserEnv()
})
after(() => env.close())

test('validation shows #name-error while the name is too short, then submit shows #saved', async () => {
  const { page, frames, errors } = await env.open('/lv/form')
  assert.equal(await page.locator('#name-error').count(), 0, 'no error before the field is used')
  await page.fill('input[name="user[name]"]', 'Jo')
  await waitText(page, '#name-error', 'must be at least 3 characters')
  await page.fill('input[name="user[name]"]', 'Joe')
  await page.waitForSelector('#name-error', { state: 'detached' })
  await page.click('#save')
  await waitText(page, '#saved', 'Joe')
  const events = messages(frames, 'sent').filter((m) => m[3] === 'event')
  const change = events.find((m) => (m[4] as { event: string }).event === 'validate')?.[4] as {
    type: string
    value: string
    meta: { _target: string }
  }
  assert.equal(change.type, 'form')
  assert.equal(change.meta._target, 'user[name]')
  assert.match(change.value, /user%5Bname%5D=/)
  const submit = events.find((m) => (m[4] as { event: string }).event === 'save')?.[4]
  assert.deepEqual(submit, { type: 'form', event: 'save', value: 'user%5Bname%5D=Joe', meta: {} })
  assert.deepEqual(errors, [])
})

test('submitting a short name shows the error and saves nothing', async () => {
  const { page } = await env.open('/lv/form')
  await page.fill('input[name="user[name]"]', 'Al')
  await page.click('#save')
  await waitText(page, '#name-error', 'must be at least 3 characters')
  assert.equal(await page.locator('#saved').count(), 0)
  // the input keeps what was typed
  assert.equal(await page.inputValue('input[name="user[name]"]'), 'Al')
})

test("two chat pages see each other's messages through PubSub, and the input clears", async () => {
  const a = await env.open('/lv/chat')
  const b = await env.open('/lv/chat')
  const before = await a.page.locator('#messages > li').count()
  await a.page.fill('#chat-body', 'hello from a')
  await a.page.press('#chat-body', 'Enter')
  for (const { page } of [a, b]) {
    await page.waitForFunction(hasMessage('hello from a'))
  }
  await a.page.waitForFunction("document.querySelector('#chat-body').value === ''")
  await b.page.fill('#chat-body', 'hi from b')
  await b.page.click('#send')
  for (const { page } of [a, b]) {
    await page.waitForFunction(
      `document.querySelector('#messages > li:last-child')?.textContent === 'hi from b'`,
    )
  }
  assert.equal(await a.page.locator('#messages > li').count(), before + 2)
  assert.equal(await b.page.locator('#messages > li').count(), before + 2)
  // a page opened later shows the history, once
  const c = await env.open('/lv/chat')
  const texts = await c.page.$$eval('#messages > li', (lis) => lis.map((li) => li.textContent))
  assert.equal(texts.filter((t) => t === 'hello from a').length, 1)
  assert.equal(texts.at(-1), 'hi from b')
})

/** A page-side expression: some message in #messages reads `text`. */
function hasMessage(text: string): string {
  return `[...document.querySelectorAll('#messages > li')].some((li) => li.textContent === ${JSON.stringify(text)})`
}
