import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { describe, test } from 'node:test'
import {
  type Conn,
  inject,
  methodOverride,
  type Params,
  parsers,
  pipeline,
  Upload,
} from '../../../src/http/index.ts'

const echo = (conn: Conn) =>
  conn.sendResp(200, JSON.stringify({ method: conn.method, params: conn.params }))
const app = pipeline([
  parsers({ length: 1000, multipart: { fileSize: 100, files: 2, parts: 10 } }),
  methodOverride(),
  echo,
])

test('JSON bodies become params; non-objects land under _json', async () => {
  const res = await inject(app, { method: 'POST', url: '/?q=1', json: { user: { name: 'ada' } } })
  assert.deepEqual(res.json(), { method: 'POST', params: { q: '1', user: { name: 'ada' } } })
  const list = await inject(app, { method: 'POST', json: [1, 2] })
  assert.deepEqual((list.json() as { params: Params }).params, { _json: [1, 2] })
  const vendor = await inject(app, {
    method: 'PUT',
    body: '{"a":1}',
    headers: { 'content-type': 'application/vnd.api+json' },
  })
  assert.deepEqual((vendor.json() as { params: Params }).params, { a: 1 })
})

test('malformed JSON is a 400 that says why', async () => {
  const res = await inject(
    app,
    {
      method: 'POST',
      body: '{"a": ',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    },
    { debugErrors: true },
  )
  assert.equal(res.status, 400)
  assert.match(
    (res.json() as { errors: { detail: string } }).errors.detail,
    /malformed JSON body: .*JSON/,
  )
})

test('urlencoded bodies nest like queries', async () => {
  const res = await inject(app, {
    method: 'POST',
    body: new URLSearchParams('user[name]=ada&tags[]=x&tags[]=y'),
  })
  assert.deepEqual((res.json() as { params: Params }).params, {
    user: { name: 'ada' },
    tags: ['x', 'y'],
  })
})

test('bodies over the limit are a 413, declared or streamed', async () => {
  const declared = await inject(app, { method: 'POST', json: { big: 'x'.repeat(2000) } })
  assert.equal(declared.status, 413)
  assert.equal(declared.headers.get('connection'), 'close')
  const streamed = await inject(app, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: Readable.from([Buffer.from('{"a":"'), Buffer.alloc(1500, 97), Buffer.from('"}')]),
  })
  assert.equal(streamed.status, 413)
})

test('an unknown content type passes by default, and is a 415 when pass excludes it', async () => {
  const passed = await inject(app, {
    method: 'POST',
    body: 'x',
    headers: { 'content-type': 'text/csv' },
  })
  assert.equal(passed.status, 200)
  const strict = pipeline([parsers({ pass: ['text/*'] }), echo])
  const refused = await inject(strict, {
    method: 'POST',
    body: 'x',
    headers: { 'content-type': 'application/xml' },
  })
  assert.equal(refused.status, 415)
  assert.equal(
    (await inject(strict, { method: 'POST', body: 'x', headers: { 'content-type': 'text/csv' } }))
      .status,
    200,
  )
})

test('multipart: fields nest, files are written to temp files removed after the request', async () => {
  let upload: Upload | undefined
  let content = ''
  const keep = (conn: Conn) => {
    upload = (conn.params.user as Params).avatar as Upload
    content = readFileSync(upload.path, 'utf8')
    return conn.sendResp(200, String(conn.params.title))
  }
  const form = new FormData()
  form.set('title', 'hello')
  form.set('user[avatar]', new Blob(['picture bytes'], { type: 'image/png' }), 'me.png')
  form.set('empty', new Blob([]), '')
  const res = await inject(pipeline([parsers(), keep]), { method: 'POST', body: form })
  assert.equal(res.status, 200)
  assert.equal(res.text, 'hello')
  assert.ok(upload instanceof Upload)
  assert.equal(upload.filename, 'me.png')
  assert.equal(upload.contentType, 'image/png')
  assert.equal(upload.size, 13)
  assert.equal(content, 'picture bytes')
  assert.equal(existsSync(upload.path), false, 'temp file removed when the request is done')
})

test('multipart limits answer 413: file size, file count, parts', async () => {
  const bigFile = new FormData()
  bigFile.set('f', new Blob(['x'.repeat(200)]), 'big.bin')
  assert.equal((await inject(app, { method: 'POST', body: bigFile })).status, 413)
  const manyFiles = new FormData()
  for (let i = 0; i < 3; i++) manyFiles.append('f[]', new Blob(['x']), `${i}.bin`)
  assert.equal((await inject(app, { method: 'POST', body: manyFiles })).status, 413)
  const manyParts = new FormData()
  for (let i = 0; i < 20; i++) manyParts.append(`k${i}`, 'v')
  assert.equal((await inject(app, { method: 'POST', body: manyParts })).status, 413)
})

test('a malformed multipart body is a 400', async () => {
  const res = await inject(app, {
    method: 'POST',
    body: 'garbage',
    headers: { 'content-type': 'multipart/form-data' },
  })
  assert.equal(res.status, 400)
})

test('method override: POST with _method becomes PUT/PATCH/DELETE, nothing else', async () => {
  const del = await inject(app, { method: 'POST', body: new URLSearchParams('_method=delete') })
  assert.equal((del.json() as { method: string }).method, 'DELETE')
  const weird = await inject(app, { method: 'POST', body: new URLSearchParams('_method=CONNECT') })
  assert.equal((weird.json() as { method: string }).method, 'POST')
  const viaGet = await inject(app, { method: 'GET', url: '/?_method=DELETE' })
  assert.equal((viaGet.json() as { method: string }).method, 'GET')
})

describe('limits', () => {
  const defaults = pipeline([parsers(), echo])
  const detail = (res: { json(): unknown }) =>
    (res.json() as { errors: { detail: string } }).errors.detail
  const asJson = { accept: 'application/json' }

  test('per type: an urlencoded body over 1 MB is a 413 naming its option; JSON of that size is parsed', async () => {
    const value = 'x'.repeat(1_000_000)
    const form = await inject(
      defaults,
      { method: 'POST', body: new URLSearchParams({ v: value }), headers: asJson },
      { debugErrors: true },
    )
    assert.equal(form.status, 413)
    assert.match(detail(form), /urlencoded body is larger than 1000000 bytes .*`urlencoded.length`/)
    const json = await inject(defaults, { method: 'POST', json: { v: value } })
    assert.equal(json.status, 200)
    assert.equal(((json.json() as { params: Params }).params.v as string).length, 1_000_000)
  })

  test('`length` sets every type; a type of its own wins', async () => {
    const body = new URLSearchParams({ v: 'x'.repeat(2_000) })
    const both = pipeline([parsers({ length: 1_500 }), echo])
    assert.equal((await inject(both, { method: 'POST', body })).status, 413)
    assert.equal(
      (await inject(both, { method: 'POST', json: { v: 'x'.repeat(2_000) } })).status,
      413,
    )
    const own = pipeline([parsers({ length: 1_500, urlencoded: { length: 3_000 } }), echo])
    assert.equal((await inject(own, { method: 'POST', body })).status, 200)
  })

  test('too many parameters: 400 for the query, a form body or the top of a JSON body; `params` raises it', async () => {
    const many = Array.from({ length: 4097 }, (_, i) => `k${i}=1`).join('&')
    for (const request of [
      { url: `/?${many}` },
      { method: 'POST', body: new URLSearchParams(many) },
      { method: 'POST', json: Object.fromEntries(new URLSearchParams(many)) },
    ]) {
      const res = await inject(defaults, { ...request, headers: asJson }, { debugErrors: true })
      assert.equal(res.status, 400)
      assert.match(detail(res), /more than 4096 .*`params`/)
    }
    const raised = pipeline([parsers({ params: 5000 }), echo])
    assert.equal((await inject(raised, { url: `/?${many}` })).status, 200)
    assert.equal(
      (await inject(raised, { method: 'POST', body: new URLSearchParams(many) })).status,
      200,
    )
    const nested = { a: Object.fromEntries(new URLSearchParams(many)) }
    assert.equal((await inject(defaults, { method: 'POST', json: nested })).status, 200)
  })

  test('too deep a name: 400 for the query, a form body or a multipart field; `depth` sets it', async () => {
    const name = `a${'[b]'.repeat(3)}`
    const strict = pipeline([parsers({ depth: 3 }), echo])
    const form = new FormData()
    form.set(name, 'v')
    for (const request of [
      { url: `/?${name}=1` },
      { method: 'POST', body: new URLSearchParams(`${name}=1`) },
      { method: 'POST', body: form },
    ]) {
      const res = await inject(strict, { ...request, headers: asJson }, { debugErrors: true })
      assert.equal(res.status, 400)
      assert.match(detail(res), /deeper than 3 levels .*`depth`/)
      assert.equal((await inject(defaults, request)).status, 200)
    }
  })

  test('bodies over 64 KB are decoded in slices, to the same params', async () => {
    const value = { users: Array.from({ length: 3000 }, (_, i) => ({ id: i, name: `ü${i}` })) }
    const json = await inject(defaults, { method: 'POST', json: value })
    assert.deepEqual((json.json() as { params: Params }).params, value)
    const pairs = Array.from({ length: 3000 }, (_, i) => [`u[${i}][name]`, `é ${i}&=`])
    const form = await inject(defaults, { method: 'POST', body: new URLSearchParams(pairs) })
    const users = (form.json() as { params: { u: Record<string, { name: string }> } }).params.u
    assert.equal(Object.keys(users).length, 3000)
    assert.equal(users['2999']?.name, 'é 2999&=')
    const broken = await inject(defaults, {
      method: 'POST',
      body: `{"a": [${'1,'.repeat(40_000)}}`,
      headers: { 'content-type': 'application/json', ...asJson },
    })
    assert.equal(broken.status, 400)
  })

  test('limits that are not positive integers are refused when the plug is built', () => {
    assert.throws(() => parsers({ params: 0 }), { code: 'CINDER_ERR_PLUG_OPTIONS' })
    assert.throws(() => parsers({ urlencoded: { length: 1.5 } }), /urlencoded.length must be/)
  })
})
