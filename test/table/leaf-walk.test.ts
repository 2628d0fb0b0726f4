// Range walks over ordered_set tables big enough to span many leaves: every
// kind of bound, both directions, bounds on and between leaf edges, mixed key
// types, and changes during the walk. Checked against a sorted model.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { compareTerms, createTable, type RangeBounds } from '../../src/table/index.ts'

type Rec = readonly [unknown, number]

/** What `range(bounds)` must return, computed from a sorted list of keys. */
function expected(sortedKeys: readonly unknown[], bounds: RangeBounds): unknown[] {
  const inside = sortedKeys.filter((k) => {
    if ('gt' in bounds && compareTerms(k, bounds.gt) <= 0) return false
    if ('gte' in bounds && compareTerms(k, bounds.gte) < 0) return false
    if ('lt' in bounds && compareTerms(k, bounds.lt) >= 0) return false
    if ('lte' in bounds && compareTerms(k, bounds.lte) > 0) return false
    return true
  })
  return bounds.reverse === true ? inside.reverse() : inside
}

/** Every combination of lower bound, upper bound and direction for the keys lo and hi. */
function allBounds(lo: unknown, hi: unknown): RangeBounds[] {
  const lowers: RangeBounds[] = [{}, { gt: lo }, { gte: lo }]
  const uppers: RangeBounds[] = [{}, { lt: hi }, { lte: hi }]
  return lowers.flatMap((l) =>
    uppers.flatMap((u) => [
      { ...l, ...u },
      { ...l, ...u, reverse: true },
    ]),
  )
}

const keysOf = (records: Iterable<Rec>) => Array.from(records, (r) => r[0])

describe('ordered_set range walks over many leaves', () => {
  test('every bound, every start: windows slide across all leaf edges', () => {
    const n = 2000
    const t = createTable<Rec>({ kind: 'ordered_set', access: 'public' })
    // Inserted in a scrambled order so that leaves split at uneven places.
    for (let i = 0; i < n; i++) {
      const k = (i * 7919) % n
      t.insert([k, k])
    }
    const sorted = Array.from({ length: n }, (_, i) => i)
    for (let lo = -1; lo <= n; lo++) {
      for (const bounds of allBounds(lo, lo + 41)) {
        if (!('gt' in bounds || 'gte' in bounds) && lo % 97 !== 0) continue // open-ended: sample
        assert.deepEqual(keysOf(t.range(bounds)), expected(sorted, bounds), JSON.stringify(bounds))
      }
    }
    // Bounds between keys (no key equals them).
    for (const bounds of allBounds(99.5, 1234.5)) {
      assert.deepEqual(keysOf(t.range(bounds)), expected(sorted, bounds))
    }
    // Empty and inverted ranges.
    assert.deepEqual(keysOf(t.range({ gt: 5, lt: 6 })), [])
    assert.deepEqual(keysOf(t.range({ gte: 9, lte: 3, reverse: true })), [])
    t.drop()
  })

  test('mixed key types (numbers, bigints, strings, arrays) across leaves agree with the model', () => {
    const keyArb = fc.oneof(
      fc.integer({ min: -500, max: 500 }),
      fc.double({ min: -600, max: 600, noNaN: true }),
      fc.bigInt({ min: -20n, max: 20n }),
      fc.string({ maxLength: 3 }),
      fc.tuple(fc.integer({ min: 0, max: 9 }), fc.string({ maxLength: 1 })),
      fc.constantFrom(null, true, false),
    )
    fc.assert(
      fc.property(
        fc.array(keyArb, { minLength: 300, maxLength: 1500 }),
        keyArb,
        keyArb,
        (keys, a, b) => {
          const t = createTable<Rec>({ kind: 'ordered_set', access: 'public' })
          for (const k of keys) t.insert([k, 0])
          const sorted = keysOf(t) // checked against the model just below
          const model = [...keys].sort(compareTerms).filter((k, i, all) => {
            return i === 0 || compareTerms(all[i - 1], k) !== 0
          })
          assert.equal(sorted.length, model.length)
          for (let i = 0; i < model.length; i++) assert.equal(compareTerms(sorted[i], model[i]), 0)
          for (const k of model.slice(0, 50)) assert.ok(t.member(k), `member ${String(k)}`)
          const [lo, hi] = compareTerms(a, b) <= 0 ? [a, b] : [b, a]
          for (const bounds of allBounds(lo, hi)) {
            assert.deepEqual(keysOf(t.range(bounds)), expected(sorted, bounds))
          }
          t.drop()
        },
      ),
      { numRuns: 40 },
    )
  })

  test('a descending walk survives inserts and deletes during the walk', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 1500 }),
        fc.integer({ min: 2, max: 5 }),
        (keys, every) => {
          const t = createTable<[number]>({ kind: 'ordered_set', access: 'public' })
          for (const k of keys) t.insert([k])
          const seen: number[] = []
          for (const [k] of t.range({ reverse: true })) {
            seen.push(k)
            if (!Number.isInteger(k)) continue
            if (k % every === 0) t.delete(k) // the current one
            t.insert([k - 0.5]) // just ahead of the walk: must be seen
            t.insert([k + 0.25]) // behind the walk: must not be seen
          }
          const sorted = [...keys].sort((a, b) => b - a)
          assert.deepEqual(
            seen,
            sorted.flatMap((k) => [k, k - 0.5]),
          )
          t.drop()
        },
      ),
      { numRuns: 20 },
    )
  })

  test('a bounded walk sees records inserted ahead of it up to the bound, and none past it', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 1500 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.boolean(),
        (keys, x, y, reverse) => {
          const [lo, hi] = x <= y ? [x, y] : [y, x]
          const t = createTable<[number]>({ kind: 'ordered_set', access: 'public' })
          for (const k of keys) t.insert([k])
          const step = reverse ? -0.5 : 0.5
          const seen: number[] = []
          for (const [k] of t.range({ gte: lo, lt: hi, reverse })) {
            seen.push(k)
            if (Number.isInteger(k)) t.insert([k + step]) // ahead of the walk
          }
          const inside = (k: number) => k >= lo && k < hi
          const order = [...keys].filter(inside).sort((a, b) => (reverse ? b - a : a - b))
          assert.deepEqual(
            seen,
            order.flatMap((k) => (inside(k + step) ? [k, k + step] : [k])),
          )
          t.drop()
        },
      ),
      { numRuns: 30 },
    )
  })

  test('a finished walk stays finished when records arrive later', () => {
    const t = createTable<[number]>({ kind: 'ordered_set', access: 'public' })
    for (let k = 0; k < 600; k++) t.insert([k])
    for (const bounds of [{}, { reverse: true }, { lt: 300 }, { gt: 300, reverse: true }]) {
      const walk = t.range(bounds)
      let n = 0
      while (walk.next().done !== true) n++
      t.insert([bounds.reverse === true ? -1 : 1000])
      t.insert([299.5])
      assert.equal(walk.next().done, true)
      assert.ok(n >= 299)
    }
    t.drop()
  })
})
