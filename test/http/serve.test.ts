import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CinderError } from '../../src/errors.ts'
import { type Conn, inject, pipeline } from '../../src/http/index.ts'

function boom(_conn: Conn): Conn {
  throw new Error('<script>alert(1)</script> went wrong')
}

test('500 in development: a debug page with the stack, HTML-escaped', async () => {
  const errors: unknown[] = []
  const res = await inject(pipeline([boom]), '/danger?q=1', {
    debugErrors: true,
    onError: (e) => errors.push(e),
  })
  assert.equal(res.status, 500)
  assert.match(res.headers.get('content-type') ?? '', /text\/html/)
  assert.ok(res.text.includes('&lt;script&gt;alert(1)&lt;/script&gt; went wrong'))
  assert.ok(!res.text.includes('<script>alert(1)'))
  assert.match(res.text, /Error at GET \/danger/)
  assert.match(res.text, /serve\.test\.ts/, 'the stack names the file that threw')
  assert.equal(errors.length, 1)
})

test('500 in production: a plain page that leaks nothing', async () => {
  const res = await inject(pipeline([boom]), '/danger', { onError() {} })
  assert.equal(res.status, 500)
  assert.match(res.text, /<h1>Internal Server Error<\/h1>/)
  assert.ok(!res.text.includes('went wrong'))
  assert.ok(!res.text.includes('serve.test'))
})

test('JSON clients get {"errors": {"detail": ...}}', async () => {
  const res = await inject(
    pipeline([boom]),
    {
      headers: { accept: 'application/json' },
    },
    { onError() {} },
  )
  assert.equal(res.status, 500)
  assert.deepEqual(res.json(), { errors: { detail: 'Internal Server Error' } })
})

test('a CinderError with an HTTP meaning renders its status and is not logged', async () => {
  const errors: unknown[] = []
  const forbid = () => {
    throw new CinderError('CINDER_ERR_INVALID_CSRF', 'nope')
  }
  const res = await inject(forbid, '/', { onError: (e) => errors.push(e) })
  assert.equal(res.status, 403)
  assert.match(res.text, /Forbidden/)
  assert.equal(errors.length, 0)
})

test('any error carrying a numeric status (like plug_status) renders it', async () => {
  const teapot = () => {
    throw Object.assign(new Error('short and stout'), { status: 418 })
  }
  const res = await inject(teapot, '/', { debugErrors: true })
  assert.equal(res.status, 418)
  assert.match(res.text, /short and stout/)
})

test('an error after the response was sent is logged, the response stands', async () => {
  const errors: unknown[] = []
  const late = (conn: Conn) => {
    conn.sendResp(200, 'done')
    throw new Error('after the fact')
  }
  const res = await inject(late, '/', { onError: (e) => errors.push(e) })
  assert.equal(res.status, 200)
  assert.equal(res.text, 'done')
  assert.equal(errors.length, 1)
})

test('the error page drops headers of the failed response but keeps the conn usable', async () => {
  const res = await inject(
    (conn) => {
      conn.putRespHeader('content-encoding', 'gzip')
      throw new Error('x')
    },
    '/',
    { onError() {} },
  )
  assert.equal(res.status, 500)
  assert.equal(res.headers.get('content-encoding'), null)
})
