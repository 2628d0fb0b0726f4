// A property of the whole replication (shards, heartbeats, transfers, down/up) on a memory
// bus: after any history of tracks, updates, owner exits and cut/healed links, once the links
// are back every node lists exactly the live presences, and the diffs each node reported add
// up to that listing (each presence joined once more than it left).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { type Pid, spawn, stopProcess } from '../../src/process/index.ts'
import { ManualTime, TestCluster, type TestNode } from './support.ts'

type Op =
  | { kind: 'track'; node: number }
  | { kind: 'update'; pick: number }
  | { kind: 'exit'; pick: number }
  | { kind: 'toggle'; node: number }
  | { kind: 'wait'; ms: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('track' as const), node: fc.nat(2) }),
  fc.record({ kind: fc.constant('update' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('exit' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('toggle' as const), node: fc.nat(2) }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 1600 }) }),
)

interface Owned {
  node: TestNode
  pid: Pid
  key: string
  version: number
}

const label = (key: string, node: string, version: number) => `${key}@${node}v${version}`

/** What a node's diffs add up to: label → joins minus leaves. */
function fromDiffs(node: TestNode): string[] {
  const count = new Map<string, number>()
  for (const diff of node.diffs) {
    for (const e of diff.joins) {
      const l = label(e.key, String(e.meta.node), Number(e.meta.v))
      count.set(l, (count.get(l) ?? 0) + 1)
    }
    for (const e of diff.leaves) {
      const l = label(e.key, String(e.meta.node), Number(e.meta.v))
      count.set(l, (count.get(l) ?? 0) - 1)
    }
  }
  const out: string[] = []
  for (const [l, n] of count) {
    assert.ok(n === 0 || n === 1, `${l} joined ${n} times more than it left on ${node.name}`)
    if (n === 1) out.push(l)
  }
  return out.sort()
}

test('replicas converge, with consistent diffs, after any history of changes and cut links', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 40 }), async (ops) => {
      const time = new ManualTime()
      const cluster = new TestCluster()
      const owned: Owned[] = []
      try {
        const opts = { broadcastPeriod: 100, downPeriod: 1000 }
        const nodes = [
          await cluster.node('a', opts),
          await cluster.node('b', opts),
          await cluster.node('c', opts),
        ]
        const cut = new Set<string>()
        let keys = 0
        for (const o of ops) {
          if (o.kind === 'track') {
            const node = nodes[o.node] as TestNode
            const pid = await spawn({ init: () => null }, undefined)
            const key = `k${keys++}`
            node.tracker.track(pid, 'room', key, { node: node.name, v: 0 })
            owned.push({ node, pid, key, version: 0 })
          } else if (o.kind === 'update' && owned.length > 0) {
            const it = owned[o.pick % owned.length] as Owned
            it.version++
            it.node.tracker.update(it.pid, 'room', it.key, { node: it.node.name, v: it.version })
          } else if (o.kind === 'exit' && owned.length > 0) {
            const [it] = owned.splice(o.pick % owned.length, 1)
            if (it) await stopProcess(it.pid, 'shutdown')
          } else if (o.kind === 'toggle') {
            const name = (nodes[o.node] as TestNode).name
            if (cut.delete(name)) cluster.bus.heal(name)
            else {
              cut.add(name)
              cluster.bus.cut(name)
            }
          } else if (o.kind === 'wait') {
            await time.advance(o.ms)
          }
        }
        for (const name of cut) cluster.bus.heal(name)
        await time.advance(2_500)
        const truth = owned.map((o) => label(o.key, o.node.name, o.version)).sort()
        for (const node of nodes) {
          const listing = node.tracker
            .list('room')
            .map((p) => label(p.key, String(p.meta.node), Number(p.meta.v)))
            .sort()
          assert.deepEqual(listing, truth, `listing on ${node.name}`)
          assert.deepEqual(fromDiffs(node), truth, `diffs on ${node.name}`)
        }
      } finally {
        await cluster.stop()
        for (const o of owned) await stopProcess(o.pid, 'shutdown')
        time.restore()
      }
    }),
    { numRuns: 60 },
  )
})
