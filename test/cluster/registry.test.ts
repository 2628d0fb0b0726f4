// The cluster-wide registry on a memory bus: one name across nodes, freed when its process or
// its node goes, and conflicts after a partition resolved the same way on every node.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import type { NameConflict } from '../../src/cluster/index.ts'
import { CinderError } from '../../src/errors.ts'
import {
  type ExitMessage,
  isAlive,
  noreply,
  type Pid,
  spawn,
  stopProcess,
  trapExits,
} from '../../src/process/index.ts'
import { ManualTime, settle } from '../presence/support.ts'
import { FAST, type MemoryNode, MemoryNodes, probe } from './memory-nodes.ts'

let time: ManualTime
let nodes: MemoryNodes
let all: MemoryNode[]
const started: Pid[] = []

async function worker(): Promise<Pid> {
  const pid = await spawn({ init: () => null, handleInfo: (_m, s) => noreply(s) }, undefined)
  started.push(pid)
  return pid
}

function where(name: string): string[] {
  return all.map((n) => String(n.cluster.registry.whereis(name)))
}

const ms = (n: number) => new Promise((resolve) => setTimeout(resolve, n))

beforeEach(async () => {
  time = new ManualTime()
  nodes = new MemoryNodes()
  all = [await nodes.node('n1'), await nodes.node('n2'), await nodes.node('n3')]
  await settle()
})

afterEach(async () => {
  await nodes.stop()
  for (const pid of started.splice(0)) await stopProcess(pid).catch(() => {})
  time.restore()
})

describe('cluster registry', () => {
  test('a name registered on one node is found on every node; a second one is refused', async () => {
    const [n1, n2] = all as [MemoryNode, MemoryNode]
    const pid = await worker()
    n1.cluster.registry.register('lobby', pid)
    await settle()
    assert.deepEqual(where('lobby'), [String(pid), String(pid), String(pid)])
    assert.deepEqual(
      n2.cluster.registry.entries().map((e) => [e.name, e.node]),
      [['lobby', 'n1']],
    )
    assert.throws(
      () => n2.cluster.registry.register('lobby', pid),
      (err: unknown) =>
        err instanceof CinderError &&
        err.code === 'CINDER_ERR_CLUSTER_NAME_TAKEN' &&
        /already registered in the cluster by .* on n1/.test(err.message),
    )
    assert.throws(() => n1.cluster.registry.register('', pid), /non-empty string/)
    assert.throws(() => n1.cluster.registry.register('x', undefined), /a live process of this node/)
  })

  test('the name is freed everywhere when its process stops, or when it is unregistered', async () => {
    const [n1, n2] = all as [MemoryNode, MemoryNode]
    const pid = await worker()
    n1.cluster.registry.register('a', pid)
    n1.cluster.registry.register('b', pid)
    await settle()
    assert.equal(n2.cluster.registry.unregister('a'), false, 'only its node unregisters it')
    assert.equal(n1.cluster.registry.unregister('a'), true)
    await settle()
    assert.deepEqual(n2.cluster.registry.registered(), ['b'])
    await stopProcess(pid)
    await settle()
    assert.deepEqual(where('b'), ['undefined', 'undefined', 'undefined'])
  })

  test('the names of a node that goes down are freed on the others', async () => {
    const [n1, , n3] = all as [MemoryNode, MemoryNode, MemoryNode]
    n3.cluster.registry.register('room:1', await worker())
    await settle()
    assert.equal(n1.cluster.registry.registered().length, 1)
    nodes.bus.cut('n3')
    await time.advance(FAST.downAfter, 10)
    assert.deepEqual(n1.cluster.registry.registered(), [])
    n1.cluster.registry.register('room:1', await worker())
  })

  test('registered on both sides of a partition: after it heals the earlier one holds the name, everywhere', async () => {
    const [n1, n2, n3] = all as [MemoryNode, MemoryNode, MemoryNode]
    nodes.bus.cut('n3')
    const first = await worker()
    n1.cluster.registry.register('game', first)
    await ms(5) // a later wall-clock time
    const loser = await probe()
    started.push(loser.pid)
    await loser.run(() => trapExits(true))
    n3.cluster.registry.register('game', loser.pid)
    // Longer than downAfter: n1 and n2 report n3 down, and up again when it is back.
    await time.advance(FAST.downAfter + FAST.heartbeatInterval, 10)
    nodes.bus.heal('n3')
    await time.advance(3 * FAST.heartbeatInterval, 10)
    assert.deepEqual(where('game'), [String(first), String(first), String(first)])
    const exits = loser.inbox.filter((m) => (m as ExitMessage).type === 'EXIT') as ExitMessage[]
    const conflict: NameConflict = {
      shutdown: 'name_conflict',
      name: 'game',
      winner: String(first),
    }
    assert.deepEqual(
      exits.map((e) => e.reason),
      [conflict],
    )
    assert.equal(n3.log.matching(/lost the name "game" to/).length, 1)
    assert.equal(n2.cluster.registry.registered().length, 1)
  })

  test('a short partition (no one reported down) heals through the heartbeat counters', async () => {
    const [n1, n2, n3] = all as [MemoryNode, MemoryNode, MemoryNode]
    nodes.bus.cut('n3')
    const early = await worker()
    n3.cluster.registry.register('x', early)
    await ms(5)
    const late = await worker()
    n1.cluster.registry.register('x', late)
    n2.cluster.registry.register('only-n2', await worker())
    await time.advance(FAST.heartbeatInterval, 10)
    nodes.bus.heal('n3')
    await time.advance(3 * FAST.heartbeatInterval, 10)
    assert.deepEqual(where('x'), [String(early), String(early), String(early)])
    assert.equal(isAlive(late), false, 'the later registration’s process was stopped')
    assert.deepEqual(n3.cluster.registry.registered(), ['only-n2', 'x'])
    assert.equal(described(n1), 'up:n2:joined,up:n3:joined')
  })
})

function described(node: MemoryNode): string {
  return node.events.map((e) => `${e.type}:${e.node}:${e.reason}`).join(',')
}

test('a stopped cluster registers nothing', async () => {
  const [n1] = all as [MemoryNode]
  const pid = await worker()
  await n1.cluster.stop()
  assert.throws(
    () => n1.cluster.registry.register('late', pid),
    (err: unknown) => err instanceof CinderError && err.code === 'CINDER_ERR_CLUSTER_NOT_RUNNING',
  )
})
