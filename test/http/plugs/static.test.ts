import assert from 'node:assert/strict'
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { type Conn, inject, pipeline, staticFiles } from '../../../src/http/index.ts'

let dir: string
let app: ReturnType<typeof pipeline>
const fallthrough = (conn: Conn) => conn.sendResp(404, 'fell through')

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cinder-static-'))
  await writeFile(join(dir, 'app.js'), 'console.log("hello world")')
  await writeFile(join(dir, 'app.js.gz'), gzipSync('console.log("hello world")'))
  await writeFile(join(dir, 'data.txt'), '0123456789')
  await utimes(
    join(dir, 'data.txt'),
    new Date('2024-01-01T00:00:00Z'),
    new Date('2024-01-01T00:00:00Z'),
  )
  await writeFile(join(dir, '..secret'), 'not for you')
  app = pipeline([staticFiles({ at: '/static', from: dir }), fallthrough])
})

after(() => rm(dir, { recursive: true, force: true }))

test('serves a file with type, ETag, Last-Modified and cache-control', async () => {
  const res = await inject(app, '/static/data.txt')
  assert.equal(res.status, 200)
  assert.equal(res.text, '0123456789')
  assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8')
  assert.match(res.headers.get('etag') ?? '', /^"a-[0-9a-f]+"$/)
  assert.equal(res.headers.get('last-modified'), 'Mon, 01 Jan 2024 00:00:00 GMT')
  assert.equal(res.headers.get('cache-control'), 'public')
  assert.equal(res.conn.halted, true)
})

test('If-None-Match and If-Modified-Since give 304', async () => {
  const first = await inject(app, '/static/data.txt')
  const etag = first.headers.get('etag') ?? ''
  const byTag = await inject(app, {
    url: '/static/data.txt',
    headers: { 'if-none-match': `W/"x", ${etag}` },
  })
  assert.equal(byTag.status, 304)
  assert.equal(byTag.text, '')
  const stale = await inject(app, {
    url: '/static/data.txt',
    headers: { 'if-none-match': '"other"' },
  })
  assert.equal(stale.status, 200)
  const byDate = await inject(app, {
    url: '/static/data.txt',
    headers: { 'if-modified-since': 'Tue, 02 Jan 2024 00:00:00 GMT' },
  })
  assert.equal(byDate.status, 304)
  const older = await inject(app, {
    url: '/static/data.txt',
    headers: { 'if-modified-since': 'Sun, 31 Dec 2023 00:00:00 GMT' },
  })
  assert.equal(older.status, 200)
})

test('?vsn= gets the long immutable cache', async () => {
  const res = await inject(app, '/static/data.txt?vsn=d')
  assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable')
})

test('precompressed .gz is sent when accepted, with vary and content-encoding', async () => {
  const res = await inject(app, {
    url: '/static/app.js',
    headers: { 'accept-encoding': 'br;q=0, gzip' },
  })
  assert.equal(res.headers.get('content-encoding'), 'gzip')
  assert.equal(res.headers.get('vary'), 'accept-encoding')
  assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8')
  assert.deepEqual(res.body, gzipSync('console.log("hello world")'))
  const plain = await inject(app, '/static/app.js')
  assert.equal(plain.headers.get('content-encoding'), null)
  assert.equal(plain.text, 'console.log("hello world")')
})

test('byte ranges: 206 with content-range, suffix ranges, 416 when unsatisfiable', async () => {
  const mid = await inject(app, { url: '/static/data.txt', headers: { range: 'bytes=2-4' } })
  assert.equal(mid.status, 206)
  assert.equal(mid.text, '234')
  assert.equal(mid.headers.get('content-range'), 'bytes 2-4/10')
  const tail = await inject(app, { url: '/static/data.txt', headers: { range: 'bytes=-3' } })
  assert.equal(tail.text, '789')
  const open = await inject(app, { url: '/static/data.txt', headers: { range: 'bytes=8-' } })
  assert.equal(open.text, '89')
  const bad = await inject(app, { url: '/static/data.txt', headers: { range: 'bytes=20-30' } })
  assert.equal(bad.status, 416)
  assert.equal(bad.headers.get('content-range'), 'bytes */10')
  const many = await inject(app, { url: '/static/data.txt', headers: { range: 'bytes=0-1,4-5' } })
  assert.equal(many.status, 200)
})

test('HEAD gets the headers without the body', async () => {
  const res = await inject(app, { method: 'HEAD', url: '/static/data.txt' })
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('content-length'), '10')
  assert.equal(res.text, '')
})

test('path traversal is refused with a 400, never served', async () => {
  for (const url of [
    '/static/../data.txt',
    '/static/%2e%2e/etc/passwd',
    '/static/a%2f..%2f..%2fetc',
    '/static/x%5c..',
  ]) {
    const res = await inject(app, url, { onError() {} })
    assert.ok(res.status === 400 || res.text === 'fell through', `${url} gave ${res.status}`)
    assert.ok(!res.text.includes('root:'), url)
  }
  assert.equal((await inject(app, '/static/%2e%2e/x')).status, 400)
  assert.equal(
    (await inject(app, '/static/..secret')).text,
    'not for you',
    'dots inside a name are fine',
  )
})

test('missing files, other prefixes and other methods fall through', async () => {
  assert.equal((await inject(app, '/static/nope.txt')).text, 'fell through')
  assert.equal((await inject(app, '/elsewhere/data.txt')).text, 'fell through')
  assert.equal(
    (await inject(app, { method: 'POST', url: '/static/data.txt' })).text,
    'fell through',
  )
  assert.equal((await inject(app, '/static')).text, 'fell through')
})

test('only restricts the first segment', async () => {
  const limited = pipeline([staticFiles({ at: '/', from: dir, only: ['app.js'] }), fallthrough])
  assert.equal((await inject(limited, '/app.js')).status, 200)
  assert.equal((await inject(limited, '/data.txt')).text, 'fell through')
})
