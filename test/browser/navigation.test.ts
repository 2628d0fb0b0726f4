import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type BrowserEnv, connected, messages, startBrowserEnv, waitText } from './support.ts'

let env: BrowserEnv
before(async () => {
  env = await startBrowserEnv()
})
after(() => env.close())

test('a patch link runs handleParams without a page load or a new mount, and sets the title', async () => {
  const { page, frames, documents } = await env.open('/lv/nav')
  const mountId = await page.textContent('#mount-id')
  assert.equal(await page.title(), 'Page 1')
  await page.click('#next')
  await waitText(page, '#page', '2')
  assert.equal(new URL(page.url()).search, '?page=2')
  await page.waitForFunction("document.title === 'Page 2'")
  assert.equal(await page.textContent('#mount-id'), mountId)
  assert.equal(documents.length, 1)
  const patch = messages(frames, 'sent').find((m) => m[3] === 'live_patch')
  assert.match(
    String((patch?.[4] as { url?: string } | undefined)?.url),
    /^http:\/\/127\.0\.0\.1:\d+\/lv\/nav\?page=2$/,
  )
  // back restores the previous params through live_patch
  await page.goBack()
  await waitText(page, '#page', '1')
  assert.equal(await page.textContent('#mount-id'), mountId)
})

test('a replace patch does not grow the history; a server pushPatch updates URL and DOM', async () => {
  const { page } = await env.open('/lv/nav')
  const length = await page.evaluate('history.length')
  await page.click('#next-replace')
  await waitText(page, '#page', '2')
  assert.equal(await page.evaluate('history.length'), length)
  await page.click('#server-patch')
  await waitText(page, '#page', '7')
  assert.equal(new URL(page.url()).search, '?page=7')
})

test('a navigate link mounts the other view on the same topic, without a page load; back returns', async () => {
  const { page, frames, documents } = await env.open('/lv/nav')
  await page.click('#to-counter')
  await waitText(page, '#count', '0')
  assert.equal(new URL(page.url()).pathname, '/lv/counter')
  assert.equal(documents.length, 1)
  const sent = messages(frames, 'sent')
  const joins = sent.filter((m) => m[3] === 'phx_join')
  assert.equal(joins.length, 2)
  assert.equal(joins[1]?.[2], joins[0]?.[2], 'the same topic')
  assert.match(
    String((joins[1]?.[4] as { redirect?: string } | undefined)?.redirect),
    /\/lv\/counter$/,
  )
  assert.ok(sent.some((m) => m[3] === 'phx_leave'))
  await page.click('#inc')
  await waitText(page, '#count', '1')
  await page.goBack()
  await page.waitForSelector('#page')
  await connected(page)
  assert.equal(documents.length, 1)
})

test('pushNavigate with a flash shows it on the new view; clicking it clears it', async () => {
  const { page, documents } = await env.open('/lv/nav')
  await page.click('#push-navigate')
  await waitText(page, '#flash-info', 'Navigated here')
  assert.equal(new URL(page.url()).pathname, '/lv/counter')
  assert.equal(documents.length, 1)
  await page.click('#flash-info')
  await page.waitForSelector('#flash-info', { state: 'detached' })
})

test('redirect with a flash is a page load that shows the flash once (cookie deleted)', async () => {
  const { page, context, documents } = await env.open('/lv/nav')
  await page.click('#redirect')
  await page.waitForURL('**/lv/counter')
  await connected(page)
  assert.equal(await page.textContent('#flash-info'), 'Redirected here')
  assert.equal(documents.length, 2)
  const cookies = await context.cookies()
  assert.equal(
    cookies.find((c) => c.name === '__phoenix_flash__'),
    undefined,
  )
  await page.reload()
  await connected(page)
  assert.equal(await page.locator('#flash-info').count(), 0)
})

test('navigating to a view outside the live_session falls back to a page load', async () => {
  const { page, documents } = await env.open('/lv/nav')
  await page.click('#to-plain')
  await page.waitForURL('**/lv/plain')
  await page.waitForSelector('#plain')
  await connected(page)
  assert.equal(documents.length, 2)
})
