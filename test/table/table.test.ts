// The Table API outside processes: counters, elements, names, drop, info and
// the argument checks (CINDER_ERR_TABLE_BAD_ARG with a message saying what was expected).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createTable, whereisTable } from '../../src/table/index.ts'

const badArg = (message: RegExp) => ({ code: 'CINDER_ERR_TABLE_BAD_ARG', message })

describe('counters and elements', () => {
  test('updateCounter adds to element keyPos + 1 by default, or to a chosen position', () => {
    const t = createTable<[string, number, number]>()
    t.insert(['hits', 0, 100])
    assert.equal(t.updateCounter('hits', 1), 1)
    assert.equal(t.updateCounter('hits', { pos: 2, incr: -5 }), 95)
    assert.deepEqual(t.updateCounters('hits', [2, { pos: 2, incr: 1 }]), [3, 96])
    assert.deepEqual(t.get('hits'), ['hits', 3, 96])
  })

  test('a record got earlier does not change when its counter is updated', () => {
    const t = createTable<[string, number]>({ kind: 'ordered_set' })
    t.insert(['n', 1])
    const before = t.get('n')
    t.updateCounter('n', 1)
    assert.deepEqual(before, ['n', 1])
    assert.deepEqual(t.get('n'), ['n', 2])
  })

  test('threshold and setValue wrap the counter as ETS does', () => {
    const t = createTable<[string, number]>()
    t.insert(['c', 8])
    assert.equal(t.updateCounter('c', { pos: 1, incr: 1, threshold: 10, setValue: 0 }), 9)
    assert.equal(t.updateCounter('c', { pos: 1, incr: 5, threshold: 10, setValue: 0 }), 0)
    assert.equal(t.updateCounter('c', { pos: 1, incr: -1, threshold: 0, setValue: 99 }), 99)
  })

  test('a default record is inserted (with the given key) when the key is missing', () => {
    const t = createTable<[string, number]>()
    assert.equal(t.updateCounter('new', 2, ['placeholder', 10]), 12)
    assert.deepEqual(t.toList(), [['new', 12]])
    assert.throws(() => t.updateCounter('absent', 1), badArg(/expected a record with key "absent"/))
  })

  test('updateElement replaces elements but never the key', () => {
    const t = createTable<[string, string, number]>()
    t.insert(['a', 'x', 1])
    assert.equal(t.updateElement('a', 1, 'y'), true)
    assert.equal(
      t.updateElement('a', [
        [1, 'z'],
        [2, 5],
      ]),
      true,
    )
    assert.deepEqual(t.get('a'), ['a', 'z', 5])
    assert.equal(t.updateElement('missing', 1, 'q'), false)
    assert.throws(() => t.updateElement('a', 0, 'b'), badArg(/cannot change the key/))
    assert.throws(
      () => t.updateElement('a', 3, 'b'),
      badArg(/expected a position from 0 to 2, got: 3/),
    )
  })

  test('counters and elements are for set kinds only; counters need numbers', () => {
    const bag = createTable<[string, number]>({ kind: 'bag' })
    bag.insert(['a', 1])
    assert.throws(
      () => bag.updateCounter('a', 1),
      badArg(/expected a set or ordered_set table, got a bag table/),
    )
    assert.throws(() => bag.updateElement('a', 1, 2), badArg(/expected a set or ordered_set table/))
    const t = createTable<[string, unknown]>()
    t.insert(['a', 'text'])
    assert.throws(
      () => t.updateCounter('a', 1),
      badArg(/expected a number at position 1, got: "text"/),
    )
    assert.throws(
      () => t.updateCounter('a', 'x' as never),
      badArg(/expected an increment \(a number\)/),
    )
  })
})

describe('keys', () => {
  test('arrays and plain objects are keys by value; class instances by identity', () => {
    const t = createTable<[unknown, string]>({ access: 'public' })
    t.insert([[1, 'a'], 'tuple'])
    t.insert([{ x: 1, y: 2 }, 'object'])
    const d = new Date(0)
    t.insert([d, 'date'])
    assert.equal(t.get([1, 'a'])?.[1], 'tuple')
    assert.equal(t.get({ y: 2, x: 1 })?.[1], 'object')
    assert.equal(t.get(d)?.[1], 'date')
    assert.equal(t.get(new Date(0)), undefined)
    assert.equal(t.delete([1, 'a']), true)
    assert.equal(t.member([1, 'a']), false)
  })

  test('insertNew and insertNewMany insert only when no key is present (all or nothing)', () => {
    const t = createTable<[string, number]>()
    assert.equal(t.insertNew(['a', 1]), true)
    assert.equal(t.insertNew(['a', 2]), false)
    assert.equal(
      t.insertNewMany([
        ['b', 1],
        ['a', 3],
      ]),
      false,
    )
    assert.equal(t.member('b'), false)
    assert.deepEqual(t.toList(), [['a', 1]])
  })

  test('bags keep distinct records per key; duplicate bags keep copies; deleteObject removes all copies', () => {
    const bag = createTable<[string, number]>({ kind: 'bag' })
    const dup = createTable<[string, number]>({ kind: 'duplicate_bag' })
    for (const r of [
      ['k', 1],
      ['k', 2],
      ['k', 1],
    ] as Array<[string, number]>) {
      bag.insert(r)
      dup.insert(r)
    }
    assert.deepEqual(bag.lookup('k'), [
      ['k', 1],
      ['k', 2],
    ])
    assert.equal(dup.size, 3)
    assert.equal(dup.deleteObject(['k', 1]), 2)
    assert.deepEqual(dup.lookup('k'), [['k', 2]])
  })
})

describe('names, drop and info', () => {
  test('a named table is found by name; a second one with that name is refused', () => {
    const t = createTable({ name: 'table-test-sessions' })
    assert.equal(whereisTable('table-test-sessions'), t)
    assert.throws(() => createTable({ name: 'table-test-sessions' }), {
      code: 'CINDER_ERR_NAME_TAKEN',
    })
    t.drop()
    assert.equal(whereisTable('table-test-sessions'), undefined)
    createTable({ name: 'table-test-sessions' }).drop() // the name is free again
  })

  test('after drop every operation throws CINDER_ERR_TABLE_DELETED', () => {
    const t = createTable<[string, number]>()
    t.insert(['a', 1])
    t.drop()
    assert.equal(t.alive, false)
    for (const use of [
      () => t.get('a'),
      () => t.insert(['b', 1]),
      () => t.size,
      () => t.info(),
      () => t.toList(),
    ]) {
      assert.throws(use, { code: 'CINDER_ERR_TABLE_DELETED' })
    }
  })

  test('info describes the table; an outside-created table has no owner pid', () => {
    const t = createTable<[string, string, number]>({
      kind: 'duplicate_bag',
      keyPos: 1,
      access: 'private',
      name: 'table-test-info',
    })
    t.insert(['x', 'k', 1])
    assert.deepEqual(
      { ...t.info(), id: 0 },
      {
        id: 0,
        name: 'table-test-info',
        kind: 'duplicate_bag',
        keyPos: 1,
        access: 'private',
        size: 1,
        owner: undefined,
        heir: undefined,
      },
    )
    assert.equal(String(t), 'Table<table-test-info>')
    t.drop()
  })
})

describe('bad arguments', () => {
  test('options', () => {
    assert.throws(
      () => createTable({ kind: 'hash' as never }),
      badArg(/option kind expected set \| ordered_set \| bag \| duplicate_bag, got: "hash"/),
    )
    assert.throws(
      () => createTable({ keyPos: -1 }),
      badArg(/option keyPos expected an integer >= 0, got: -1/),
    )
    assert.throws(
      () => createTable({ access: 'open' as never }),
      badArg(/option access expected public \| protected \| private/),
    )
    assert.throws(
      () => createTable({ name: '' }),
      badArg(/option name expected a non-empty string/),
    )
    assert.throws(
      () => createTable({ heir: 'me' as never }),
      badArg(/option heir expected a Pid, got: "me"/),
    )
    assert.throws(() => createTable(null as never), badArg(/expected an options object, got: null/))
  })

  test('records and keys', () => {
    const t = createTable<[unknown, number]>({ kind: 'ordered_set', keyPos: 1 })
    assert.throws(
      () => t.insert('x' as never),
      badArg(/insert expected a record: an array with its key at index 1, got: "x"/),
    )
    assert.throws(() => t.insert(['only'] as never), badArg(/an array with its key at index 1/))
    assert.throws(
      () => t.insert([1, undefined] as never),
      badArg(/key \(index 1\) is not undefined/),
    )
    assert.throws(() => t.insert([1, Number.NaN]), badArg(/NaN has no place in the order/))
    assert.throws(
      () => t.insertMany({} as never),
      badArg(/insertMany expected an array of records/),
    )
    assert.throws(() => t.get(Number.NaN), badArg(/NaN/))
    const s = createTable<[unknown]>()
    assert.throws(() => s.insert([Symbol('s')]), badArg(/symbols cannot be part of a key/))
    assert.throws(
      () => s.next('absent'),
      badArg(/next\(\) on an unordered table expected a key in the table/),
    )
  })

  test('ranges', () => {
    const set = createTable<[number]>()
    assert.throws(
      () => set.range(),
      badArg(/range\(\) expected an ordered_set table, got a set table/),
    )
    const ord = createTable<[number]>({ kind: 'ordered_set' })
    assert.throws(() => ord.range({ gt: 1, gte: 2 }), badArg(/at most one of gt and gte/))
    assert.throws(() => ord.range({ lt: Number.NaN }), badArg(/NaN/))
  })
})
