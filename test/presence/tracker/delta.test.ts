import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  deltaSize,
  extractDelta,
  mergeDeltas,
  pickGeneration,
  pushGeneration,
  removeReplicaFromGenerations,
  transferFor,
} from '../../../src/presence/tracker/delta.ts'
import { type Delta, TrackerState } from '../../../src/presence/tracker/state.ts'

function take(state: TrackerState): Delta {
  const delta = state.takeDelta()
  assert.ok(delta)
  return delta
}

function keys(delta: Delta): string[] {
  return [...delta.values.values()].flatMap((dots) => [...dots.values()].map((e) => e.key)).sort()
}

function dots(delta: Delta): string[] {
  return [...delta.cloud].flatMap(([r, cs]) => [...cs].map((c) => `${r}:${c}`)).sort()
}

const SIZES = [2, 5, 6]

test('generations grow up to their size, then start over from the smaller one', () => {
  const s1 = new TrackerState('s1')
  s1.join('p1', 'lobby', 'user1', {})
  const d1 = take(s1)
  let gens = pushGeneration([], d1, SIZES)
  assert.equal(gens.length, 3)
  for (const g of gens) assert.deepEqual(keys(g), ['user1'])
  assert.deepEqual(
    pushGeneration(gens, d1, SIZES).map(keys),
    gens.map(keys),
    'duplicates change nothing',
  )

  s1.join('p2', 'lobby', 'user2', {})
  gens = pushGeneration(gens, take(s1), SIZES)
  assert.deepEqual(gens.map(keys), [['user2'], ['user1', 'user2'], ['user1', 'user2']])
  assert.deepEqual(gens.map(dots), [['s1:2'], ['s1:1', 's1:2'], ['s1:1', 's1:2']])

  s1.join('p3', 'lobby', 'user3', {})
  gens = pushGeneration(gens, take(s1), SIZES)
  assert.deepEqual(gens.map(keys), [['user3'], ['user2', 'user3'], ['user1', 'user2', 'user3']])

  s1.join('p4', 'lobby', 'user4', {})
  gens = pushGeneration(gens, take(s1), SIZES)
  assert.deepEqual(gens.map(keys), [['user4'], ['user3', 'user4'], ['user2', 'user3', 'user4']])

  // A remote delta joins in; then its removal leaves only the tombstone dots.
  const s2 = new TrackerState('s2')
  s2.join('p5', 'lobby', 'user5', {})
  gens = pushGeneration(gens, take(s2), SIZES)
  assert.deepEqual(gens.map(keys), [['user5'], ['user4', 'user5'], ['user3', 'user4', 'user5']])
  s2.leaveAll('p5')
  gens = pushGeneration(gens, take(s2), SIZES)
  assert.deepEqual(gens.map(keys), [[], ['user4'], ['user3', 'user4']])
  assert.deepEqual(gens[0] && dots(gens[0]), ['s2:1', 's2:2'])
  assert.equal(gens[0] && deltaSize(gens[0]), 2)
})

test('a delta after a gap is not merged into a generation', () => {
  const s1 = new TrackerState('s1')
  const s3 = new TrackerState('s3')
  s1.join('p', 'lobby', 'user1', {})
  const first = take(s3.join('p', 'lobby', 'user3', {}) && s3)
  s3.join('p2', 'lobby', 'user3b', {})
  take(s3) // lost
  s3.join('p3', 'lobby', 'user3c', {})
  const third = take(s3)
  assert.equal(mergeDeltas(first, third), undefined)
  const gens = pushGeneration([], first, [5, 10, 15])
  assert.deepEqual(pushGeneration(gens, third, [5, 10, 15]).map(keys), gens.map(keys))
})

test('merging deltas drops entries the other one removed', () => {
  const s = new TrackerState('a')
  s.join('p', 'lobby', 'alice', {})
  s.join('p', 'lobby', 'ann', {})
  const d1 = take(s)
  s.leave('p', 'lobby', 'alice')
  const d2 = take(s)
  const merged = mergeDeltas(d1, d2)
  assert.ok(merged)
  assert.deepEqual(keys(merged), ['ann'])
  assert.deepEqual(dots(merged), ['a:1', 'a:2', 'a:3'])
  assert.deepEqual([...merged.start], [['a', 0]])
  assert.deepEqual([...merged.end], [['a', 3]])
  assert.deepEqual(keys(mergeDeltas(d2, d1) ?? d1), ['ann'], 'either order')
})

test('pickGeneration finds the smallest generation that brings a peer up to date', () => {
  const s = new TrackerState('a')
  let gens: Delta[] = []
  for (const key of ['k1', 'k2', 'k3']) {
    s.join('p', 'lobby', key, {})
    gens = pushGeneration(gens, take(s), [1, 2, 10])
  }
  // gens: [a 2..3], [a 1..3], [a 0..3]
  assert.deepEqual(gens.map(keys), [['k3'], ['k2', 'k3'], ['k1', 'k2', 'k3']])
  assert.equal(pickGeneration(gens, new Map([['a', 2]])), gens[0])
  assert.equal(pickGeneration(gens, new Map([['a', 1]])), gens[1])
  assert.equal(pickGeneration(gens, new Map([['a', 0]])), gens[2])
  assert.equal(pickGeneration(gens, new Map([['a', 3]])), undefined, 'nothing to send')
  // A peer that does not know `a` gets nothing of it: no generation fits.
  assert.equal(pickGeneration(gens, new Map([['b', 0]])), undefined)
})

test('transferFor answers with a generation when one fits, else the whole state', () => {
  const a = new TrackerState('a')
  const b = new TrackerState('b')
  b.replicaUp('a')
  a.replicaUp('b')
  a.join('p', 'lobby', 'k1', {})
  const d1 = take(a)
  b.merge(d1)
  a.join('p', 'lobby', 'k2', {})
  const gens = pushGeneration(pushGeneration([], d1), take(a))
  const answer = transferFor(a, gens, 'b', b.clocks().context)
  assert.equal(answer.kind, 'delta')
  b.merge(answer)
  assert.deepEqual(
    b
      .online()
      .map((e) => e.key)
      .sort(),
    ['k1', 'k2'],
  )
  const fresh = new TrackerState('c')
  fresh.replicaUp('a')
  const full = transferFor(a, [], 'c', fresh.clocks().context)
  assert.equal(full.kind, 'snapshot')
})

test('extractDelta leaves out replicas the peer does not know and the peer’s own entries', () => {
  const a = new TrackerState('a')
  const b = new TrackerState('b')
  const c = new TrackerState('c')
  a.join('p', 't', 'ka', {})
  b.join('p', 't', 'kb', {})
  c.join('p', 't', 'kc', {})
  const merged = mergeDeltas(mergeDeltas(take(a), take(b)) ?? assert.fail(), take(c))
  assert.ok(merged)
  const forB = extractDelta(
    merged,
    'b',
    new Map([
      ['a', 0],
      ['b', 1],
    ]),
  )
  assert.deepEqual(keys(forB), ['ka'])
  assert.deepEqual(dots(forB), ['a:1', 'b:1'])
  assert.deepEqual([...forB.end.keys()].sort(), ['a', 'b'])
})

test('removing a replica from generations forgets its entries, dots and clocks', () => {
  const s1 = new TrackerState('s1')
  const s2 = new TrackerState('s2')
  s2.join('p', 'lobby', 'user2', {})
  const gens = pushGeneration([], take(s2), [5, 10, 15])
  const pruned = removeReplicaFromGenerations(gens, 's2')
  for (const g of pruned) {
    assert.deepEqual(keys(g), [])
    assert.deepEqual(dots(g), [])
    assert.equal(g.end.has('s2'), false)
  }
  s1.replicaUp('s2')
  const first = pruned[0]
  assert.ok(first)
  assert.deepEqual(s1.merge(first), { joins: [], leaves: [] })
  assert.deepEqual(keys(gens[0] ?? first), ['user2'], 'the input is left alone')
})
