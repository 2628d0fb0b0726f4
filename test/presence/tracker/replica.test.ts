import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CinderError } from '../../../src/errors.ts'
import {
  detectDowns,
  fetchByRef,
  newReplicaRef,
  putHeartbeat,
  type Replica,
  removePeer,
  replicaId,
  uniqueVsn,
  validatePeriods,
} from '../../../src/presence/tracker/replica.ts'

const PERIODS = { downPeriod: 30_000, permdownPeriod: 1_200_000 }
const isBadArg = (e: unknown) =>
  e instanceof CinderError && e.code === 'CINDER_ERR_PRESENCE_BAD_ARG'

test('replica ids tell incarnations apart, even with # in the name', () => {
  assert.equal(replicaId({ name: 'n1', vsn: 5 }), 'n1#5')
  assert.notEqual(replicaId({ name: 'a#1', vsn: 2 }), replicaId({ name: 'a', vsn: 12 }))
  assert.notEqual(replicaId(newReplicaRef('n1')), replicaId(newReplicaRef('n1')))
})

test('uniqueVsn differs within one millisecond and grows with time', () => {
  const a = uniqueVsn(1_000)
  const b = uniqueVsn(1_000)
  assert.notEqual(a, b)
  assert.ok(uniqueVsn(2_000) > Math.max(a, b))
})

test('newReplicaRef refuses an empty name or a fractional vsn', () => {
  assert.throws(() => newReplicaRef(''), isBadArg)
  assert.throws(() => newReplicaRef('n', 1.5), isBadArg)
})

test('heartbeats: discovered, alive, then restarted with a new vsn', () => {
  const first = putHeartbeat(new Map(), { name: 'n2', vsn: 1 }, 100)
  assert.equal(first.outcome.kind, 'discovered')
  assert.deepEqual(first.replicas.get('n2'), {
    name: 'n2',
    vsn: 1,
    status: 'up',
    lastHeartbeatAt: 100,
  })
  const again = putHeartbeat(first.replicas, { name: 'n2', vsn: 1 }, 200)
  assert.equal(again.outcome.kind, 'alive')
  assert.equal(again.replicas.get('n2')?.lastHeartbeatAt, 200)
  assert.equal(first.replicas.get('n2')?.lastHeartbeatAt, 100, 'the input map is left alone')
  const restarted = putHeartbeat(again.replicas, { name: 'n2', vsn: 2 }, 300)
  assert.equal(restarted.outcome.kind, 'restarted')
  assert.ok(restarted.outcome.kind === 'restarted' && restarted.outcome.previous.vsn === 1)
  assert.equal(restarted.replicas.get('n2')?.vsn, 2)
})

test('silence makes a peer down after the down period, a heartbeat brings it back', () => {
  const { replicas } = putHeartbeat(new Map(), { name: 'n2', vsn: 1 }, 0)
  assert.deepEqual(detectDowns(replicas, 30_000, PERIODS).changes, [], 'not beyond the period yet')
  const down = detectDowns(replicas, 30_001, PERIODS)
  assert.deepEqual(
    down.changes.map((c) => c.kind),
    ['down'],
  )
  assert.equal(down.replicas.get('n2')?.status, 'down')
  assert.deepEqual(detectDowns(down.replicas, 40_000, PERIODS).changes, [], 'reported once')
  const back = putHeartbeat(down.replicas, { name: 'n2', vsn: 1 }, 41_000)
  assert.equal(back.outcome.kind, 'recovered')
})

test('silence beyond the permanent-down period removes the peer', () => {
  const { replicas } = putHeartbeat(new Map(), { name: 'n2', vsn: 1 }, 0)
  const straight = detectDowns(replicas, 1_200_001, PERIODS)
  assert.deepEqual(straight.changes, [
    {
      kind: 'permdown',
      wasUp: true,
      replica: { name: 'n2', vsn: 1, status: 'permdown', lastHeartbeatAt: 0 },
    },
  ])
  assert.equal(straight.replicas.has('n2'), false)
  const down = detectDowns(replicas, 30_001, PERIODS).replicas
  const later = detectDowns(down, 1_200_001, PERIODS).changes[0]
  assert.ok(later?.kind === 'permdown' && later.wasUp === false)
})

test('fetchByRef and removePeer match the exact incarnation', () => {
  const replicas = new Map<string, Replica>([
    ['n2', { name: 'n2', vsn: 7, status: 'up', lastHeartbeatAt: 0 }],
  ])
  assert.equal(fetchByRef(replicas, { name: 'n2', vsn: 7 })?.vsn, 7)
  assert.equal(fetchByRef(replicas, { name: 'n2', vsn: 6 }), undefined)
  assert.equal(removePeer(replicas, { name: 'n2', vsn: 6 }).has('n2'), true)
  assert.equal(removePeer(replicas, { name: 'n2', vsn: 7 }).has('n2'), false)
})

test('validatePeriods follows Phoenix’s rules', () => {
  validatePeriods(1_500, PERIODS)
  assert.throws(
    () => validatePeriods(1_500, { downPeriod: 2_999, permdownPeriod: 10_000 }),
    isBadArg,
  )
  assert.throws(
    () => validatePeriods(1_500, { downPeriod: 30_000, permdownPeriod: 30_000 }),
    isBadArg,
  )
})
