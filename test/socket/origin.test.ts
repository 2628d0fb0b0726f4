import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileOriginCheck } from '../../src/socket/origin.ts'

const req = (
  origin: string | undefined,
  host = 'app.test:4000',
  scheme: 'http' | 'https' = 'http',
) => ({
  origin,
  host,
  scheme,
})

test('true compares only the host with the endpoint host; a missing Origin is allowed', () => {
  const check = compileOriginCheck(true, 'example.com')
  assert.equal(check(req('https://example.com')), true)
  assert.equal(check(req('http://example.com:9999')), true)
  assert.equal(check(req('https://EXAMPLE.com')), true)
  assert.equal(check(req('https://evil.com')), false)
  assert.equal(check(req('https://example.com.evil.com')), false)
  assert.equal(check(req('null')), false)
  assert.equal(check(req(undefined)), true)
})

test('a list: scheme, host and port each match when given; *. matches the domain and subdomains', () => {
  const check = compileOriginCheck(
    ['https://example.com', '//another.com:888', '//*.other.com'],
    'x',
  )
  assert.equal(check(req('https://example.com')), true)
  assert.equal(check(req('http://example.com')), false)
  assert.equal(check(req('http://another.com:888')), true)
  assert.equal(check(req('https://another.com')), false)
  assert.equal(check(req('https://other.com')), true)
  assert.equal(check(req('https://a.b.other.com')), true)
  assert.equal(check(req('https://notother.com')), false)
})

test("'conn' requires the request's own scheme, host and port", () => {
  const check = compileOriginCheck('conn', 'x')
  assert.equal(check(req('http://app.test:4000')), true)
  assert.equal(check(req('https://app.test:4000')), false)
  assert.equal(check(req('http://app.test:4001')), false)
})

test('false allows all; a function decides; bad options fail at compile time', () => {
  assert.equal(compileOriginCheck(false, 'x')(req('https://any.where')), true)
  const fn = compileOriginCheck((url) => url.hostname.endsWith('.ok'), 'x')
  assert.equal(fn(req('https://a.ok')), true)
  assert.equal(fn(req('https://a.no')), false)
  assert.throws(() => compileOriginCheck(['ftp:/bad'], 'x'), { code: 'CINDER_ERR_SOCKET_OPTIONS' })
  assert.throws(() => compileOriginCheck(42 as never, 'x'), { code: 'CINDER_ERR_SOCKET_OPTIONS' })
})
