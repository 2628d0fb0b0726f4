import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type Conn, inject, pipeline, putSecureBrowserHeaders } from '../../../src/http/index.ts'

const ok = (conn: Conn) => conn.sendResp(200, '')

test("sets Phoenix 1.8's secure headers and a default CSP", async () => {
  const res = await inject(pipeline([putSecureBrowserHeaders(), ok]))
  assert.equal(res.headers.get('referrer-policy'), 'strict-origin-when-cross-origin')
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
  assert.equal(res.headers.get('x-permitted-cross-domain-policies'), 'none')
  assert.equal(
    res.headers.get('content-security-policy'),
    "base-uri 'self'; frame-ancestors 'self';",
  )
})

test('keeps an existing CSP and merges extra headers', async () => {
  const app = pipeline([
    (conn: Conn) => conn.putRespHeader('content-security-policy', "default-src 'self'"),
    putSecureBrowserHeaders({ 'Strict-Transport-Security': 'max-age=63072000' }),
    ok,
  ])
  const res = await inject(app)
  assert.equal(res.headers.get('content-security-policy'), "default-src 'self'")
  assert.equal(res.headers.get('strict-transport-security'), 'max-age=63072000')
})
