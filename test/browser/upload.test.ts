// Uploads through the official client: the form change announcing files,
// allow_upload, binary chunks on lvu: channels, progress, consume on submit,
// auto uploads, and refused files.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { type BrowserEnv, messages, startBrowserEnv, textOf, waitText } from './support.ts'

let env: BrowserEnv
before(async () => {
  env = await startBrowserEnv()
})
after(() => env.close())

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

test('two picked files are sent in chunks and consumed on submit, byte for byte', async () => {
  const { page, frames, errors } = await env.open('/lv/upload')
  // 50,000 bytes: four 16,000-byte chunks (the upload's chunkSize) and a remainder.
  const first = Buffer.from(randomBytes(25_000).toString('hex'))
  const second = Buffer.from('hello, upload\n')
  await page.setInputFiles('#upload-form input[type="file"]', [
    { name: 'first.txt', mimeType: 'text/plain', buffer: first },
    { name: 'second.txt', mimeType: 'text/plain', buffer: second },
  ])
  await page.waitForSelector('#entries li:nth-child(2)')
  assert.match((await textOf(page, '#entries')) ?? '', /first\.txt 0%[\s\S]*second\.txt 0%/)
  await page.click('#save')
  await page.waitForSelector('#saved li:nth-child(2)')
  const saved = await page.$$eval('#saved li', (items) => items.map((li) => li.textContent))
  assert.deepEqual(saved.sort(), [
    `first.txt ${first.byteLength} ${sha256(first)}`,
    `second.txt ${second.byteLength} ${sha256(second)}`,
  ])
  assert.equal(await page.locator('#entries li').count(), 0, 'consumed entries are gone')
  const sent = messages(frames, 'sent')
  assert.ok(
    sent.some((m) => m[3] === 'allow_upload'),
    'the client preflighted',
  )
  assert.ok(
    sent.some((m) => String(m[2]).startsWith('lvu:') && m[3] === 'phx_join'),
    'the client joined an upload channel',
  )
  assert.ok(
    sent.some((m) => m[3] === 'progress'),
    'the client reported progress',
  )
  const chunks = sent.filter((m) => m[3] === 'chunk' && m[4] instanceof Buffer)
  const chunkBytes = chunks.map((m) => (m[4] as Buffer).byteLength)
  assert.ok(Math.max(...chunkBytes) <= 16_000, 'no chunk is larger than chunkSize')
  assert.equal(
    chunkBytes.reduce((a, b) => a + b, 0),
    first.byteLength + second.byteLength,
    'every byte went over the upload channels, once',
  )
  assert.deepEqual(errors, [])
})

test('an auto upload completes as soon as the file is picked', async () => {
  const { page, errors } = await env.open('/lv/upload')
  await page.setInputFiles('#auto-form input[type="file"]', {
    name: 'photo.bin',
    mimeType: 'application/octet-stream',
    buffer: randomBytes(100_000),
  })
  await waitText(page, '#auto-done', 'photo.bin')
  assert.equal(await textOf(page, '#auto-progress'), '100')
  assert.deepEqual(errors, [])
})

test('a file of the wrong type or too large is refused with its reason, and nothing is saved', async () => {
  const { page } = await env.open('/lv/upload')
  await page.setInputFiles('#upload-form input[type="file"]', [
    { name: 'image.png', mimeType: 'image/png', buffer: randomBytes(100) },
    { name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.alloc(300_000, 97) },
  ])
  await page.waitForSelector('#entries .error')
  const text = (await textOf(page, '#entries')) ?? ''
  assert.match(text, /image\.png 0% not_accepted/)
  assert.match(text, /big\.txt 0% too_large/)
  await page.click('#save')
  await page.waitForTimeout(300)
  assert.equal(await page.locator('#saved li').count(), 0)
})

test('three files where two are allowed: too_many_files', async () => {
  const { page } = await env.open('/lv/upload')
  const file = (name: string) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(name) })
  await page.setInputFiles('#upload-form input[type="file"]', [
    file('a.txt'),
    file('b.txt'),
    file('c.txt'),
  ])
  await waitText(page, '#doc-errors', 'too_many_files')
})
