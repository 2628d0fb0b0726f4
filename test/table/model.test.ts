// Model-based properties: random sequences of operations run against a Table
// and against a naive model (a list of [key, records] groups) must agree after
// every step, for all four kinds, ordered iteration included.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import {
  compareTerms,
  createTable,
  P,
  type Table,
  type TableKind,
  termEquals,
} from '../../src/table/index.ts'

type Rec = readonly unknown[]

/** The naive model: groups of records per key, in the order keys first arrived. */
class Model {
  groups: Array<{ records: Rec[] }> = []
  readonly kind: TableKind
  readonly keyPos: number

  constructor(kind: TableKind, keyPos: number) {
    this.kind = kind
    this.keyPos = keyPos
  }

  keyOf(g: { records: Rec[] }): unknown {
    return (g.records[0] as Rec)[this.keyPos]
  }

  group(key: unknown) {
    return this.groups.find((g) => termEquals(this.keyOf(g), key))
  }

  insert(r: Rec): void {
    const key = r[this.keyPos]
    const g = this.group(key)
    if (g === undefined) this.groups.push({ records: [r] })
    else if (this.kind === 'set' || this.kind === 'ordered_set') g.records = [r]
    else if (this.kind === 'duplicate_bag' || !g.records.some((x) => termEquals(x, r)))
      g.records.push(r)
  }

  delete(key: unknown): boolean {
    const before = this.groups.length
    this.groups = this.groups.filter((g) => !termEquals(this.keyOf(g), key))
    return this.groups.length < before
  }

  deleteObject(r: Rec): number {
    const g = this.group(r[this.keyPos])
    if (g === undefined) return 0
    const kept = g.records.filter((x) => !termEquals(x, r))
    const removed = g.records.length - kept.length
    g.records = kept
    if (kept.length === 0) this.groups = this.groups.filter((x) => x !== g)
    return removed
  }

  ordered(): Array<{ records: Rec[] }> {
    if (this.kind !== 'ordered_set') return this.groups
    return [...this.groups].sort((a, b) => compareTerms(this.keyOf(a), this.keyOf(b)))
  }

  toList(): Rec[] {
    return this.ordered().flatMap((g) => g.records)
  }

  lookup(key: unknown): Rec[] {
    return this.group(key)?.records.slice() ?? []
  }

  get size(): number {
    return this.groups.reduce((n, g) => n + g.records.length, 0)
  }
}

const keyArb = fc.oneof(
  fc.integer({ min: -3, max: 12 }),
  fc.constantFrom('a', 'b', 'c', ''),
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.constantFrom('x', 'y')),
  fc.record({ id: fc.integer({ min: 0, max: 2 }) }),
  fc.constantFrom(null, true, false, 1n),
)
const valueArb = fc.integer({ min: 0, max: 3 })

type Op =
  | { op: 'insert'; key: unknown; value: number }
  | { op: 'insertMany'; items: Array<[unknown, number]> }
  | { op: 'insertNew'; key: unknown; value: number }
  | { op: 'delete'; key: unknown }
  | { op: 'deleteObject'; key: unknown; value: number }
  | { op: 'updateCounter'; key: unknown; incr: number }
  | { op: 'updateElement'; key: unknown; value: number }
  | { op: 'selectDelete'; value: number }
  | { op: 'clear' }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constant('insert' as const), key: keyArb, value: valueArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('insertMany' as const),
      items: fc.array(fc.tuple(keyArb, valueArb), { maxLength: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('insertNew' as const), key: keyArb, value: valueArb }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), key: keyArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('deleteObject' as const),
      key: keyArb,
      value: valueArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('updateCounter' as const),
      key: keyArb,
      incr: fc.integer({ min: -2, max: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('updateElement' as const),
      key: keyArb,
      value: valueArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('selectDelete' as const), value: valueArb }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
)

/** Builds a record with the key at keyPos and the value next to it. */
function rec(keyPos: number, key: unknown, value: number): Rec {
  return keyPos === 0 ? [key, value] : [value, key]
}

function apply(t: Table<Rec, unknown>, m: Model, o: Op): void {
  const kp = m.keyPos
  const vp = kp === 0 ? 1 : 0
  const setKind = m.kind === 'set' || m.kind === 'ordered_set'
  switch (o.op) {
    case 'insert':
      t.insert(rec(kp, o.key, o.value))
      m.insert(rec(kp, o.key, o.value))
      return
    case 'insertMany': {
      const records = o.items.map(([k, v]) => rec(kp, k, v))
      t.insertMany(records)
      for (const r of records) m.insert(r)
      return
    }
    case 'insertNew': {
      const fresh = m.group(o.key) === undefined
      assert.equal(t.insertNew(rec(kp, o.key, o.value)), fresh)
      if (fresh) m.insert(rec(kp, o.key, o.value))
      return
    }
    case 'delete':
      assert.equal(t.delete(o.key), m.delete(o.key))
      return
    case 'deleteObject':
      assert.equal(t.deleteObject(rec(kp, o.key, o.value)), m.deleteObject(rec(kp, o.key, o.value)))
      return
    case 'updateCounter': {
      if (!setKind) {
        assert.throws(() => t.updateCounter(o.key, { pos: vp, incr: o.incr }), {
          code: 'CINDER_ERR_TABLE_BAD_ARG',
        })
        return
      }
      const old = m.lookup(o.key)[0]
      const start = old === undefined ? 10 : (old[vp] as number)
      const got = t.updateCounter(o.key, { pos: vp, incr: o.incr }, rec(kp, 'ignored', 10))
      assert.equal(got, start + o.incr)
      // An existing record keeps its own key object; a default takes the given key.
      m.insert(rec(kp, old === undefined ? o.key : old[kp], start + o.incr))
      return
    }
    case 'updateElement': {
      if (!setKind) return
      const present = m.group(o.key) !== undefined
      assert.equal(t.updateElement(o.key, vp, o.value), present)
      if (present) m.insert(rec(kp, m.lookup(o.key)[0]?.[kp], o.value))
      return
    }
    case 'selectDelete': {
      const doomed = m.toList().filter((r) => r[vp] === o.value)
      let expected = 0
      for (const r of doomed) expected += m.deleteObject(r)
      const got = t.selectDelete({ pattern: kp === 0 ? [P._, o.value] : [o.value, P._] })
      assert.equal(got, expected)
      return
    }
    case 'clear':
      t.clear()
      m.groups = []
      return
  }
}

/** Compares everything observable: size, toList, lookups, member, first/next walks, ranges. */
function check(t: Table<Rec, unknown>, m: Model, probes: unknown[]): void {
  assert.equal(t.size, m.size)
  assert.deepEqual(t.toList(), m.toList())
  assert.deepEqual([...t], m.toList())
  for (const key of probes) {
    assert.deepEqual(t.lookup(key), m.lookup(key))
    assert.equal(t.member(key), m.group(key) !== undefined)
    assert.deepEqual(t.get(key), m.lookup(key)[0])
  }
  const keys = m.ordered().map((g) => m.keyOf(g))
  const walked: unknown[] = []
  for (let k = t.first(); k !== undefined; k = t.next(k)) walked.push(k)
  assert.deepEqual(walked, keys)
  if (m.kind === 'ordered_set') {
    const back: unknown[] = []
    for (let k = t.last(); k !== undefined; k = t.prev(k)) back.push(k)
    assert.deepEqual(back, [...keys].reverse())
  }
}

function checkRanges(t: Table<Rec, unknown>, m: Model, lo: unknown, hi: unknown): void {
  const list = m.toList()
  const kp = m.keyPos
  const key = (r: Rec) => r[kp]
  assert.deepEqual(
    [...t.range({ gte: lo, lt: hi })],
    list.filter((r) => compareTerms(key(r), lo) >= 0 && compareTerms(key(r), hi) < 0),
  )
  assert.deepEqual(
    [...t.range({ gt: lo, lte: hi })],
    list.filter((r) => compareTerms(key(r), lo) > 0 && compareTerms(key(r), hi) <= 0),
  )
  assert.deepEqual(
    [...t.range({ lte: hi, reverse: true })],
    list.filter((r) => compareTerms(key(r), hi) <= 0).reverse(),
  )
  assert.deepEqual(
    [...t.range({ gt: lo, reverse: true })],
    list.filter((r) => compareTerms(key(r), lo) > 0).reverse(),
  )
  assert.equal(
    t.next(lo),
    list.map(key).find((k) => compareTerms(k, lo) > 0),
  )
  assert.equal(
    t.prev(hi),
    list.map(key).findLast((k) => compareTerms(k, hi) < 0),
  )
}

const kinds: TableKind[] = ['set', 'ordered_set', 'bag', 'duplicate_bag']

describe('Table against a naive model', () => {
  for (const kind of kinds) {
    for (const keyPos of [0, 1]) {
      test(`${kind} (keyPos ${keyPos}): random operations agree with the model`, () => {
        fc.assert(
          fc.property(
            fc.array(opArb, { maxLength: 40 }),
            fc.array(keyArb, { minLength: 1, maxLength: 4 }),
            (ops, probes) => {
              const t = createTable<Rec, unknown>({ kind, keyPos, access: 'public' })
              const m = new Model(kind, keyPos)
              try {
                for (const o of ops) {
                  apply(t, m, o)
                  check(t, m, probes)
                }
                if (kind === 'ordered_set') checkRanges(t, m, probes[0], probes[probes.length - 1])
              } finally {
                t.drop()
              }
            },
          ),
          { numRuns: 150 },
        )
      })
    }
  }

  test('ordered_set stays sorted across leaf splits and merges (thousands of records)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1500, maxLength: 3000 }),
        fc.integer({ min: 0, max: 5000 }),
        (keys, cut) => {
          const t = createTable<[number, number]>({ kind: 'ordered_set', access: 'public' })
          for (const k of keys) t.insert([k, k])
          const unique = [...new Set(keys)].sort((a, b) => a - b)
          assert.deepEqual(
            t.toList().map((r) => r[0]),
            unique,
          )
          // Delete most of them, then check order, neighbours and a range.
          for (const k of unique) if (k % 7 !== 0 && k !== cut) t.delete(k)
          const left = unique.filter((k) => k % 7 === 0 || k === cut)
          assert.deepEqual(
            t.toList().map((r) => r[0]),
            left,
          )
          assert.equal(
            t.next(cut),
            left.find((k) => k > cut),
          )
          assert.equal(
            t.prev(cut),
            left.findLast((k) => k < cut),
          )
          assert.deepEqual(
            [...t.range({ gte: cut })].map((r) => r[0]),
            left.filter((k) => k >= cut),
          )
          t.drop()
        },
      ),
      { numRuns: 20 },
    )
  })

  test('walks survive inserts and deletes during the walk (every record that stays is seen once)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 1500 }),
        fc.integer({ min: 2, max: 5 }),
        (keys, every) => {
          const t = createTable<[number]>({ kind: 'ordered_set', access: 'public' })
          for (const k of keys) t.insert([k])
          const seen: number[] = []
          for (const [k] of t.range()) {
            seen.push(k)
            if (!Number.isInteger(k)) continue
            if (k % every === 0) t.delete(k) // the current one
            t.insert([k + 0.5]) // just ahead of the walk: must be seen
            t.insert([k - 0.25]) // behind the walk: must not be seen
          }
          const sorted = [...keys].sort((a, b) => a - b)
          assert.deepEqual(
            seen,
            sorted.flatMap((k) => [k, k + 0.5]),
          )
          t.drop()
        },
      ),
      { numRuns: 20 },
    )
  })

  for (const kind of ['set', 'bag', 'duplicate_bag'] as const) {
    test(`${kind}: deleting each key while walking with first/next visits every key once`, () => {
      fc.assert(
        fc.property(fc.uniqueArray(keyArb, { comparator: termEquals, maxLength: 30 }), (keys) => {
          const t = createTable<Rec, unknown>({ kind, access: 'public' })
          for (const k of keys) t.insert([k, 1])
          const walked: unknown[] = []
          for (let k = t.first(); k !== undefined; k = t.next(k)) {
            walked.push(k)
            t.delete(k)
          }
          assert.deepEqual(walked, keys)
          assert.equal(t.size, 0)
          t.drop()
        }),
      )
    })
  }
})
