import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { CinderError } from '../../src/errors.ts'
import { splitPath } from '../../src/http/conn.ts'
import { type Conn, inject } from '../../src/http/index.ts'

function capture(fn: (conn: Conn) => Conn | Promise<Conn>) {
  return async (conn: Conn) => fn(conn)
}

describe('Conn request', () => {
  test('parses path, segments, query params and cookies', async () => {
    let seen: Conn | undefined
    await inject(
      (conn) => {
        seen = conn
        return conn.sendResp(200, 'ok')
      },
      {
        url: '//users//42/?user[name]=ada&tags[]=a&tags[]=b&x=1&x=2',
        cookies: { a: '1', b: 'x y' },
      },
    )
    assert.ok(seen)
    assert.equal(seen.requestPath, '//users//42/')
    assert.deepEqual(seen.pathInfo, ['users', '42'])
    assert.deepEqual(seen.queryParams, { user: { name: 'ada' }, tags: ['a', 'b'], x: '2' })
    assert.deepEqual(seen.reqCookies, { a: '1', b: 'x y' })
    assert.equal(seen.host, 'localhost')
    assert.equal(seen.remoteIp, '127.0.0.1')
  })

  test('splitPath keeps the non-empty segments between slashes, for any path', () => {
    const path = fc.array(fc.constantFrom('/', '/', 'a', 'bc', '%2F', '.', ''), { maxLength: 12 })
    fc.assert(
      fc.property(path, (parts) => {
        const joined = parts.join('')
        assert.deepEqual(
          splitPath(joined),
          joined.split('/').filter((segment) => segment !== ''),
        )
      }),
    )
  })

  test('a response cookie set late is still sent; none means no set-cookie', async () => {
    const plain = await inject((conn) => conn.sendResp(200, 'ok'))
    assert.equal(plain.headers.get('set-cookie'), null)
    assert.equal(plain.headers.get('cache-control'), 'max-age=0, private, must-revalidate')
    const res = await inject((conn) =>
      conn.registerBeforeSend((c) => c.putRespCookie('late', 'yes')).sendResp(200, 'ok'),
    )
    assert.equal(res.cookies.late?.value, 'yes')
    assert.match(String(res.headers.get('set-cookie')), /^late=yes; Path=\/; HttpOnly/)
  })

  test('response headers: set by any case, replaced in place, deleted, read as a copy', async () => {
    const res = await inject((conn) => {
      conn.putRespHeader('X-One', 'a').putRespHeader('x-two', 'b').putRespHeader('x-one', 'c')
      conn.deleteRespHeader('X-TWO').deleteRespHeader('x-absent')
      assert.equal(conn.getRespHeader('X-ONE'), 'c')
      assert.equal(conn.getRespHeader('x-two'), undefined)
      const snapshot = conn.respHeaders
      assert.deepEqual([...snapshot.keys()], ['cache-control', 'x-one'])
      ;(snapshot as Map<string, string>).set('x-sneaky', '1')
      return conn.sendResp(200, 'ok')
    })
    assert.equal(res.headers.get('x-one'), 'c')
    assert.equal(res.headers.get('x-two'), null)
    assert.equal(res.headers.get('x-sneaky'), null)
  })

  test('params merge query < body < path', async () => {
    const res = await inject((conn) => {
      conn.putBodyParams({ a: 'body', b: 'body' }).putPathParams({ b: 'path' })
      return conn.sendResp(200, JSON.stringify(conn.params))
    }, '/?a=query&c=query')
    assert.deepEqual(res.json(), { a: 'body', b: 'path', c: 'query' })
  })

  test('a malformed query is a 400, not a crash', async () => {
    const res = await inject((conn) => conn.sendResp(200, String(conn.params.a)), '/?a=%E0%A4%A')
    assert.equal(res.status, 400)
  })
})

describe('Conn response state machine', () => {
  test('unset → set → sent, and a second send throws CINDER_ERR_ALREADY_SENT', async () => {
    const states: string[] = []
    let second: unknown
    await inject((conn) => {
      states.push(conn.state)
      conn.resp(201, 'made')
      states.push(conn.state)
      conn.send()
      states.push(conn.state)
      try {
        conn.sendResp(200, 'again')
      } catch (error) {
        second = error
      }
      return conn
    })
    assert.deepEqual(states, ['unset', 'set', 'sent'])
    assert.ok(second instanceof CinderError)
    assert.equal(second.code, 'CINDER_ERR_ALREADY_SENT')
    assert.match(second.message, /already sent/)
  })

  test('headers cannot change after sending', async () => {
    let error: unknown
    await inject((conn) => {
      conn.sendResp(200, 'x')
      try {
        conn.putRespHeader('x-late', '1')
      } catch (e) {
        error = e
      }
      return conn
    })
    assert.equal((error as CinderError).code, 'CINDER_ERR_ALREADY_SENT')
  })

  test('a response left set is sent when the pipeline ends', async () => {
    const res = await inject((conn) => conn.resp(202, 'later'))
    assert.equal(res.status, 202)
    assert.equal(res.text, 'later')
  })

  test('a pipeline that sends nothing is a 500 naming the problem', async () => {
    const errors: unknown[] = []
    const res = await inject((conn) => conn, '/quiet', {
      debugErrors: true,
      onError: (e) => errors.push(e),
    })
    assert.equal(res.status, 500)
    assert.match(res.text, /without sending a response/)
    assert.equal((errors[0] as CinderError).code, 'CINDER_ERR_NOT_SENT')
  })

  test('before-send hooks run last-registered first and may change the response', async () => {
    const order: string[] = []
    const res = await inject((conn) => {
      conn.registerBeforeSend((c) => {
        order.push('first')
        c.putRespHeader('x-hook', `${c.getRespHeader('x-hook')}+first`)
      })
      conn.registerBeforeSend((c) => {
        order.push('second')
        c.putRespHeader('x-hook', 'second').putStatus(203)
      })
      return conn.sendResp(200, 'body')
    })
    assert.deepEqual(order, ['second', 'first'])
    assert.equal(res.headers.get('x-hook'), 'second+first')
    assert.equal(res.status, 203)
  })

  test('chunked responses stream chunks; chunk before sendChunked throws', async () => {
    let early: unknown
    const res = await inject(
      capture(async (conn) => {
        await conn.chunk('x').catch((e: unknown) => {
          early = e
        })
        conn.sendChunked(200)
        await conn.chunk('a')
        await conn.chunk(Buffer.from('b'))
        return conn
      }),
    )
    assert.equal(res.text, 'ab')
    assert.equal((early as CinderError).code, 'CINDER_ERR_NOT_SENT')
  })

  test('cookies: set with defaults, delete, and the merged view', async () => {
    const res = await inject(
      (conn) => {
        conn.putRespCookie('fresh', 'v', { sameSite: 'lax' }).deleteRespCookie('old')
        assert.deepEqual(conn.cookies, { keep: '1', fresh: 'v' })
        return conn.sendResp(200, '')
      },
      { cookies: { keep: '1', old: '2' }, scheme: 'https' },
    )
    const set = res.headers.getSetCookie()
    assert.equal(set.length, 2)
    assert.equal(res.cookies.fresh?.value, 'v')
    assert.equal(res.cookies.fresh?.httpOnly, true)
    assert.equal(res.cookies.fresh?.secure, true)
    assert.equal(res.cookies.fresh?.path, '/')
    assert.equal(res.cookies.old?.maxAge, 0)
  })

  test('the default cache-control is private, and putRespContentType adds the charset', async () => {
    const res = await inject((conn) => conn.putRespContentType('text/plain').sendResp(200, 'x'))
    assert.equal(res.headers.get('cache-control'), 'max-age=0, private, must-revalidate')
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8')
  })

  test('readBody enforces its limit with a 413', async () => {
    const res = await inject(
      capture(async (conn) => conn.sendResp(200, (await conn.readBody({ limit: 4 })).toString())),
      { method: 'POST', body: 'too long' },
    )
    assert.equal(res.status, 413)
    const ok = await inject(
      capture(async (conn) => conn.sendResp(200, (await conn.readBody({ limit: 4 })).toString())),
      { method: 'POST', body: 'fits' },
    )
    assert.equal(ok.text, 'fits')
  })

  test('HEAD responses keep headers and drop the body', async () => {
    const res = await inject((conn) => conn.sendResp(200, 'hello'), { method: 'HEAD' })
    assert.equal(res.status, 200)
    assert.equal(res.text, '')
  })

  test('assign and putPrivate', async () => {
    const res = await inject((conn) =>
      conn.assign('a', 1).assign({ b: 2 }).putPrivate('p', true).sendResp(200, ''),
    )
    assert.deepEqual(res.conn.assigns, { a: 1, b: 2 })
    assert.equal(res.conn.private.p, true)
  })

  test('an invalid status is refused', async () => {
    const res = await inject((conn) => conn.putStatus(42).sendResp(200, ''), '/', { onError() {} })
    assert.equal(res.status, 500)
  })
})
