import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type BrowserEnv, messages, startBrowserEnv, waitText } from './support.ts'

let env: BrowserEnv
before(async () => {
  env = await startBrowserEnv()
})
after(() => env.close())

test('#bump on /lv/list?n=300 changes row 0 only, in a reply of at most 120 bytes', async () => {
  const { page, frames } = await env.open('/lv/list?n=300')
  assert.equal(await page.locator('#rows > li').count(), 300)
  const row1 = await page.textContent('#row-1')
  await page.click('#bump')
  await waitText(page, '#row-0', 'Row 0 · 1')
  await page.click('#bump')
  await waitText(page, '#row-0', 'Row 0 · 2')
  assert.equal(await page.textContent('#row-1'), row1)
  assert.equal(await page.locator('#rows > li').count(), 300)
  const bumps = messages(frames, 'sent')
    .filter((m) => m[3] === 'event')
    .map((m) => m[1])
  const replies = frames.filter((f) => {
    if (f.direction !== 'received') return false
    const m = JSON.parse(f.text) as unknown[]
    return m[3] === 'phx_reply' && bumps.includes(m[1])
  })
  assert.equal(replies.length, 2)
  for (const reply of replies) {
    const bytes = Buffer.byteLength(reply.text)
    assert.ok(bytes <= 120, `the bump reply is ${bytes} bytes: ${reply.text}`)
    // the diff names one entry of the comprehension, nothing else
    assert.match(reply.text, /"diff":\{"\d+":\{"k":\{"0":\{"\d+":"2?1?"\},"kc":300\}\}\}/)
  }
})
