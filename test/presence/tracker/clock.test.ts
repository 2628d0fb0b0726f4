import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  appendClock,
  type Context,
  clocksetReplicas,
  contextEquals,
  dominates,
  dominatesOnOwn,
  filterReplicas,
  lowerbound,
  upperbound,
} from '../../../src/presence/tracker/clock.ts'

const ctx = (o: Record<string, number>): Context => new Map(Object.entries(o))
const plain = (c: Context) => Object.fromEntries([...c].sort(([x], [y]) => (x < y ? -1 : 1)))

test('dominates: at least as high on every replica of the other (missing counts as 0)', () => {
  assert.equal(dominates(ctx({ a: 2, b: 1 }), ctx({ a: 1, b: 1 })), true)
  assert.equal(dominates(ctx({ a: 2 }), ctx({ a: 2, b: 1 })), false)
  assert.equal(dominates(ctx({ a: 2 }), ctx({ a: 2, b: 0 })), true)
  assert.equal(dominates(ctx({ a: 1, b: 5 }), ctx({ a: 2 })), false)
  assert.equal(dominates(ctx({}), ctx({})), true)
})

test('dominatesOnOwn compares on the first context’s replicas only', () => {
  assert.equal(dominatesOnOwn(ctx({ a: 3 }), ctx({ a: 2, b: 9 })), true)
  assert.equal(dominatesOnOwn(ctx({ a: 1 }), ctx({ a: 2 })), false)
  assert.equal(dominatesOnOwn(ctx({ a: 0 }), ctx({ b: 4 })), true)
  assert.equal(dominatesOnOwn(ctx({}), ctx({})), true)
  assert.equal(dominatesOnOwn(ctx({}), ctx({ a: 1 })), false)
})

test('upperbound and lowerbound take every replica of either', () => {
  const a = ctx({ a: 1, b: 5 })
  const b = ctx({ b: 2, c: 3 })
  assert.deepEqual(plain(upperbound(a, b)), { a: 1, b: 5, c: 3 })
  assert.deepEqual(plain(lowerbound(a, b)), { a: 1, b: 2, c: 3 })
  assert.deepEqual(plain(a), { a: 1, b: 5 }, 'inputs are left alone')
})

test('filterReplicas keeps the listed replicas', () => {
  assert.deepEqual(plain(filterReplicas(ctx({ a: 1, b: 2, c: 3 }), new Set(['a', 'c', 'z']))), {
    a: 1,
    c: 3,
  })
  assert.deepEqual(plain(filterReplicas(ctx({ a: 1, b: 2 }), ctx({ b: 0 }))), { b: 2 })
})

test('contextEquals', () => {
  assert.equal(contextEquals(ctx({ a: 1, b: 2 }), ctx({ b: 2, a: 1 })), true)
  assert.equal(contextEquals(ctx({ a: 1 }), ctx({ a: 1, b: 0 })), false)
  assert.equal(contextEquals(ctx({ a: 1 }), ctx({ a: 2 })), false)
})

test('appendClock keeps the fewest replicas whose clocks cover all', () => {
  const x = { replica: 'x', context: ctx({ a: 2, b: 0 }) }
  const y = { replica: 'y', context: ctx({ a: 0, b: 2 }) }
  const z = { replica: 'z', context: ctx({ a: 3, b: 3 }) }
  const covered = { replica: 'w', context: ctx({ a: 1, b: 1 }) }
  let set = appendClock([], x)
  assert.deepEqual(clocksetReplicas(set), ['x'])
  set = appendClock(set, y)
  assert.deepEqual(clocksetReplicas(set).sort(), ['x', 'y'])
  assert.deepEqual(clocksetReplicas(appendClock(set, covered)).sort(), ['x', 'y'])
  assert.deepEqual(clocksetReplicas(appendClock(set, z)), ['z'])
  assert.deepEqual(appendClock(set, { replica: 'e', context: ctx({}) }), set)
  // One that beats x but not y replaces x only.
  const x2 = { replica: 'x2', context: ctx({ a: 5, b: 1 }) }
  assert.deepEqual(clocksetReplicas(appendClock(set, x2)).sort(), ['x2', 'y'])
})
