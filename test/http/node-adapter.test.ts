import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { type Conn, createHandler } from '../../src/http/index.ts'

let server: Server
let base: string
let dir: string

async function app(conn: Conn): Promise<Conn> {
  switch (conn.requestPath) {
    case '/hello':
      return conn.putRespContentType('text/plain').sendResp(200, `hello ${conn.queryParams.name}`)
    case '/echo':
      return conn.sendResp(200, await conn.readBody({ limit: 10 }))
    case '/file':
      return conn.sendFile(200, join(dir, 'data.txt'), { offset: 2, length: 3 })
    case '/chunks': {
      conn.sendChunked(200)
      for (const part of ['a', 'b', 'c']) await conn.chunk(part)
      return conn
    }
    case '/bad-header':
      return conn.putRespHeader('x-bad', 'line\nbreak').sendResp(200, 'x')
    default:
      throw new Error('unexpected')
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cinder-node-adapter-'))
  await writeFile(join(dir, 'data.txt'), '0123456789')
  server = createServer(createHandler(app, { onError() {} }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await rm(dir, { recursive: true, force: true })
})

test('serves a plug over real HTTP', async () => {
  const res = await fetch(`${base}/hello?name=ada`)
  assert.equal(res.status, 200)
  assert.equal(await res.text(), 'hello ada')
  assert.equal(res.headers.get('content-length'), '9')
})

test('request bodies and their limit (413) over real HTTP', async () => {
  const ok = await fetch(`${base}/echo`, { method: 'POST', body: 'small' })
  assert.equal(await ok.text(), 'small')
  const big = await fetch(`${base}/echo`, { method: 'POST', body: 'x'.repeat(100) })
  assert.equal(big.status, 413)
})

test('sendFile streams a slice of a file', async () => {
  const res = await fetch(`${base}/file`)
  assert.equal(await res.text(), '234')
  assert.equal(res.headers.get('content-length'), '3')
})

test('chunked responses arrive whole', async () => {
  const res = await fetch(`${base}/chunks`)
  assert.equal(res.headers.get('transfer-encoding'), 'chunked')
  assert.equal(await res.text(), 'abc')
})

test('an invalid header value answers 500 instead of hanging', async () => {
  const res = await fetch(`${base}/bad-header`)
  assert.equal(res.status, 500)
})

test('an exception answers 500 and the server keeps serving', async () => {
  const res = await fetch(`${base}/nope`)
  assert.equal(res.status, 500)
  assert.equal((await fetch(`${base}/hello?name=x`)).status, 200)
})
