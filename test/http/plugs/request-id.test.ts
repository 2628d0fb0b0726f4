import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type Conn, getRequestId, inject, pipeline, requestId } from '../../../src/http/index.ts'
import { nextRequestId } from '../../../src/http/plugs/request-id.ts'

const app = pipeline([requestId(), (conn: Conn) => conn.sendResp(200, getRequestId(conn) ?? '')])

test('generates a fresh id per request and sends it back', async () => {
  const a = await inject(app)
  const b = await inject(app)
  assert.match(a.text, /^[A-Za-z0-9_-]{20}$/)
  assert.notEqual(a.text, b.text)
  assert.equal(a.headers.get('x-request-id'), a.text)
})

test('keeps a sane incoming id, replaces an insane one', async () => {
  const given = 'abcdefghijklmnopqrstuvwxyz-0123'
  assert.equal((await inject(app, { headers: { 'x-request-id': given } })).text, given)
  const evil = (await inject(app, { headers: { 'x-request-id': 'short<script>' } })).text
  assert.notEqual(evil, 'short<script>')
})

test('the header name is configurable', async () => {
  const custom = pipeline([
    requestId({ header: 'X-Trace' }),
    (conn: Conn) => conn.sendResp(200, ''),
  ])
  assert.ok((await inject(custom)).headers.get('x-trace'))
})

test('fresh ids are unique: a per-process random prefix and a counter', () => {
  const ids = Array.from({ length: 10_000 }, nextRequestId)
  assert.equal(new Set(ids).size, ids.length)
  for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{20}$/)
  const prefixes = new Set(ids.map((id) => id.slice(0, 14)))
  assert.equal(prefixes.size, 1)
  assert.ok(
    ids.every((id, i) => i === 0 || id > (ids[i - 1] as string)),
    'the counter ascends',
  )
})
