import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CinderError } from '../../../src/errors.ts'
import {
  type Delta,
  type Diff,
  type Entry,
  TrackerState,
} from '../../../src/presence/tracker/state.ts'

/** Two or more states that know each other, as after their first heartbeats. */
function cluster(...ids: string[]): TrackerState[] {
  const states = ids.map((id) => new TrackerState(id))
  for (const s of states) for (const id of ids) if (id !== s.replica) s.replicaUp(id)
  return states
}

function pair(): [TrackerState, TrackerState] {
  const [a, b] = cluster('a', 'b')
  assert.ok(a && b)
  return [a, b]
}

function keys(entries: readonly Entry[]): string[] {
  return entries.map((e) => e.key).sort()
}

function take(state: TrackerState): Delta {
  const delta = state.takeDelta()
  assert.ok(delta, 'expected a pending delta')
  return delta
}

function snapshotTo(from: TrackerState, to: TrackerState) {
  return to.merge(from.extract(to.replica, to.clocks().context))
}

function summary(diff: Diff) {
  return { joins: keys(diff.joins), leaves: keys(diff.leaves) }
}

test('a user added online is online', () => {
  const s = new TrackerState('a')
  const entry = s.join('pid1', 'lobby', 'alice', { status: 'here' })
  assert.deepEqual(s.getByTopic('lobby'), [entry])
  assert.deepEqual(s.online(), [entry])
  assert.equal(entry.replica, 'a')
  assert.equal(entry.clock, 1)
  assert.deepEqual(entry.meta, { status: 'here' })
  assert.equal(s.context.get('a'), 1)
})

test('users from other replicas merge, and the merge reports them as joins', () => {
  const [a, b] = pair()
  a.join('p1', 'lobby', 'alice', {})
  b.join('p2', 'lobby', 'bob', {})
  assert.deepEqual(summary(b.merge(take(a))), { joins: ['alice'], leaves: [] })
  assert.deepEqual(summary(a.merge(take(b))), { joins: ['bob'], leaves: [] })
  assert.deepEqual(keys(a.getByTopic('lobby')), ['alice', 'bob'])
  assert.deepEqual(keys(b.getByTopic('lobby')), ['alice', 'bob'])
})

test('entries of a replica not yet known are ignored until it is up', () => {
  const a = new TrackerState('a')
  const b = new TrackerState('b')
  b.join('p', 'lobby', 'bob', {})
  const delta = take(b)
  assert.deepEqual(summary(a.merge(delta)), { joins: [], leaves: [] })
  assert.deepEqual(a.online(), [])
  assert.equal(a.context.has('b'), false)
  a.replicaUp('b')
  assert.deepEqual(summary(a.merge(delta)), { joins: ['bob'], leaves: [] })
})

test('removes are observed via the other replica', () => {
  const [a, b] = pair()
  a.join('p1', 'lobby', 'alice', {})
  a.join('p1', 'lobby', 'carol', {})
  b.merge(take(a))
  const left = a.leave('p1', 'lobby', 'alice')
  assert.equal(left?.key, 'alice')
  assert.deepEqual(summary(b.merge(take(a))), { joins: [], leaves: ['alice'] })
  assert.deepEqual(keys(b.getByTopic('lobby')), ['carol'])
  assert.equal(b.context.get('a'), 3)
})

test('a join and its leave in one delta never reach the peer', () => {
  const [a, b] = pair()
  a.join('p1', 'lobby', 'alice', {})
  a.leave('p1', 'lobby', 'alice')
  const delta = take(a)
  assert.equal(delta.values.size, 0)
  assert.deepEqual([...(delta.cloud.get('a') ?? [])].sort(), [1, 2])
  assert.deepEqual(summary(b.merge(delta)), { joins: [], leaves: [] })
  assert.equal(b.context.get('a'), 2)
})

test('an update reaches the peer as a leave of the old meta and a join of the new one', () => {
  const [a, b] = pair()
  a.join('p1', 'lobby', 'alice', { status: 'away' })
  b.merge(take(a))
  const { previous, current } = a.update('p1', 'lobby', 'alice', { status: 'busy' })
  assert.deepEqual(previous.meta, { status: 'away' })
  assert.deepEqual(current.meta, { status: 'busy' })
  const diff = b.merge(take(a))
  assert.deepEqual(
    diff.joins.map((e) => e.meta),
    [{ status: 'busy' }],
  )
  assert.deepEqual(
    diff.leaves.map((e) => e.meta),
    [{ status: 'away' }],
  )
  assert.deepEqual(
    b.getByKey('lobby', 'alice').map((e) => e.meta),
    [{ status: 'busy' }],
  )
})

test('tracking the same pid, topic and key twice throws; updating nothing throws', () => {
  const s = new TrackerState('a')
  s.join('p', 'lobby', 'alice', {})
  assert.throws(
    () => s.join('p', 'lobby', 'alice', {}),
    (e: unknown) => e instanceof CinderError && e.code === 'CINDER_ERR_PRESENCE_ALREADY_TRACKED',
  )
  assert.throws(
    () => s.update('p', 'lobby', 'bob', {}),
    (e: unknown) => e instanceof CinderError && e.code === 'CINDER_ERR_PRESENCE_NOT_TRACKED',
  )
  // Another pid, topic or key is a different presence.
  s.join('p2', 'lobby', 'alice', {})
  s.join('p', 'other', 'alice', {})
  assert.equal(s.size, 3)
})

test('leaving what is not tracked changes nothing', () => {
  const s = new TrackerState('a')
  assert.equal(s.leave('p', 'lobby', 'alice'), undefined)
  assert.deepEqual(s.leaveAll('p'), [])
  assert.equal(s.hasDelta(), false)
  assert.equal(s.takeDelta(), undefined)
})

test('leaveAll removes every presence of a pid and only those', () => {
  const s = new TrackerState('a')
  s.join('p1', 'lobby', 'alice', {})
  s.join('p1', 'room:1', 'alice', {})
  s.join('p2', 'lobby', 'bob', {})
  assert.deepEqual(keys(s.leaveAll('p1')), ['alice', 'alice'])
  assert.deepEqual(s.getByPid('p1'), [])
  assert.deepEqual(keys(s.online()), ['bob'])
  assert.deepEqual(s.getByTopic('room:1'), [])
})

test('getByPid, getByKey and getByTopic', () => {
  const [a, b] = pair()
  const mine = a.join('p1', 'lobby', 'alice', { n: 1 })
  a.join('p1', 'room', 'alice', { n: 2 })
  a.join('p2', 'lobby', 'bob', { n: 3 })
  b.join('p1', 'lobby', 'alice', { n: 4 }) // the same pid string on b is another process
  a.merge(take(b))
  assert.deepEqual(a.get('p1', 'lobby', 'alice'), mine)
  assert.equal(a.get('p1', 'nowhere', 'alice'), undefined)
  assert.deepEqual(
    a
      .getByPid('p1')
      .map((e) => e.topic)
      .sort(),
    ['lobby', 'room'],
  )
  assert.deepEqual(
    a
      .getByKey('lobby', 'alice')
      .map((e) => e.meta.n)
      .sort(),
    [1, 4],
  )
  assert.deepEqual(keys(a.getByTopic('lobby')), ['alice', 'alice', 'bob'])
  assert.deepEqual(a.getByTopic('empty'), [])
  // Leaving p1 locally leaves b's alice alone.
  a.leaveAll('p1')
  assert.deepEqual(
    a.getByKey('lobby', 'alice').map((e) => e.replica),
    ['b'],
  )
})

test('a peer cannot remove this replica’s own entries', () => {
  const [a, b] = pair()
  a.join('p1', 'lobby', 'alice', {})
  b.merge(take(a))
  // b pretends it has seen a:1 and dropped it.
  const forged: Delta = {
    kind: 'delta',
    start: new Map([['b', 0]]),
    end: new Map([['b', 0]]),
    cloud: new Map([['a', new Set([1])]]),
    values: new Map(),
  }
  assert.deepEqual(summary(a.merge(forged)), { joins: [], leaves: [] })
  assert.deepEqual(keys(a.online()), ['alice'])
})

test('basic netsplit: a down replica is hidden, its changes apply quietly, and it comes back', () => {
  const [a, b] = pair()
  b.join('p', 'lobby', 'bob', {})
  b.join('p', 'lobby', 'bill', {})
  a.merge(take(b))
  assert.deepEqual(summary(a.replicaDown('b')), { joins: [], leaves: ['bill', 'bob'] })
  assert.deepEqual(a.getByTopic('lobby'), [])
  assert.deepEqual(a.online(), [])
  assert.equal(a.replicas.get('b'), 'down')
  assert.equal(a.clocks().context.has('b'), false, 'down replicas are left out of clocks')
  assert.deepEqual(summary(a.replicaDown('b')), { joins: [], leaves: [] }, 'twice is a no-op')

  // While down, b's changes still merge but report nothing.
  b.leave('p', 'lobby', 'bill')
  b.join('p', 'lobby', 'bea', {})
  assert.deepEqual(summary(a.merge(take(b))), { joins: [], leaves: [] })
  assert.deepEqual(a.getByTopic('lobby'), [])

  assert.deepEqual(summary(a.replicaUp('b')), { joins: ['bea', 'bob'], leaves: [] })
  assert.deepEqual(keys(a.getByTopic('lobby')), ['bea', 'bob'])
  assert.deepEqual(summary(a.replicaUp('b')), { joins: [], leaves: [] }, 'twice is a no-op')
})

test('removing a replica deletes its entries and refuses them afterwards', () => {
  const [a, b] = pair()
  b.join('p', 'lobby', 'bob', {})
  const delta = take(b)
  a.merge(delta)
  assert.deepEqual(summary(a.removeReplica('b')), { joins: [], leaves: ['bob'] })
  assert.equal(a.size, 0)
  assert.equal(a.context.has('b'), false)
  assert.equal(a.replicas.has('b'), false)
  // A stale delta or a peer's old snapshot must not resurrect it.
  assert.deepEqual(summary(a.merge(delta)), { joins: [], leaves: [] })
  assert.equal(a.size, 0)
})

test('removing a replica that is down reports nothing more', () => {
  const [a, b] = pair()
  b.join('p', 'lobby', 'bob', {})
  a.merge(take(b))
  a.replicaDown('b')
  assert.deepEqual(summary(a.removeReplica('b')), { joins: [], leaves: [] })
  assert.equal(a.size, 0)
})

test('this replica cannot be marked down or removed', () => {
  const s = new TrackerState('a')
  for (const op of [() => s.replicaDown('a'), () => s.removeReplica('a')]) {
    assert.throws(
      op,
      (e: unknown) => e instanceof CinderError && e.code === 'CINDER_ERR_PRESENCE_BAD_ARG',
    )
  }
})

test('a lost delta leaves a gap; the next one waits in the cloud; a snapshot fills it', () => {
  const [a, b] = pair()
  a.join('p1', 'lobby', 'alice', {})
  take(a) // lost on the way to b
  a.join('p2', 'lobby', 'ann', {})
  assert.deepEqual(summary(b.merge(take(a))), { joins: ['ann'], leaves: [] })
  assert.equal(b.context.get('a'), 0, 'the context stops at the gap')
  assert.deepEqual([...(b.cloud.get('a') ?? [])], [2])
  assert.deepEqual(summary(snapshotTo(a, b)), { joins: ['alice'], leaves: [] })
  assert.equal(b.context.get('a'), 2)
  assert.equal(b.cloud.size, 0, 'contiguous dots are folded into the context')
})

test('a snapshot carries removals the peer missed', () => {
  const [a, b] = pair()
  a.join('p1', 'lobby', 'alice', {})
  a.join('p2', 'lobby', 'ann', {})
  b.merge(take(a))
  a.leave('p1', 'lobby', 'alice')
  take(a) // lost
  assert.deepEqual(summary(snapshotTo(a, b)), { joins: [], leaves: ['alice'] })
  assert.deepEqual(keys(b.online()), ['ann'])
})

test('a removal observed from a third replica travels on in the observer’s delta', () => {
  const [a, b, c] = cluster('a', 'b', 'c')
  assert.ok(a && b && c)
  a.join('p', 'lobby', 'alice', {})
  const joined = take(a)
  b.merge(joined)
  c.merge(joined)
  a.leave('p', 'lobby', 'alice')
  b.merge(take(a)) // c misses this one
  assert.deepEqual(summary(c.merge(take(b))), { joins: [], leaves: ['alice'] })
})

test('extract sends only replicas the peer knows, and none of its own entries', () => {
  const [a, b, c] = cluster('a', 'b', 'c')
  assert.ok(a && b && c)
  b.join('p', 'lobby', 'bob', {})
  c.join('p', 'lobby', 'cid', {})
  a.merge(take(b))
  a.merge(take(c))
  const snapshot = a.extract(
    'b',
    new Map([
      ['a', 0],
      ['b', 0],
    ]),
  )
  assert.deepEqual([...snapshot.values.keys()], [])
  assert.deepEqual([...snapshot.context.keys()].sort(), ['a', 'b'])
  const forC = a.extract('x', new Map([['c', 0]]))
  assert.deepEqual([...forC.values.keys()], ['c'])
})

test('takeDelta spans the clocks since the last one', () => {
  const s = new TrackerState('a')
  s.join('p', 't', 'k1', {})
  s.join('p', 't', 'k2', {})
  const first = take(s)
  assert.deepEqual([...first.start], [['a', 0]])
  assert.deepEqual([...first.end], [['a', 2]])
  s.leave('p', 't', 'k1')
  const second = take(s)
  assert.deepEqual([...second.start], [['a', 2]])
  assert.deepEqual([...second.end], [['a', 3]])
  assert.deepEqual([...(second.cloud.get('a') ?? [])].sort(), [1, 3])
  assert.equal(second.values.size, 0)
  assert.equal(s.hasDelta(), false)
})
