// The cluster supervisor on a memory bus with a memory store (all nodes in this process, under
// a manual clock): one copy per key, saved state across restarts and failovers, fencing of a
// node that was only cut off, hand-off on a clean stop, and the checks.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import {
  Cluster,
  type ClusterChild,
  type ClusterStore,
  ClusterSupervisor,
  createMemoryStore,
  startClusterSupervisor,
} from '../../src/cluster/index.ts'
import { CinderError } from '../../src/errors.ts'
import {
  type Behaviour,
  call,
  isAlive,
  noreply,
  type Pid,
  reply,
  send,
  spawn,
  startSupervisor,
  stop,
  stopProcess,
} from '../../src/process/index.ts'
import { startPubSub } from '../../src/pubsub/index.ts'
import { ManualTime, settle } from '../presence/support.ts'
import { FAST, type MemoryNode, MemoryNodes } from './memory-nodes.ts'

interface Counter {
  readonly child: ClusterChild<number, { start: number }>
  n: number
}

/** A counter that saves each increment; `crash` and `done` stop it abnormally and normally. */
const counter: Behaviour<Counter, ClusterChild<number, { start: number }>> = {
  name: 'counter',
  init: (child) => ({ child, n: child.state ?? child.args.start }),
  async handleCall(request, _from, s) {
    if (request === 'inc') {
      s.n++
      await s.child.save(s.n)
      return reply(s.n, s)
    }
    if (request === 'big') {
      const error = await s.child.save('x'.repeat(200) as never).catch((err: unknown) => err)
      return reply(error, s)
    }
    return reply({ n: s.n, node: s.child.node, origin: s.child.origin }, s)
  },
  handleInfo(message, s) {
    if (message === 'crash') throw new Error('crash requested')
    if (message === 'done') return stop('normal', s)
    return noreply(s)
  },
}

const children = {
  counter: (child: ClusterChild<number, { start: number }>) =>
    spawn(counter, child, { link: true }),
  broken: async (): Promise<Pid> => {
    throw new Error('cannot start')
  },
}

let time: ManualTime
let nodes: MemoryNodes
let store: ClusterStore
/** When set, the store's next `list` fails (an engine that is briefly away). */
let failNextList = false
let all: MemoryNode[]
let sups: ClusterSupervisor[]

async function supervise(node: MemoryNode): Promise<ClusterSupervisor> {
  return startClusterSupervisor({
    cluster: node.cluster,
    name: 'counters',
    store,
    children,
    maxStateBytes: 100,
    logger: node.log,
  })
}

/** Where each key runs: the live local copies on every node. */
function copies(key: string): string[] {
  return sups.flatMap((sup, i) =>
    sup
      .localChildren()
      .filter((c) => c.key === key && isAlive(c.pid))
      .map(() => all[i]?.name ?? '?'),
  )
}

async function get(pid: Pid): Promise<{ n: number; node: string; origin: string }> {
  return call(pid, 'get')
}

beforeEach(async () => {
  time = new ManualTime()
  nodes = new MemoryNodes()
  const memory = createMemoryStore()
  store = {
    ...memory,
    list: async (space) => {
      if (!failNextList) return memory.list(space)
      failNextList = false
      throw new CinderError(
        'CINDER_ERR_CLUSTER_STORE',
        'the memory cluster store failed to list: away',
      )
    },
  }
  all = [await nodes.node('n1'), await nodes.node('n2'), await nodes.node('n3')]
  sups = await Promise.all(all.map(supervise))
  await time.advance(FAST.downAfter + FAST.heartbeatInterval, 10) // settled
})

afterEach(async () => {
  for (const sup of sups) await sup.stop()
  await nodes.stop()
  await store.close()
  time.restore()
})

describe('cluster supervisor', () => {
  test('a child runs on the node that started it, once; the key is taken cluster-wide', async () => {
    const [s1, s2] = sups as [ClusterSupervisor, ClusterSupervisor]
    const pid = await s1.startChild({ key: 'c1', type: 'counter', args: { start: 10 } })
    assert.deepEqual(await get(pid), { n: 10, node: 'n1', origin: 'start' })
    await settle()
    assert.deepEqual(await s2.whereis('c1'), { node: 'n1', pid })
    await assert.rejects(
      s2.startChild({ key: 'c1', type: 'counter', args: { start: 0 } }),
      (err: unknown) =>
        err instanceof CinderError &&
        err.code === 'CINDER_ERR_CLUSTER_CHILD_EXISTS' &&
        /"c1", already on n1/.test(err.message),
    )
    assert.deepEqual(copies('c1'), ['n1'])
    const [info] = await s2.children()
    assert.deepEqual(info, { key: 'c1', type: 'counter', node: 'n1', pid, saved: false })
  })

  test('a crashed child restarts here from the state it saved; a transient one that is done is forgotten', async () => {
    const [s1] = sups as [ClusterSupervisor]
    const pid = await s1.startChild({
      key: 'c',
      type: 'counter',
      args: { start: 0 },
      restart: 'transient',
    })
    await call(pid, 'inc')
    await call(pid, 'inc')
    send(pid, 'crash')
    await settle()
    const [again] = s1.localChildren()
    assert.ok(again && again.pid !== pid)
    assert.deepEqual(await get(again.pid), { n: 2, node: 'n1', origin: 'restart' })
    send(again.pid, 'done')
    await settle()
    assert.deepEqual(await s1.children(), [])
    assert.deepEqual(s1.localChildren(), [])
  })

  test('when its node is cut off, a survivor runs it from the saved state; the cut-off copy stops when back', async () => {
    const [s1] = sups as [ClusterSupervisor]
    const pid = await s1.startChild({ key: 'room', type: 'counter', args: { start: 0 } })
    await call(pid, 'inc')
    nodes.bus.cut('n1')
    await time.advance(FAST.downAfter + FAST.heartbeatInterval, 10)
    await settle()
    const survivors = copies('room').filter((node) => node !== 'n1')
    assert.equal(survivors.length, 1, `one survivor runs it: ${copies('room')}`)
    const where = await sups[1]?.whereis('room')
    assert.ok(where !== undefined && where.node === survivors[0])
    assert.deepEqual(await get(where.pid), { n: 1, node: where.node, origin: 'failover' })
    // n1 only lost its link: its copy still runs; its next save is refused and the copy stops.
    const refused = await call(pid, 'inc').catch((err: unknown) => err as CinderError)
    assert.equal((refused as CinderError).code, 'CINDER_ERR_CALLEE_EXITED')
    assert.equal(isAlive(pid), false)
    assert.equal(all[0]?.log.matching(/child "room" taken over by another node/).length, 1)
    nodes.bus.heal('n1')
    await time.advance(3 * FAST.heartbeatInterval, 10)
    assert.deepEqual(copies('room'), survivors)
    assert.equal(isAlive(pid), false)
  })

  test('a clean stop hands the children off: another node runs them at once, with their state', async () => {
    const [s1, s2] = sups as [ClusterSupervisor, ClusterSupervisor]
    const pid = await s1.startChild({ key: 'h', type: 'counter', args: { start: 5 } })
    await call(pid, 'inc')
    await s1.stop()
    await settle()
    await settle()
    const where = await s2.whereis('h')
    assert.ok(where !== undefined && where.node !== 'n1')
    assert.deepEqual(await get(where.pid), { n: 6, node: where.node, origin: 'failover' })
    assert.equal(copies('h').length, 1)
  })

  test('terminateChild from any node stops it where it runs and forgets it', async () => {
    const [s1, , s3] = sups as [ClusterSupervisor, ClusterSupervisor, ClusterSupervisor]
    const pid = await s1.startChild({ key: 't', type: 'counter', args: { start: 0 } })
    assert.equal(await s3.terminateChild('t'), true)
    await settle()
    assert.equal(isAlive(pid), false)
    assert.deepEqual(await s1.children(), [])
    assert.equal(await s3.terminateChild('t'), false)
  })

  test('a state over maxStateBytes is refused; specs and start functions are checked', async () => {
    const [s1] = sups as [ClusterSupervisor]
    const pid = await s1.startChild({ key: 'b', type: 'counter', args: { start: 0 } })
    const error = await call(pid, 'big')
    assert.ok(error instanceof CinderError && error.code === 'CINDER_ERR_CLUSTER_STATE_TOO_LARGE')
    assert.match(error.message, /at most maxStateBytes \(100 bytes\)/)
    const badArg = (err: unknown) =>
      err instanceof CinderError && err.code === 'CINDER_ERR_CLUSTER_BAD_ARG'
    await assert.rejects(s1.startChild({ key: 'x', type: 'nope' }), badArg)
    await assert.rejects(s1.startChild({ key: '', type: 'counter' }), badArg)
    await assert.rejects(s1.startChild({ key: 'x', type: 'counter', args: 1n }), badArg)
    await assert.rejects(
      s1.startChild({ key: 'x', type: 'broken' }),
      (err: unknown) => err instanceof CinderError && err.code === 'CINDER_ERR_START_FAILED',
    )
    assert.deepEqual(
      (await s1.children()).map((c) => c.key),
      ['b'],
    )
  })
})

test('Cluster and ClusterSupervisor as children of an application tree: started in order, handed off when it stops', async () => {
  const [, n2] = all as [MemoryNode, MemoryNode]
  const pubsub = await startPubSub({
    name: nodes.pubsubName,
    node: 'n4',
    adapter: nodes.bus.adapter(),
    logger: n2.log,
  })
  const cluster = new Cluster({ pubsub, ...FAST, logger: n2.log })
  const sup = new ClusterSupervisor({ cluster, name: 'counters', store, children, logger: n2.log })
  const tree = await startSupervisor([cluster.childSpec(), sup.childSpec()])
  await settle()
  assert.ok(n2.cluster.isUp('n4'))
  const pid = await sup.startChild({ key: 'in-tree', type: 'counter', args: { start: 41 } })
  await call(pid, 'inc')
  await stopProcess(tree, 'shutdown')
  await settle()
  await settle()
  assert.deepEqual(
    n2.events.filter((e) => e.node === 'n4').map((e) => `${e.type}:${e.reason}`),
    ['up:joined', 'down:shutdown'],
  )
  const where = await sups[1]?.whereis('in-tree')
  assert.ok(where !== undefined && where.node !== 'n4')
  assert.equal((await get(where.pid)).n, 42)
  await pubsub.stop()
})

test('a sweep that fails on the store is tried again a heartbeat later', async () => {
  const [s1] = sups as [ClusterSupervisor]
  const pid = await s1.startChild({ key: 'f', type: 'counter', args: { start: 1 } })
  await call(pid, 'inc')
  failNextList = true
  nodes.bus.cut('n1')
  await time.advance(FAST.downAfter + 3 * FAST.heartbeatInterval, 10)
  const survivors = copies('f').filter((node) => node !== 'n1')
  assert.equal(survivors.length, 1)
  const logs = all.flatMap((n) => n.log.matching(/failed to list: away/))
  assert.equal(logs.length, 1)
})

test('past its restart intensity the supervisor stops; started again here, it takes its children back', async () => {
  const [n1] = all as [MemoryNode]
  const [s1] = sups as [ClusterSupervisor]
  const pid = await s1.startChild({ key: 'loop', type: 'counter', args: { start: 0 } })
  await call(pid, 'inc')
  for (let i = 0; i < 4; i++) {
    const [child] = s1.localChildren()
    if (child !== undefined) send(child.pid, 'crash')
    await settle()
  }
  assert.equal(s1.pid !== undefined && isAlive(s1.pid), false, 'the supervisor stopped')
  assert.deepEqual(
    (await s1.children()).map((c) => [c.key, c.node]),
    [['loop', 'n1']],
    'the record stays this node’s',
  )
  const again = await supervise(n1)
  sups[0] = again
  await time.advance(FAST.downAfter + FAST.heartbeatInterval, 10)
  const [back] = again.localChildren()
  assert.ok(back !== undefined)
  assert.deepEqual(await get(back.pid), { n: 1, node: 'n1', origin: 'failover' })
})

test('after a whole-cluster restart, records of nodes nobody hears are adopted once the cluster settled', async () => {
  const record = {
    type: 'counter',
    args: { start: 0 },
    restart: 'permanent',
    shutdown: 5000,
    owner: { node: 'gone', inc: 'old' },
    pid: null,
    state: 9,
    saved: true,
  }
  // The supervisor's space is its cluster's name and its own.
  const cluster = all[0]?.cluster.name ?? ''
  await store.create(`${cluster}/fresh`, 'survivor', JSON.stringify(record))
  // Another cluster's supervisor of the same name, on the same store: never adopted here.
  await store.create('another-cluster/fresh', 'stranger', JSON.stringify(record))
  const fresh = await Promise.all(
    all.map((node) =>
      startClusterSupervisor({
        cluster: node.cluster,
        name: 'fresh',
        store,
        children,
        logger: node.log,
      }),
    ),
  )
  await time.advance(FAST.downAfter / 2, 10)
  assert.deepEqual(
    fresh.flatMap((sup) => sup.localChildren()),
    [],
    'not before it heard the cluster',
  )
  await time.advance(FAST.downAfter, 10)
  const running = fresh.flatMap((sup) => sup.localChildren())
  assert.deepEqual(
    running.map((c) => c.key),
    ['survivor'],
  )
  assert.equal((await get((running[0] as { pid: Pid }).pid)).n, 9)
  for (const sup of fresh) await sup.stop()
})
