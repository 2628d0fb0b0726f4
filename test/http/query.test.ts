import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import type { CinderError } from '../../src/errors.ts'
import { decodeQuery, encodeQuery } from '../../src/http/index.ts'

test('nests brackets, collects lists, last plain key wins', () => {
  assert.deepEqual(decodeQuery('a[b][c]=1&a[d]=2&l[]=x&l[]=y&k=1&k=2&plus=a+b&enc=%C3%A9'), {
    a: { b: { c: '1' }, d: '2' },
    l: ['x', 'y'],
    k: '2',
    plus: 'a b',
    enc: 'é',
  })
})

test('lists of maps follow Rack: a repeated key starts a new map', () => {
  assert.deepEqual(decodeQuery('u[][n]=a&u[][a]=1&u[][n]=b'), {
    u: [{ n: 'a', a: '1' }, { n: 'b' }],
  })
})

test('odd input stays data: empty names skipped, missing values empty, __proto__ is a key', () => {
  const parsed = decodeQuery('&=x&flag&__proto__[polluted]=1&a[b=2')
  assert.equal(parsed.flag, '')
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
  assert.deepEqual(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value, { polluted: '1' })
  assert.equal(parsed['a[b'], '2')
})

test('bad percent-encoding and absurd nesting are 400s', () => {
  assert.throws(
    () => decodeQuery('a=%zz'),
    (e: unknown) => (e as CinderError).code === 'CINDER_ERR_BAD_REQUEST',
  )
  assert.throws(() => decodeQuery(`a${'[x]'.repeat(100)}=1`), /nests deeper/)
})

test('at most 4096 parameters by default, every &-separated part counted; the limit is an option', () => {
  const parts = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=1`).join('&')
  assert.equal(Object.keys(decodeQuery(parts(4096))).length, 4096)
  assert.throws(
    () => decodeQuery(parts(4097)),
    (e: CinderError) =>
      e.code === 'CINDER_ERR_TOO_MANY_PARAMS' && /more than 4096 .*`params`/.test(e.message),
  )
  assert.throws(() => decodeQuery('&'.repeat(10), { params: 10 }), {
    code: 'CINDER_ERR_TOO_MANY_PARAMS',
  })
  assert.equal(Object.keys(decodeQuery(parts(5000), { params: 5000 })).length, 5000)
  assert.throws(() => decodeQuery('a=1&b=2&c=3', { params: 2 }), {
    code: 'CINDER_ERR_TOO_MANY_PARAMS',
  })
})

test('at most 32 levels in a name by default; the depth is an option', () => {
  assert.ok(decodeQuery(`a${'[x]'.repeat(31)}=1`))
  assert.throws(
    () => decodeQuery(`a${'[x]'.repeat(32)}=1`),
    (e: CinderError) =>
      e.code === 'CINDER_ERR_PARAMS_TOO_DEEP' && /deeper than 32 levels .*`depth`/.test(e.message),
  )
  assert.deepEqual(decodeQuery('a[b][c]=1', { depth: 3 }), { a: { b: { c: '1' } } })
  assert.throws(() => decodeQuery('a[b][c]=1', { depth: 2 }), {
    code: 'CINDER_ERR_PARAMS_TOO_DEEP',
  })
  assert.throws(() => decodeQuery(`a${'[]'.repeat(500_000)}=1`), {
    code: 'CINDER_ERR_PARAMS_TOO_DEEP',
  })
})

test('property: encodeQuery then decodeQuery gives back nested string maps', () => {
  const key = fc
    .string({ minLength: 1, maxLength: 6 })
    .filter((k) => !/[[\]]/.test(k) && k !== '__proto__')
  const leaf = fc.string({ maxLength: 8 })
  const tree = fc.letrec((tie) => ({
    node: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, leaf, tie('node')), {
      minKeys: 1,
      maxKeys: 4,
      noNullPrototype: true,
    }),
  })).node
  fc.assert(
    fc.property(tree, (params) => {
      assert.deepEqual(decodeQuery(encodeQuery(params)), params)
    }),
  )
})
