import assert from 'node:assert/strict'
import { test } from 'node:test'
import { accepts, type Conn, getFormat, inject, pipeline } from '../../../src/http/index.ts'

const app = pipeline([
  accepts(['html', 'json']),
  (conn: Conn) => conn.sendResp(200, getFormat(conn) ?? ''),
])

test('picks the format from the accept header, by quality', async () => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, 'html'],
    ['*/*', 'html'],
    ['application/json', 'json'],
    ['text/html;q=0.5, application/json', 'json'],
    ['application/xml, application/*;q=0.8', 'json'],
    ['image/png, */*;q=0.1', 'html'],
  ]
  for (const [accept, format] of cases) {
    const res = await inject(app, { headers: accept === undefined ? {} : { accept } })
    assert.equal(res.text, format, `accept: ${accept}`)
  }
})

test('_format wins over the header', async () => {
  assert.equal(
    (await inject(app, { url: '/?_format=json', headers: { accept: 'text/html' } })).text,
    'json',
  )
})

test('nothing acceptable is a 406', async () => {
  assert.equal((await inject(app, { headers: { accept: 'image/png' } })).status, 406)
  assert.equal((await inject(app, '/?_format=xml')).status, 406)
})
