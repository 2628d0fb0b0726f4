// match / matchObject / select / selectCount / selectDelete semantics.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { createTable, P, type TableKind } from '../../src/table/index.ts'

type Player = [name: string, score: number, team: string]

function players(kind: TableKind = 'set') {
  const t = createTable<Player>({ kind, access: 'public' })
  t.insertMany([
    ['ada', 12, 'red'],
    ['bob', 7, 'blue'],
    ['cy', 30, 'red'],
    ['dee', 7, 'green'],
  ])
  return t
}

describe('patterns', () => {
  test('wildcards match anything; literals match equal terms', () => {
    const t = players('ordered_set')
    assert.deepEqual(
      t.matchObject([P._, P._, 'red']).map((r) => r[0]),
      ['ada', 'cy'],
    )
    assert.deepEqual(
      t.matchObject([P._, 7, P._]).map((r) => r[0]),
      ['bob', 'dee'],
    )
    assert.deepEqual(t.matchObject([P._, P._]), [], 'length must agree')
    assert.deepEqual(t.matchObject(P._).length, 4, 'a bare wildcard matches every record')
  })

  test('variables bind, and a repeated variable must bind equal values', () => {
    const t = createTable<[number, number, number]>({ kind: 'ordered_set', access: 'public' })
    t.insertMany([
      [1, 2, 2],
      [2, 3, 4],
      [3, 5, 5],
    ])
    assert.deepEqual(t.match([P.var('k'), P.var('x'), P.var('x')]), [
      { k: 1, x: 2 },
      { k: 3, x: 5 },
    ])
    assert.deepEqual(t.match([P.var(1), P._, 4]), [{ 1: 2 }])
  })

  test('nested arrays and partial object patterns', () => {
    const t = createTable<[string, { role: string; tags: string[] }]>({ access: 'public' })
    t.insert(['a', { role: 'admin', tags: ['x'] }])
    t.insert(['b', { role: 'user', tags: ['x', 'y'] }])
    assert.deepEqual(t.match([P.var('id'), { role: 'admin' }]), [{ id: 'a' }])
    assert.deepEqual(t.match([P.var('id'), { tags: [P._, P.var('second')] }]), [
      { id: 'b', second: 'y' },
    ])
    assert.deepEqual(
      t.match([P._, { missing: P._ }]),
      [],
      'a key of the pattern must exist in the value',
    )
  })

  test('select: where filters, result shapes, first matching clause wins', () => {
    const t = players('ordered_set')
    const got = t.select([
      {
        pattern: [P.var('n'), P.var('s'), 'red'],
        where: (b) => (b.s as number) > 20,
        result: (b) => `big ${b.n}`,
      },
      { pattern: [P.var('n'), P._, P._], result: (b) => `other ${b.n}` },
    ])
    assert.deepEqual(got, ['other ada', 'other bob', 'big cy', 'other dee'])
    assert.deepEqual(t.select({ pattern: [P._, 7, P._] }), [
      ['bob', 7, 'blue'],
      ['dee', 7, 'green'],
    ])
    assert.equal(t.selectCount({ pattern: [P._, P._, 'red'] }), 2)
  })

  test('a pattern with a fixed key looks the key up instead of scanning', () => {
    const t = players()
    let calls = 0
    const got = t.select({
      pattern: ['cy', P.var('s'), P._],
      where: () => {
        calls++
        return true
      },
      result: (b) => b.s,
    })
    assert.deepEqual(got, [30])
    assert.equal(calls, 1, 'only the record with that key was considered')
  })

  test('selectDelete and matchDelete remove what matches and say how many', () => {
    const t = players('bag')
    assert.equal(
      t.selectDelete({ pattern: [P._, P.var('s'), P._], where: (b) => (b.s as number) < 10 }),
      2,
    )
    assert.deepEqual(
      t.toList().map((r) => r[0]),
      ['ada', 'cy'],
    )
    assert.equal(t.matchDelete([P._, P._, 'red']), 2)
    assert.equal(t.size, 0)
  })

  test('select agrees with filtering toList (property)', () => {
    const rec = fc.tuple(
      fc.integer({ min: 0, max: 20 }),
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 3 }),
    )
    fc.assert(
      fc.property(
        fc.constantFrom<TableKind>('set', 'ordered_set', 'bag', 'duplicate_bag'),
        fc.array(rec),
        fc.integer({ min: 0, max: 3 }),
        (kind, recs, v) => {
          const t = createTable<[number, number, number]>({ kind, access: 'public' })
          t.insertMany(recs)
          const all = t.toList()
          const viaSelect = t.select({
            pattern: [P.var('k'), P.var('a'), P.var('b')],
            where: (b) => b.a === v || b.b === v,
            result: (b) => [b.k, b.a],
          })
          assert.deepEqual(
            viaSelect,
            all.filter(([, a, b]) => a === v || b === v).map(([k, a]) => [k, a]),
          )
          assert.deepEqual(
            t.matchObject([P._, v, v]),
            all.filter(([, a, b]) => a === v && b === v),
          )
          t.drop()
        },
      ),
    )
  })

  test('bad clauses fail with CINDER_ERR_TABLE_BAD_ARG saying what was expected', () => {
    const t = players()
    assert.throws(() => t.select([]), {
      code: 'CINDER_ERR_TABLE_BAD_ARG',
      message: /expected a clause \{ pattern, where\?, result\? \}/,
    })
    assert.throws(() => t.select({ where: () => true } as never), {
      code: 'CINDER_ERR_TABLE_BAD_ARG',
    })
    assert.throws(() => t.select({ pattern: P._, result: 3 } as never), {
      code: 'CINDER_ERR_TABLE_BAD_ARG',
      message: /result functions/,
    })
    assert.throws(() => P.var(''), {
      code: 'CINDER_ERR_TABLE_BAD_ARG',
      message: /P\.var expected a non-empty string/,
    })
  })
})

test('an object pattern in the key position matches keys with more fields (no lookup shortcut)', () => {
  const t = createTable<[{ id: number; v?: number }, string]>({ access: 'public' })
  t.insert([{ id: 1, v: 2 }, 'a'])
  t.insert([{ id: 1 }, 'b'])
  assert.deepEqual(
    t.matchObject([{ id: 1 }, P._]).map((r) => r[1]),
    ['a', 'b'],
  )
})
