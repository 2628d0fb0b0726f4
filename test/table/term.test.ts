// The term order used by ordered_set, and the value equality used by every kind.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { compareTerms, termEquals } from '../../src/table/index.ts'
import { encodeTerm } from '../../src/table/term.ts'

const shared = { identity: true }
const leaf = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.double({ noNaN: true, min: -3, max: 3 }),
  fc.bigInt({ min: -3n, max: 3n }),
  fc.string({ maxLength: 3 }),
  fc.constantFrom(null, true, false, undefined, shared),
)
const term = fc.letrec((tie) => ({
  t: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('t'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('t'), { maxKeys: 3 }),
  ),
})).t

const sign = (n: number) => Math.sign(n)

describe('term order', () => {
  test('follows the documented order of type classes', () => {
    const ladder = [
      undefined,
      null,
      false,
      true,
      -1,
      0,
      1n,
      2,
      '',
      'a',
      'b',
      [],
      [0],
      [0, 1],
      [1],
      {},
      { a: 1 },
      { b: 0 },
      shared,
    ]
    for (let i = 0; i < ladder.length; i++) {
      for (let j = 0; j < ladder.length; j++) {
        assert.equal(
          sign(compareTerms(ladder[i], ladder[j])),
          sign(i - j),
          `${String(ladder[i])} vs ${String(ladder[j])}`,
        )
      }
    }
  })

  test('is antisymmetric and agrees with equality', () => {
    fc.assert(
      fc.property(term, term, (a, b) => {
        assert.ok(sign(compareTerms(a, b)) === -sign(compareTerms(b, a)))
        assert.equal(compareTerms(a, b) === 0, termEquals(a, b))
      }),
    )
  })

  test('is transitive', () => {
    fc.assert(
      fc.property(term, term, term, (a, b, c) => {
        // Array#sort moves undefined to the end without asking the comparator: check by hand.
        for (const [x, y, z] of [
          [a, b, c],
          [a, c, b],
          [b, a, c],
          [b, c, a],
          [c, a, b],
          [c, b, a],
        ]) {
          if (compareTerms(x, y) <= 0 && compareTerms(y, z) <= 0) assert.ok(compareTerms(x, z) <= 0)
        }
      }),
    )
  })

  test('numbers and bigints compare by value; at equal value a number comes first', () => {
    assert.ok(compareTerms(1, 2n) < 0)
    assert.ok(compareTerms(3n, 2.5) > 0)
    assert.ok(compareTerms(1, 1n) < 0)
    assert.equal(compareTerms(-0, 0), 0)
  })
})

describe('term equality and encoding', () => {
  test('structural for arrays and plain objects, key order ignored', () => {
    assert.ok(termEquals([1, { a: 1, b: [2] }], [1, { b: [2], a: 1 }]))
    assert.ok(!termEquals([1, 2], [1, 2, 3]))
    assert.ok(!termEquals({ a: 1 }, { a: 1, b: undefined }))
    assert.ok(!termEquals(new Date(0), new Date(0)), 'class instances compare by identity')
    assert.ok(termEquals(Number.NaN, Number.NaN))
  })

  test('equal terms have equal encodings and different terms different ones', () => {
    fc.assert(
      fc.property(term, term, (a, b) => {
        assert.equal(encodeTerm(a) === encodeTerm(b), termEquals(a, b))
      }),
    )
  })
})
