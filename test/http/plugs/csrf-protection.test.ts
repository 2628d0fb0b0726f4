import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  type Conn,
  fetchSession,
  getCsrfToken,
  getSession,
  inject,
  json,
  parsers,
  pipeline,
  protectFromForgery,
  putSession,
  session,
  text,
  validCsrfToken,
} from '../../../src/http/index.ts'

const app = pipeline([
  session({ key: '_app', secretKeyBase: 's'.repeat(64), signingSalt: 'salt' }),
  parsers(),
  fetchSession,
  protectFromForgery(),
  (conn: Conn) =>
    conn.method === 'GET' ? json(conn, { token: getCsrfToken(conn) }) : text(conn, 'accepted'),
])

async function form() {
  const res = await inject(app, '/form')
  const { token } = res.json() as { token: string }
  return { token, cookie: res.cookies._app?.value ?? '' }
}

test('tokens are masked per request: different every time, 64 base64url chars', async () => {
  const a = await form()
  const b = await inject(app, { url: '/form', cookies: { _app: a.cookie } })
  const second = (b.json() as { token: string }).token
  assert.match(a.token, /^[A-Za-z0-9_-]{64}$/)
  assert.notEqual(a.token, second)
})

test('a valid token in the param or the header is accepted', async () => {
  const { token, cookie } = await form()
  const byParam = await inject(app, {
    method: 'POST',
    body: new URLSearchParams({ _csrf_token: token }),
    cookies: { _app: cookie },
  })
  assert.equal(byParam.text, 'accepted')
  const byHeader = await inject(app, {
    method: 'DELETE',
    headers: { 'x-csrf-token': token },
    cookies: { _app: cookie },
  })
  assert.equal(byHeader.text, 'accepted')
})

test('missing, forged or foreign tokens are a 403 that says why', async () => {
  const { token, cookie } = await form()
  const cases: Array<[string, Parameters<typeof inject>[1], RegExp]> = [
    ['no token', { method: 'POST', cookies: { _app: cookie } }, /carries no CSRF token/],
    [
      'no session',
      { method: 'POST', headers: { 'x-csrf-token': token } },
      /session has no CSRF token/,
    ],
    [
      'forged',
      { method: 'PUT', headers: { 'x-csrf-token': 'A'.repeat(64) }, cookies: { _app: cookie } },
      /does not match this session/,
    ],
  ]
  const other = await form()
  cases.push([
    'other session',
    { method: 'PATCH', headers: { 'x-csrf-token': other.token }, cookies: { _app: cookie } },
    /does not match this session/,
  ])
  for (const [name, request, why] of cases) {
    const res = await inject(app, request, { debugErrors: true })
    assert.equal(res.status, 403, name)
    assert.match(res.text, why, name)
  }
})

test('safe methods are not checked', async () => {
  assert.equal((await inject(app, { method: 'HEAD', url: '/' })).status, 200)
})

test('with: clearSession empties the session instead of refusing', async () => {
  const lenient = pipeline([
    session({ key: '_app', secretKeyBase: 's'.repeat(64), signingSalt: 'salt' }),
    fetchSession,
    protectFromForgery({ with: 'clearSession' }),
    (conn: Conn) => text(conn, 'went on'),
  ])
  const res = await inject(lenient, { method: 'POST' })
  assert.equal(res.text, 'went on')
})

test('a JavaScript GET response without XHR is refused (cross-origin script read)', async () => {
  const js = pipeline([
    session({ key: '_app', secretKeyBase: 's'.repeat(64), signingSalt: 'salt' }),
    fetchSession,
    protectFromForgery(),
    (conn: Conn) => conn.putRespContentType('text/javascript').sendResp(200, 'var secret = 1'),
  ])
  assert.equal((await inject(js, '/x.js')).status, 403)
  assert.equal(
    (await inject(js, { url: '/x.js', headers: { 'x-requested-with': 'XMLHttpRequest' } })).status,
    200,
  )
})

test('a masked CSRF token is valid only for its session secret', () => {
  const secret = 'a'.repeat(24)
  const pad = Buffer.from('b'.repeat(24))
  const masked = Buffer.concat([
    Buffer.from(secret).map((c, i) => c ^ (pad[i] ?? 0)),
    pad,
  ]).toString('base64url')
  assert.equal(validCsrfToken(masked, secret), true)
  assert.equal(validCsrfToken(masked, 'c'.repeat(24)), false)
  assert.equal(validCsrfToken('short', secret), false)
  assert.equal(validCsrfToken(masked, undefined), false)
})

test("a token unmasks to the session's secret the way Phoenix checks it", async () => {
  let secret: unknown
  const peek = pipeline([
    session({ key: '_app', secretKeyBase: 's'.repeat(64), signingSalt: 'salt' }),
    fetchSession,
    (conn: Conn) => {
      const token = getCsrfToken(conn)
      secret = getSession(conn, '_csrf_token')
      return text(conn, token)
    },
  ])
  const res = await inject(peek)
  // Plug.CSRFProtection: base64url-decode, then the first half XOR the second.
  const raw = Buffer.from(res.text, 'base64url')
  const unmasked = raw.subarray(0, 24).map((byte, i) => byte ^ (raw[24 + i] ?? 0))
  assert.equal(Buffer.from(unmasked).toString(), secret)
})

test('a session secret that is not 24 ASCII characters is replaced, never masked', async () => {
  const odd = 'é'.repeat(24)
  assert.equal(validCsrfToken('x'.repeat(64), odd), false)
  const seeded = pipeline([
    session({ key: '_app', secretKeyBase: 's'.repeat(64), signingSalt: 'salt' }),
    fetchSession,
    (conn: Conn) => {
      putSession(conn, '_csrf_token', odd)
      const token = getCsrfToken(conn)
      return json(conn, { token, secret: getSession(conn, '_csrf_token') })
    },
  ])
  const body = (await inject(seeded)).json() as { token: string; secret: string }
  assert.match(body.secret, /^[A-Za-z0-9_-]{24}$/)
  assert.equal(validCsrfToken(body.token, body.secret), true)
})
