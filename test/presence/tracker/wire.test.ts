import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CinderError } from '../../../src/errors.ts'
import { TrackerState } from '../../../src/presence/tracker/state.ts'
import { decodeReplication, encodeReplication } from '../../../src/presence/tracker/wire.ts'

const isBad = (e: unknown) =>
  e instanceof CinderError && e.code === 'CINDER_ERR_PRESENCE_BAD_REPLICATION'

test('a delta survives JSON and merges the same', () => {
  const a = new TrackerState('a')
  const b = new TrackerState('b')
  b.replicaUp('a')
  a.join('p1', '__proto__', 'constructor', { nested: { ok: true } })
  a.join('p1', 'lobby', 'gone', {})
  a.leave('p1', 'lobby', 'gone')
  const delta = a.takeDelta()
  assert.ok(delta)
  const json = JSON.stringify(encodeReplication(delta))
  const back = decodeReplication(JSON.parse(json))
  assert.deepEqual(back, delta)
  const diff = b.merge(back)
  assert.deepEqual(
    diff.joins.map((e) => [e.topic, e.key, e.meta]),
    [['__proto__', 'constructor', { nested: { ok: true } }]],
  )
  assert.equal(b.context.get('a'), 3)
})

test('a snapshot survives JSON', () => {
  const a = new TrackerState('a')
  a.replicaUp('b')
  a.join('p', 't', 'k', { n: 1 })
  const snapshot = a.extract(
    'b',
    new Map([
      ['a', 0],
      ['b', 0],
    ]),
  )
  assert.deepEqual(
    decodeReplication(JSON.parse(JSON.stringify(encodeReplication(snapshot)))),
    snapshot,
  )
})

test('malformed messages are refused with a message saying what was expected', () => {
  const good = {
    kind: 'delta',
    start: [['a', 0]],
    end: [['a', 1]],
    cloud: [['a', [1]]],
    values: [],
  }
  const bad: unknown[] = [
    null,
    'delta',
    { ...good, kind: 'other' },
    { ...good, start: {} },
    { ...good, end: [['a', -1]] },
    { ...good, cloud: [['a', [0]]] },
    { ...good, cloud: [['a', [1.5]]] },
    { ...good, values: [['a', [[1, 't', 'k', 'p']]]] },
    { ...good, values: [['a', [[1, 't', 'k', 'p', []]]]] },
    { ...good, values: [['a', [[1, 't', 2, 'p', {}]]]] },
    { kind: 'snapshot', cloud: [], values: [] },
  ]
  for (const input of bad)
    assert.throws(() => decodeReplication(input), isBad, JSON.stringify(input))
  assert.throws(() => decodeReplication({ ...good, end: [['a', 'x']] }), /expected a clock/)
  assert.equal(decodeReplication(good).kind, 'delta')
})
