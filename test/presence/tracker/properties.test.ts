// Properties of the Tracker CRDT, checked on random histories of three replicas: local joins,
// leaves and updates, deltas broadcast and delivered with loss, duplication and reordering,
// then (where said) a full state transfer between every pair.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { type Context, contextEquals } from '../../../src/presence/tracker/clock.ts'
import {
  type Delta,
  type Diff,
  type Snapshot,
  TrackerState,
} from '../../../src/presence/tracker/state.ts'
import { decodeReplication, encodeReplication } from '../../../src/presence/tracker/wire.ts'

const IDS = ['a', 'b', 'c'] as const

type Op =
  | { kind: 'join' | 'leave' | 'update'; at: number; pid: number; topic: number; key: number }
  | { kind: 'leaveAll'; at: number; pid: number }
  | { kind: 'broadcast'; at: number }
  | { kind: 'deliver'; pick: number; fate: 'deliver' | 'duplicate' | 'drop' }

const at = fc.integer({ min: 0, max: IDS.length - 1 })
const small = fc.integer({ min: 0, max: 1 })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('join' as const),
      at,
      pid: small,
      topic: small,
      key: small,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('leave' as const),
      at,
      pid: small,
      topic: small,
      key: small,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('update' as const),
      at,
      pid: small,
      topic: small,
      key: small,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leaveAll' as const), at, pid: small }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('broadcast' as const), at }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('deliver' as const),
      pick: fc.nat(),
      fate: fc.constantFrom('deliver' as const, 'duplicate' as const, 'drop' as const),
    }),
  },
)
const historyArb = fc.array(opArb, { maxLength: 80 })

interface Node {
  state: TrackerState
  /** What the diffs reported so far say is visible: kept up to date from every diff. */
  seen: Set<string>
}

const dot = (e: { replica: string; clock: number }) => `${e.replica}:${e.clock}`

function applyDiff(node: Node, diff: Diff): void {
  for (const e of diff.leaves) assert.ok(node.seen.delete(dot(e)), `leave of unseen ${dot(e)}`)
  for (const e of diff.joins) {
    assert.ok(!node.seen.has(dot(e)), `join of already seen ${dot(e)}`)
    node.seen.add(dot(e))
  }
}

/** Wire round trip, so the codec takes part in every property. */
function overWire<T extends Delta | Snapshot>(replication: T): T {
  return decodeReplication(JSON.parse(JSON.stringify(encodeReplication(replication)))) as T
}

function newCluster(): Node[] {
  const nodes = IDS.map((id) => ({ state: new TrackerState(id), seen: new Set<string>() }))
  for (const n of nodes) for (const id of IDS) if (id !== n.state.replica) n.state.replicaUp(id)
  return nodes
}

function nodeAt(nodes: Node[], i: number): Node {
  const node = nodes[i]
  assert.ok(node)
  return node
}

type Message = { to: number; delta: Delta }

/** Plays a history; returns the cluster (deltas still in flight are lost). */
function play(history: readonly Op[]): Node[] {
  return playKeepingInflight(history).nodes
}

function playKeepingInflight(history: readonly Op[]): { nodes: Node[]; inflight: Message[] } {
  const nodes = newCluster()
  const inflight: Message[] = []
  for (const op of history) {
    if (op.kind === 'deliver') {
      if (inflight.length === 0) continue
      const i = op.pick % inflight.length
      const msg = inflight[i]
      assert.ok(msg)
      if (op.fate !== 'duplicate') inflight.splice(i, 1)
      if (op.fate !== 'drop')
        applyDiff(nodeAt(nodes, msg.to), nodeAt(nodes, msg.to).state.merge(overWire(msg.delta)))
      continue
    }
    const node = nodeAt(nodes, op.at)
    const s = node.state
    if (op.kind === 'broadcast') {
      const delta = s.takeDelta()
      if (delta)
        for (let to = 0; to < IDS.length; to++) if (to !== op.at) inflight.push({ to, delta })
    } else if (op.kind === 'leaveAll') {
      applyDiff(node, { joins: [], leaves: s.leaveAll(`p${op.pid}`) })
    } else {
      const [pid, topic, key] = [`p${op.pid}`, `t${op.topic}`, `k${op.key}`]
      const tracked = s.get(pid, topic, key)
      if (op.kind === 'join' && !tracked) {
        applyDiff(node, { joins: [s.join(pid, topic, key, { n: op.key })], leaves: [] })
      } else if (op.kind === 'leave' && tracked) {
        const left = s.leave(pid, topic, key)
        assert.ok(left)
        applyDiff(node, { joins: [], leaves: [left] })
      } else if (op.kind === 'update' && tracked) {
        const { previous, current } = s.update(pid, topic, key, { n: op.key, updated: true })
        applyDiff(node, { joins: [current], leaves: [previous] })
      }
    }
  }
  return { nodes, inflight }
}

/** Full state transfers between every pair, twice round, as after a resync. */
function transferAll(nodes: Node[]): void {
  for (let round = 0; round < 2; round++) {
    for (const to of nodes) {
      for (const from of nodes) {
        if (from === to) continue
        const snapshot = from.state.extract(to.state.replica, to.state.clocks().context)
        applyDiff(to, to.state.merge(overWire(snapshot)))
      }
    }
  }
}

/** What can be observed of a state: the visible entries (with metas), context and cloud. */
function observe(state: TrackerState) {
  const online = state
    .online()
    .map((e) => `${dot(e)} ${e.topic}/${e.key}/${e.pid} ${JSON.stringify(e.meta)}`)
    .sort()
  const cloud = [...state.cloud].map(([r, d]) => `${r}:${[...d].sort((x, y) => x - y)}`).sort()
  return { online, context: sortedContext(state.context), cloud }
}

function sortedContext(context: Context): [string, number][] {
  return [...context].sort(([x], [y]) => (x < y ? -1 : 1))
}

/** The truth: each replica is the authority on its own entries. */
function ownEntries(nodes: Node[]): string[] {
  return nodes
    .flatMap((n) => n.state.online().filter((e) => e.replica === n.state.replica))
    .map((e) => `${dot(e)} ${e.topic}/${e.key}/${e.pid} ${JSON.stringify(e.meta)}`)
    .sort()
}

const RUNS = { numRuns: 200 }

test('lost, duplicated and reordered deltas followed by a state transfer converge', () => {
  fc.assert(
    fc.property(historyArb, (history) => {
      const nodes = play(history)
      transferAll(nodes)
      const truth = ownEntries(nodes)
      const first = observe(nodeAt(nodes, 0).state)
      for (const node of nodes) {
        const seen = observe(node.state)
        assert.deepEqual(seen.online, truth)
        assert.ok(contextEquals(node.state.context, nodeAt(nodes, 0).state.context))
        assert.deepEqual(seen.cloud, [], 'no gap left once every state was transferred')
        assert.deepEqual(seen, first)
        // The diffs reported along the way add up to what is visible.
        assert.deepEqual([...node.seen].sort(), node.state.online().map(dot).sort())
      }
    }),
    RUNS,
  )
})

test('deltas alone, each delivered once in any order, converge without a transfer', () => {
  fc.assert(
    fc.property(historyArb, fc.array(fc.nat()), (history, order) => {
      const lossless = history.map((op) =>
        op.kind === 'deliver' ? { ...op, fate: 'deliver' as const } : op,
      )
      const { nodes, inflight } = playKeepingInflight(lossless)
      for (const [i, node] of nodes.entries()) {
        const delta = node.state.takeDelta()
        if (delta)
          for (let to = 0; to < IDS.length; to++) if (to !== i) inflight.push({ to, delta })
      }
      const shuffled = inflight.map((m, i) => ({ m, k: order[i] ?? i })).sort((x, y) => x.k - y.k)
      for (const { m } of shuffled) {
        const node = nodeAt(nodes, m.to)
        applyDiff(node, node.state.merge(overWire(m.delta)))
      }
      const truth = ownEntries(nodes)
      for (const node of nodes) {
        assert.deepEqual(observe(node.state).online, truth)
        assert.deepEqual(observe(node.state).cloud, [])
        assert.deepEqual([...node.seen].sort(), node.state.online().map(dot).sort())
      }
    }),
    RUNS,
  )
})

/** Three diverged states, as snapshots an observer knowing all replicas may merge. */
function divergedSnapshots(history: readonly Op[]): Snapshot[] {
  const nodes = play(history)
  const all = new Map(IDS.map((id) => [id, 0]))
  return nodes.map((n) => n.state.extract('observer', all))
}

function observer(): TrackerState {
  const s = new TrackerState('observer')
  for (const id of IDS) s.replicaUp(id)
  return s
}

function mergedAll(...snapshots: Snapshot[]): TrackerState {
  const s = observer()
  for (const snapshot of snapshots) s.merge(snapshot)
  return s
}

const ALL = new Map(IDS.map((id) => [id, 0]))

test('merge is commutative on what can be observed', () => {
  fc.assert(
    fc.property(historyArb, (history) => {
      const [x, y] = divergedSnapshots(history)
      assert.ok(x && y)
      assert.deepEqual(observe(mergedAll(x, y)), observe(mergedAll(y, x)))
    }),
    RUNS,
  )
})

test('merge is associative on what can be observed', () => {
  fc.assert(
    fc.property(historyArb, (history) => {
      const [x, y, z] = divergedSnapshots(history)
      assert.ok(x && y && z)
      const left = mergedAll(mergedAll(x, y).extract('observer', ALL), z)
      const right = mergedAll(x, mergedAll(y, z).extract('observer', ALL))
      assert.deepEqual(observe(left), observe(right))
    }),
    RUNS,
  )
})

test('merge is idempotent: merging the same state or delta again changes nothing', () => {
  fc.assert(
    fc.property(historyArb, (history) => {
      const [x, y] = divergedSnapshots(history)
      assert.ok(x && y)
      const s = mergedAll(x, y)
      const before = observe(s)
      for (const again of [x, y]) {
        const diff = s.merge(again)
        assert.deepEqual([diff.joins.length, diff.leaves.length], [0, 0])
      }
      assert.deepEqual(observe(s), before)
    }),
    RUNS,
  )
})

test('a join then its leave never resurrects, whatever arrives late or twice', () => {
  const message = fc.constantFrom('earlier', 'join', 'leave', 'snapshot')
  fc.assert(
    fc.property(fc.array(message, { maxLength: 8 }), (arrivals) => {
      const [a, b] = newCluster().map((n) => n.state)
      assert.ok(a && b)
      a.join('p', 'lobby', 'bob', {})
      const earlier = a.takeDelta() // when it has not arrived, b sees a gap before the rest
      a.join('p', 'lobby', 'alice', {})
      const join = a.takeDelta()
      a.leave('p', 'lobby', 'alice')
      const leave = a.takeDelta()
      const snapshot = a.extract('b', b.clocks().context)
      assert.ok(earlier && join && leave)
      const messages = { earlier, join, leave, snapshot }
      let leaveSeen = false
      for (const name of arrivals) {
        b.merge(overWire(messages[name]))
        leaveSeen ||= name === 'leave' || name === 'snapshot'
        if (leaveSeen) assert.deepEqual(b.getByKey('lobby', 'alice'), [])
      }
      // Once everything has arrived (in any order), only bob is left and no gap remains.
      for (const m of [join, leave, earlier]) b.merge(m)
      assert.deepEqual(keys(b), ['bob'])
      assert.equal(b.context.get('a'), 3)
      assert.equal(b.cloud.size, 0)
    }),
    RUNS,
  )
})

function keys(state: TrackerState): string[] {
  return state
    .online()
    .map((e) => e.key)
    .sort()
}

test('a down replica’s entries are hidden and come back on up; removal deletes them', () => {
  fc.assert(
    fc.property(historyArb, at, (history, who) => {
      const nodes = play(history)
      transferAll(nodes)
      const holder = nodeAt(nodes, who === 0 ? 1 : 0).state
      const gone = IDS[who] ?? 'a'
      // Make sure the replica going down has at least one entry the holder lists.
      const goneState = nodeAt(nodes, who).state
      goneState.join('extra', 'lobby', 'sure', {})
      holder.merge(goneState.extract(holder.replica, holder.clocks().context))
      const before = holder.online().map(dot).sort()
      const ofGone = before.filter((d) => d.startsWith(`${gone}:`))

      const down = holder.replicaDown(gone)
      assert.deepEqual(down.leaves.map(dot).sort(), ofGone)
      assert.ok(holder.online().every((e) => e.replica !== gone))
      for (const e of holder.online())
        assert.deepEqual(
          holder.getByKey(e.topic, e.key).filter((x) => x.replica === gone),
          [],
        )

      const up = holder.replicaUp(gone)
      assert.deepEqual(up.joins.map(dot).sort(), ofGone)
      assert.deepEqual(holder.online().map(dot).sort(), before)

      holder.replicaDown(gone)
      holder.removeReplica(gone)
      assert.ok(holder.online().every((e) => e.replica !== gone))
      // An old snapshot from the replica itself does not bring them back.
      const stale = goneState.extract(holder.replica, ALL)
      assert.ok(stale.values.has(gone))
      const sizeAfterRemoval = holder.size
      assert.equal(sizeAfterRemoval, before.length - ofGone.length)
      holder.merge(stale)
      assert.equal(holder.size, sizeAfterRemoval, 'nothing of the removed replica is held again')
      assert.equal(holder.context.has(gone), false)
    }),
    RUNS,
  )
})
