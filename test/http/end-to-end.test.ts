// A browser-like and an API pipeline behind a real server on 127.0.0.1:0, driven with fetch.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import {
  accepts,
  createHandler,
  fetchFlash,
  fetchSession,
  getCsrfToken,
  getSession,
  json,
  methodOverride,
  parsers,
  pipeline,
  protectFromForgery,
  putFlash,
  putSecureBrowserHeaders,
  putSession,
  Router,
  redirect,
  requestId,
  sendHtml,
  session,
  staticFiles,
} from '../../src/http/index.ts'

let server: Server
let base: string
let dir: string

function buildApp() {
  const router = new Router({ name: 'E2E' })
    .pipeline('browser', [
      accepts(['html']),
      fetchSession,
      fetchFlash,
      protectFromForgery(),
      putSecureBrowserHeaders(),
    ])
    .pipeline('api', [accepts(['json'])])
  router.scope('/', { pipeThrough: ['browser'] }, (r) => {
    r.get('/form', (conn) =>
      sendHtml(conn, `<input name="_csrf_token" value="${getCsrfToken(conn)}">`),
    )
    r.post('/login', (conn, params) =>
      redirect(putFlash(putSession(conn, 'user', params.name), 'info', 'hi'), '/me'),
    )
    r.get('/me', (conn) =>
      sendHtml(
        conn,
        `user=${String(getSession(conn, 'user'))} flash=${JSON.stringify(conn.assigns.flash)}`,
      ),
    )
    r.delete('/me', (conn) => sendHtml(conn, 'deleted'))
  })
  router.scope('/api', { pipeThrough: ['api'] }, (r) => {
    r.get('/users/:id', (conn, { id }) => json(conn, { id }))
    r.post('/echo', (conn, params) => json(conn, params))
    r.get('/crash', () => {
      throw new Error('kaput <b>')
    })
  })
  return pipeline([
    staticFiles({ at: '/', from: dir, only: ['robots.txt'] }),
    requestId(),
    parsers({ length: 200 }),
    methodOverride(),
    session({
      key: '_e2e',
      secretKeyBase: 'k'.repeat(64),
      signingSalt: 'sign',
      encryptionSalt: 'enc',
    }),
    router.plug,
  ])
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cinder-e2e-'))
  await writeFile(join(dir, 'robots.txt'), 'User-agent: *')
  server = createServer(createHandler(buildApp(), { debugErrors: true, onError() {} }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await rm(dir, { recursive: true, force: true })
})

function cookieFrom(res: Response): string {
  return (res.headers.getSetCookie()[0] ?? '').split(';')[0] ?? ''
}

test('routing with params, 404 for unknown paths', async () => {
  const res = await fetch(`${base}/api/users/7`)
  assert.deepEqual(await res.json(), { id: '7' })
  assert.ok(res.headers.get('x-request-id'))
  assert.equal((await fetch(`${base}/api/nothing`)).status, 404)
})

test('static files with caching headers and a 304', async () => {
  const res = await fetch(`${base}/robots.txt`)
  assert.equal(await res.text(), 'User-agent: *')
  const etag = res.headers.get('etag') ?? ''
  const again = await fetch(`${base}/robots.txt`, { headers: { 'if-none-match': etag } })
  assert.equal(again.status, 304)
})

test('JSON bodies and the size limit', async () => {
  const ok = await fetch(`${base}/api/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ a: 1 }),
  })
  assert.deepEqual(await ok.json(), { a: 1 })
  const big = await fetch(`${base}/api/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ a: 'x'.repeat(500) }),
  })
  assert.equal(big.status, 413)
  const bad = await fetch(`${base}/api/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{oops',
  })
  assert.equal(bad.status, 400)
})

test('browser flow: CSRF refused then accepted, encrypted session, flash across redirect, secure headers', async () => {
  const form = await fetch(`${base}/form`)
  assert.equal(form.headers.get('x-content-type-options'), 'nosniff')
  const token = /value="([^"]+)"/.exec(await form.text())?.[1] ?? ''
  const cookie = cookieFrom(form)
  const refused = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'name=ada',
    redirect: 'manual',
  })
  assert.equal(refused.status, 403)
  assert.match(await refused.text(), /carries no CSRF token/)
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: `name=ada&_csrf_token=${token}`,
    redirect: 'manual',
  })
  assert.equal(login.status, 302)
  const session = cookieFrom(login)
  const me = await fetch(`${base}/me`, { headers: { cookie: session } })
  assert.equal(await me.text(), 'user=ada flash={"info":"hi"}')
  const tampered = `${session.slice(0, -2)}xx`
  assert.equal(
    await (await fetch(`${base}/me`, { headers: { cookie: tampered } })).text(),
    'user=undefined flash={}',
  )
  const deleted = await fetch(`${base}/me`, {
    method: 'POST',
    headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' },
    body: `_method=DELETE&_csrf_token=${token}`,
  })
  assert.equal(await deleted.text(), 'deleted')
})

test('an exception answers the 500 debug page, escaped', async () => {
  const res = await fetch(`${base}/api/crash`, { headers: { accept: '*/*' } })
  assert.equal(res.status, 500)
  const body = await res.text()
  assert.match(body, /kaput &lt;b&gt;/)
})

test('malformed URLs are 400s, never crashes', async () => {
  assert.equal((await fetch(`${base}/api/users/%E0%A4%A`)).status, 400)
  assert.equal((await fetch(`${base}/api/users/1?a=%zz`)).status, 400)
  assert.equal((await fetch(`${base}/api/echo?a=%zz`, { method: 'POST' })).status, 400)
})
