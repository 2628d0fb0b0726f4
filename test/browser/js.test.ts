// JS commands built with `JS` and run by the official client in Chromium:
// each op name and argument shape must be one the client executes (a wrong
// one throws in the page, which the errors list would show).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type BrowserEnv, startBrowserEnv, waitText } from './support.ts'

let env: BrowserEnv
before(async () => {
  env = await startBrowserEnv()
})
after(() => env.close())

const visible = (selector: string) =>
  `getComputedStyle(document.querySelector(${JSON.stringify(selector)})).display !== 'none'`
const hidden = (selector: string) => `!(${visible(selector)})`

test('show, hide and toggle', async () => {
  const { page, errors } = await env.open('/lv/js')
  await page.click('#open')
  await page.waitForFunction(visible('#modal'))
  await page.click('#close')
  await page.waitForFunction(hidden('#modal'))
  await page.click('#toggle')
  await page.waitForFunction(hidden('#panel'))
  await page.click('#toggle')
  await page.waitForFunction(visible('#panel'))
  assert.deepEqual(errors, [])
})

test('classes, attributes, transition, exec and dispatch', async () => {
  const { page, errors } = await env.open('/lv/js')
  const box = page.locator('#box')
  await page.click('#add-class')
  await page.waitForFunction(`document.querySelector('#box').classList.contains('big')`)
  await page.click('#remove-class')
  await page.waitForFunction(`!document.querySelector('#box').classList.contains('big')`)
  await page.click('#toggle-class')
  await page.waitForFunction(`document.querySelector('#box').classList.contains('on')`)
  await page.click('#set-attr')
  assert.equal(await box.getAttribute('aria-expanded'), 'true')
  await page.click('#remove-attr')
  assert.equal(await box.getAttribute('aria-expanded'), null)
  await page.click('#toggle-attr')
  assert.equal(await box.getAttribute('data-state'), 'open')
  await page.click('#toggle-attr')
  assert.equal(await box.getAttribute('data-state'), 'closed')
  await page.click('#transition')
  await page.waitForFunction(`document.querySelector('#box').classList.contains('flash')`)
  await page.waitForFunction(`!document.querySelector('#box').classList.contains('flash')`)
  await page.click('#exec')
  await page.waitForFunction(`document.querySelector('#box').classList.contains('grown')`)
  await page.evaluate(() => {
    document.querySelector('#box')?.addEventListener('cinder:ping', (e) => {
      document.body.dataset.ping = JSON.stringify((e as CustomEvent).detail.n)
    })
  })
  await page.click('#dispatch')
  await page.waitForFunction(`document.body.dataset.ping === '1'`)
  assert.deepEqual(errors, [])
})

test('a push with a value and a hide in one binding; patch and navigate', async () => {
  const { page, errors, documents } = await env.open('/lv/js')
  await page.click('#open')
  await page.waitForFunction(visible('#modal'))
  await page.click('#push-hide')
  await waitText(page, '#count', '5')
  await page.waitForFunction(hidden('#modal'))
  await page.click('#patch')
  await waitText(page, '#tab', '2')
  assert.match(page.url(), /\/lv\/js\?tab=2$/)
  await page.click('#navigate')
  await page.waitForSelector('#counter')
  assert.equal(documents.length, 1, 'live navigation, no page load')
  assert.deepEqual(errors, [])
})

test('focus, focusFirst, pushFocus/popFocus; ignored attributes survive a patch', async () => {
  const { page, errors } = await env.open('/lv/js')
  const focused = () => page.evaluate(() => document.activeElement?.id)
  await page.click('#focus')
  await page.waitForFunction(`document.activeElement?.id === 'field'`)
  await page.click('#focus-first')
  await page.waitForFunction(`document.activeElement?.id === 'first'`)
  await page.click('#push-focus')
  await page.click('#focus')
  await page.waitForFunction(`document.activeElement?.id === 'field'`)
  await page.click('#pop-focus')
  await page.waitForFunction(`document.activeElement?.id === 'field2'`)
  assert.equal(await focused(), 'field2')
  await page.click('#summary')
  assert.equal(await page.locator('#details').getAttribute('open'), '')
  await page.click('#push-hide') // a server patch of the details' content
  await waitText(page, '#count', '5')
  assert.equal(await page.locator('#details').getAttribute('open'), '', 'open is kept')
  assert.deepEqual(errors, [])
})
