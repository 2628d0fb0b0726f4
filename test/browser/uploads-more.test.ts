// Uploads beyond the view's own form, through the official client: a live
// component's upload (its form targets the component), and an external
// uploader (the server presigns, the client's Uploaders.Fake sends the file
// elsewhere and reports progress).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { type BrowserEnv, startBrowserEnv, waitText } from './support.ts'

let env: BrowserEnv
before(async () => {
  env = await startBrowserEnv()
})
after(() => env.close())

test("a live component's upload is preflighted, sent and consumed by the component", async () => {
  const { page, frames, errors } = await env.open('/lv/uploads-more')
  await page.setInputFiles('#avatar-form input[type="file"]', {
    name: 'me.jpg',
    mimeType: 'image/jpeg',
    buffer: randomBytes(3_500),
  })
  await page.waitForSelector('#avatar-box li')
  await page.click('#avatar-save')
  await waitText(page, '#avatar-saved', 'me.jpg 3500')
  const preflight = frames
    .filter((f) => f.direction === 'sent' && f.text.includes('"allow_upload"'))
    .map((f) => JSON.parse(f.text) as unknown[])
  const payload = preflight[0]?.[4] as { cid?: unknown } | undefined
  assert.equal(typeof payload?.cid, 'number', 'the preflight names the component')
  assert.deepEqual(errors, [])
})

test('an external uploader gets the presigned meta and reports progress; the view consumes it', async () => {
  const { page, errors } = await env.open('/lv/uploads-more')
  await page.setInputFiles('#photo-form input[type="file"]', {
    name: 'p.png',
    mimeType: 'image/png',
    buffer: randomBytes(1_234),
  })
  await page.waitForSelector('#uploads-more li[id^="photo-entry-"]')
  await page.click('#photo-save')
  await page.waitForFunction(
    `/^photo-[0-9a-f]{8}-p\\.png 1234$/.test(document.querySelector('#photo-saved').textContent)`,
  )
  assert.deepEqual(errors, [])
})
