import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  type Conn,
  clearSession,
  configureSession,
  fetchFlash,
  fetchSession,
  getFlash,
  getSession,
  type InjectResponse,
  inject,
  json,
  pipeline,
  putFlash,
  putSession,
  redirect,
  type SessionOptions,
  session,
  text,
} from '../../../src/http/index.ts'
import { deriveKey, verifyMessage } from '../../../src/token/index.ts'

const secretKeyBase = 'a'.repeat(64)
const base: SessionOptions = { key: '_app', secretKeyBase, signingSalt: 'signing salt' }

function app(options: SessionOptions, action: (conn: Conn) => Conn) {
  return pipeline([session(options), fetchSession, action])
}

function cookieOf(res: InjectResponse): string {
  const value = res.cookies._app?.value
  assert.ok(value, 'the response sets the session cookie')
  return value
}

const write = (conn: Conn) => text(putSession(conn, 'user_id', 42), 'written')
const read = (conn: Conn) => text(conn, JSON.stringify(getSession(conn)))

describe('session', () => {
  for (const [kind, options] of [
    ['signed', base],
    ['encrypted', { ...base, encryptionSalt: 'encryption salt' }],
    ['signed with ETF (Phoenix) serialization', { ...base, serializer: 'etf' as const }],
  ] as const) {
    test(`${kind}: round trip, and a tampered cookie reads as an empty session`, async () => {
      const cookie = cookieOf(await inject(app(options, write)))
      assert.equal(
        (await inject(app(options, read), { cookies: { _app: cookie } })).text,
        '{"user_id":42}',
      )
      const tampered = `${cookie.slice(0, -3)}${cookie.endsWith('AAA') ? 'BBB' : 'AAA'}`
      assert.equal((await inject(app(options, read), { cookies: { _app: tampered } })).text, '{}')
      const otherKey = { ...options, secretKeyBase: 'b'.repeat(64) }
      assert.equal((await inject(app(otherKey, read), { cookies: { _app: cookie } })).text, '{}')
    })
  }

  test('signed cookies are readable (signed, not encrypted); encrypted ones are not', async () => {
    const signed = cookieOf(await inject(app(base, write)))
    const payload = verifyMessage(signed, deriveKey(secretKeyBase, 'signing salt'))
    assert.equal(payload?.toString(), '{"user_id":42}')
    const encrypted = cookieOf(await inject(app({ ...base, encryptionSalt: 'e' }, write)))
    assert.ok(encrypted.startsWith('XCP.'))
    assert.ok(!Buffer.from(encrypted.slice(4), 'base64url').toString('latin1').includes('user_id'))
  })

  test('cookie attributes: HttpOnly, SameSite=Lax, path /', async () => {
    const res = await inject(app(base, write))
    const cookie = res.cookies._app
    assert.equal(cookie?.httpOnly, true)
    assert.equal(cookie?.sameSite, 'lax')
    assert.equal(cookie?.path, '/')
  })

  test('an unchanged session writes no cookie', async () => {
    const cookie = cookieOf(await inject(app(base, write)))
    const res = await inject(app(base, read), { cookies: { _app: cookie } })
    assert.equal(res.cookies._app, undefined)
  })

  test('key rotation: old secret key bases are accepted and the cookie is rewritten', async () => {
    const oldCookie = cookieOf(await inject(app(base, write)))
    const rotated = { ...base, secretKeyBase: 'n'.repeat(64), oldSecretKeyBases: [secretKeyBase] }
    const res = await inject(app(rotated, read), { cookies: { _app: oldCookie } })
    assert.equal(res.text, '{"user_id":42}')
    const fresh = cookieOf(res)
    assert.notEqual(fresh, oldCookie)
    const newOnly = { ...base, secretKeyBase: 'n'.repeat(64) }
    assert.equal(
      (await inject(app(newOnly, read), { cookies: { _app: fresh } })).text,
      '{"user_id":42}',
    )
  })

  test('clear, drop and renew', async () => {
    const cookie = cookieOf(await inject(app(base, write)))
    const cleared = await inject(
      app(base, (c) => text(clearSession(c), '')),
      { cookies: { _app: cookie } },
    )
    assert.equal(
      (await inject(app(base, read), { cookies: { _app: cookieOf(cleared) } })).text,
      '{}',
    )
    const dropped = await inject(
      app(base, (c) => text(configureSession(c, { drop: true }), '')),
      {
        cookies: { _app: cookie },
      },
    )
    assert.equal(dropped.cookies._app?.maxAge, 0)
    const renewed = await inject(
      app(base, (c) => text(configureSession(c, { renew: true }), '')),
      {
        cookies: { _app: cookie },
      },
    )
    assert.ok(renewed.cookies._app?.value)
  })

  test('using the session before fetchSession is a clear error', async () => {
    const errors: unknown[] = []
    await inject(pipeline([session(base), read]), '/', { onError: (e) => errors.push(e) })
    assert.match((errors[0] as Error).message, /needs a fetched session: add fetchSession/)
  })

  test('a short secret key base is refused up front', () => {
    assert.throws(() => session({ ...base, secretKeyBase: 'short' }), /at least 64 bytes/)
  })

  test('an oversized session is a clear error, not a broken cookie', async () => {
    const errors: unknown[] = []
    const huge = (conn: Conn) => text(putSession(conn, 'blob', 'x'.repeat(5000)), '')
    const res = await inject(app(base, huge), '/', { onError: (e) => errors.push(e) })
    assert.equal(res.status, 500)
    assert.equal((errors[0] as { code: string }).code, 'CINDER_ERR_COOKIE_OVERFLOW')
  })
})

describe('flash', () => {
  const flashApp = pipeline([
    session(base),
    fetchSession,
    fetchFlash,
    (conn: Conn) => {
      if (conn.requestPath === '/save') return redirect(putFlash(conn, 'info', 'Saved!'), '/show')
      if (conn.requestPath === '/inline')
        return text(putFlash(conn, 'error', 'Oops'), JSON.stringify(conn.assigns.flash))
      return text(conn, JSON.stringify({ info: getFlash(conn, 'info') ?? null }))
    },
  ])

  test('kept across one redirect, then gone', async () => {
    const saved = await inject(flashApp, '/save')
    assert.equal(saved.status, 302)
    assert.equal(saved.headers.get('location'), '/show')
    const shown = await inject(flashApp, { url: '/show', cookies: { _app: cookieOf(saved) } })
    assert.equal(shown.text, '{"info":"Saved!"}')
    const after = await inject(flashApp, { url: '/show', cookies: { _app: cookieOf(shown) } })
    assert.equal(after.text, '{"info":null}')
  })

  test('a flash put on a non-redirect shows now and is not stored', async () => {
    const res = await inject(flashApp, '/inline')
    assert.equal(res.text, '{"error":"Oops"}')
    assert.equal(res.cookies._app, undefined)
  })
})

describe('session writes and before-send hooks', () => {
  const store = { key: '_s', secretKeyBase: 's'.repeat(64), signingSalt: 'salt' }

  test('a request that only reads the session sends no cookie', async () => {
    const first = await inject(
      pipeline([
        session(store),
        fetchSession,
        (c: Conn) => putSession(c, 'n', 1).sendResp(200, ''),
      ]),
    )
    const cookie = first.cookies._s?.value ?? ''
    const read = await inject(
      pipeline([session(store), fetchSession, (c: Conn) => text(c, String(getSession(c, 'n')))]),
      { cookies: { _s: cookie } },
    )
    assert.equal(read.text, '1')
    assert.equal(read.headers.get('set-cookie'), null)
  })

  test('a change made by a hook registered before the first change is still written', async () => {
    const app = pipeline([
      session(store),
      fetchSession,
      (c: Conn) => c.registerBeforeSend((sent) => putSession(sent, 'late', true)),
      (c: Conn) => putSession(c, 'early', true).sendResp(200, ''),
    ])
    const cookie = (await inject(app)).cookies._s?.value ?? ''
    const read = await inject(
      pipeline([session(store), fetchSession, (c: Conn) => json(c, getSession(c))]),
      { cookies: { _s: cookie } },
    )
    assert.deepEqual(read.json(), { early: true, late: true })
  })
})

test('changing a session read from a cookie never changes what the next read of it sees', async () => {
  const store = { key: '_s', secretKeyBase: 's'.repeat(64), signingSalt: 'salt' }
  const seed = pipeline([
    session(store),
    fetchSession,
    (c: Conn) => putSession(putSession(c, 'n', 1), 'nested', { a: 1 }).sendResp(200, ''),
  ])
  const cookie = (await inject(seed)).cookies._s?.value ?? ''
  const meddle = pipeline([
    session(store),
    fetchSession,
    (c: Conn) => {
      const nested = getSession(c, 'nested') as { a: number } | undefined
      if (nested !== undefined) nested.a = 2
      ;(getSession(c) as Record<string, unknown>).extra = true
      return putSession(c, 'n', 2).sendResp(200, '')
    },
  ])
  const read = pipeline([session(store), fetchSession, (c: Conn) => json(c, getSession(c))])
  for (let i = 0; i < 3; i++) {
    await inject(meddle, { cookies: { _s: cookie } })
    const seen = await inject(read, { cookies: { _s: cookie } })
    assert.deepEqual(seen.json(), { n: 1, nested: { a: 1 } })
  }
  const flatOnly = pipeline([
    session(store),
    fetchSession,
    (c: Conn) => putSession(c, 'k', 'v').sendResp(200, ''),
  ])
  const flatCookie = (await inject(flatOnly)).cookies._s?.value ?? ''
  for (let i = 0; i < 3; i++) {
    await inject(meddle, { cookies: { _s: flatCookie } })
    assert.deepEqual((await inject(read, { cookies: { _s: flatCookie } })).json(), { k: 'v' })
  }
})
