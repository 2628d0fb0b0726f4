// view.upload: files picked and sent as the client does (change, preflight,
// chunks on lvu: channels, progress), in process and over a socket; uploads
// of a live component; an external uploader's meta.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import type { Endpoint } from '../../src/index.ts'
import { connectLive, findAll, type LiveViewTest, mountLive } from '../../src/testing/index.ts'
import { startConformanceServer } from '../support/conformance-server.ts'
import { UploadLive } from '../support/live-fixtures/upload.ts'
import { UploadsMoreLive } from '../support/live-fixtures/uploads-more.ts'

let endpoint: Endpoint
before(async () => {
  endpoint = await startConformanceServer({ port: 0, logger: { info() {}, warn() {}, error() {} } })
})
after(() => endpoint.stop())

/** The texts of the `li`s of `#saved`. */
const saved = (view: LiveViewTest) =>
  findAll(view.find('#saved')?.innerHtml ?? '', 'li').map((li) => li.text)
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

test('files are sent in chunks and consumed on submit, byte for byte (in process)', async () => {
  const view = await mountLive(UploadLive)
  const big = Buffer.from(randomBytes(20_000).toString('hex')) // 40,000 bytes: 3 chunks
  await view.upload('#upload-form', 'doc', [
    { name: 'big.txt', content: big, type: 'text/plain' },
    { name: 'small.txt', content: 'hello', type: 'text/plain' },
  ])
  assert.match(view.text('#entries') ?? '', /big\.txt 100%[\s\S]*small\.txt 100%/)
  await view.submit('#upload-form')
  assert.deepEqual(saved(view).sort(), [
    `big.txt 40000 ${sha(big)}`,
    `small.txt 5 ${sha(Buffer.from('hello'))}`,
  ])
  await view.close()
})

test('a refused file is not sent; its error is on the page', async () => {
  const view = await mountLive(UploadLive)
  await view.upload('#upload-form', 'doc', [{ name: 'x.png', content: 'png', type: 'image/png' }])
  assert.match(view.text('#entries') ?? '', /x\.png 0% not_accepted/)
  await assert.rejects(
    view.upload('#upload-form', 'nope', []),
    /has no upload input "nope"; its file inputs: doc/,
  )
  await view.close()
})

test('the same over a real socket (binary chunk frames)', async () => {
  const view = await connectLive(`http://127.0.0.1:${endpoint.port}/lv/upload`)
  await view.upload('#upload-form', 'doc', [{ name: 'a.txt', content: 'abc', type: 'text/plain' }])
  await view.submit('#upload-form')
  assert.deepEqual(saved(view), [`a.txt 3 ${sha(Buffer.from('abc'))}`])
  await view.close()
})

test("a live component's upload (a form with phx-target), and an external uploader's meta", async () => {
  const view = await mountLive(UploadsMoreLive)
  await view.upload('#avatar-form', 'avatar', [{ name: 'me.jpg', content: randomBytes(2_500) }])
  assert.match(view.text('#avatar-box') ?? '', /me\.jpg 100%/)
  await view.submit('#avatar-form')
  assert.equal(view.text('#avatar-saved'), 'me.jpg 2500')
  await view.upload('#photo-form', 'photo', [{ name: 'p.png', content: 'x' }])
  await view.submit('#photo-form')
  assert.match(
    view.text('#photo-saved') ?? '',
    /^photo-[0-9a-f]{8}-p\.png missing$/,
    'the meta came back; nothing was stored in process',
  )
  await view.close()
})
