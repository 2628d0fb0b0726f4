// Remote monitors and sends between nodes on a memory bus. All nodes share this process, so a
// process "on n2" is named by its string with n2's name: `<n2.id>` routes through n2's cluster.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, test } from 'node:test'
import { toPid } from '../../src/cluster/index.ts'
import {
  type DownMessage,
  exit,
  nodeName,
  noreply,
  type Pid,
  Ref,
  spawn,
  stopProcess,
} from '../../src/process/index.ts'
import { ManualTime, settle } from '../presence/support.ts'
import { FAST, type MemoryNode, MemoryNodes, type Probe, probe } from './memory-nodes.ts'

let time: ManualTime
let nodes: MemoryNodes
let n1: MemoryNode
let n2: MemoryNode
const started: Pid[] = []

/** A process to watch; its string names it as living on `node`. */
async function target(node: string): Promise<{ pid: Pid; remote: string }> {
  const pid = await spawn({ init: () => null, handleInfo: (_m, s) => noreply(s) }, undefined)
  started.push(pid)
  return { pid, remote: `<${node}.${pid.id}>` }
}

async function watcher(): Promise<Probe> {
  const p = await probe()
  started.push(p.pid)
  return p
}

function downs(p: Probe): DownMessage[] {
  return p.inbox.filter((m): m is DownMessage => (m as DownMessage).type === 'DOWN')
}

beforeEach(async () => {
  time = new ManualTime()
  nodes = new MemoryNodes()
  n1 = await nodes.node('n1')
  n2 = await nodes.node('n2')
  await settle()
})

afterEach(async () => {
  await nodes.stop()
  for (const pid of started.splice(0)) await stopProcess(pid).catch(() => {})
  time.restore()
})

test('a remote process that crashes: DOWN with the same ref, its pid and the error', async () => {
  const watch = await watcher()
  const { pid, remote } = await target('n2')
  const ref = await watch.run(() => n1.cluster.monitor(remote))
  assert.ok(ref instanceof Ref)
  await settle()
  const failure = Object.assign(new TypeError('boom'), { code: 'E_BOOM' })
  exit(pid, failure)
  await settle()
  const [down] = downs(watch)
  assert.ok(down)
  assert.equal(down.ref, ref)
  assert.equal(String(down.pid), remote)
  assert.equal(down.pid.node, 'n2')
  assert.ok(down.reason instanceof Error)
  assert.equal((down.reason as Error).message, 'boom')
  assert.equal((down.reason as Error).name, 'TypeError')
  assert.equal((down.reason as { code?: string }).code, 'E_BOOM')
})

test('a clean exit travels as its reason; a process already gone is noproc', async () => {
  const watch = await watcher()
  const { pid, remote } = await target('n2')
  await watch.run(() => n1.cluster.monitor(remote))
  await settle()
  await stopProcess(pid, { shutdown: 'done' })
  await watch.run(() => n1.cluster.monitor(remote))
  await settle()
  assert.deepEqual(
    downs(watch).map((d) => d.reason),
    [{ shutdown: 'done' }, 'noproc'],
  )
})

test('the node of a watched process goes down: noconnection, within downAfter', async () => {
  const watch = await watcher()
  const { remote } = await target('n2')
  await watch.run(() => n1.cluster.monitor(remote))
  await settle()
  nodes.bus.cut('n2')
  const cutAt = time.clock.now()
  while (downs(watch).length === 0) await time.advance(10, 10)
  assert.ok(time.clock.now() - cutAt <= FAST.downAfter)
  assert.deepEqual(
    downs(watch).map((d) => d.reason),
    ['noconnection'],
  )
})

test('a node that is not up: noconnection at once', async () => {
  const watch = await watcher()
  await watch.run(() => n1.cluster.monitor('<nowhere.7>'))
  await settle()
  assert.deepEqual(
    downs(watch).map((d) => [String(d.pid), d.reason]),
    [['<nowhere.7>', 'noconnection']],
  )
})

test('demonitor, and a watcher that stops, cancel the monitor on the far side', async () => {
  const watch = await watcher()
  const { pid, remote } = await target('n2')
  const ref = await watch.run(() => n1.cluster.monitor(remote))
  await watch.run(() => n1.cluster.monitor(remote))
  await settle()
  assert.equal(await watch.run(() => n1.cluster.demonitor(ref)), true)
  await settle()
  const other = await watcher()
  await other.run(() => n1.cluster.monitor(remote))
  await settle()
  await stopProcess(watch.pid)
  await settle()
  assert.deepEqual(n1.cluster.monitorCounts, { watching: 1, watched: 0 })
  assert.deepEqual(n2.cluster.monitorCounts, { watching: 0, watched: 1 })
  await stopProcess(pid, 'shutdown')
  await settle()
  assert.deepEqual(n2.cluster.monitorCounts, { watching: 0, watched: 0 })
  assert.equal(downs(watch).length, 0)
  assert.deepEqual(
    downs(other).map((d) => d.reason),
    ['shutdown'],
  )
})

test('a local target uses the runtime monitor; a local pid string finds the process', async () => {
  const watch = await watcher()
  const { pid } = await target(nodeName())
  assert.equal(toPid(String(pid)), pid)
  await watch.run(() => n1.cluster.monitor(String(pid)))
  exit(pid, 'bye')
  await settle()
  assert.deepEqual(
    downs(watch).map((d) => [d.pid, d.reason]),
    [[pid, 'bye']],
  )
  assert.throws(() => toPid('not a pid'), /expected a Pid or a pid string/)
})

test('send reaches a process on another node by its pid string', async () => {
  const inbox = await watcher()
  n1.cluster.send(`<n2.${inbox.pid.id}>`, { hello: 'from n1' })
  n1.cluster.send('<nowhere.1>', 'dropped')
  await settle()
  assert.deepEqual(inbox.inbox, [{ hello: 'from n1' }])
  assert.throws(
    () => n1.cluster.send(`<n2.${inbox.pid.id}>`, { big: 10n }),
    (err: unknown) => (err as { code?: string }).code === 'CINDER_ERR_PUBSUB_ENCODE',
  )
})

test('monitor and send need a running cluster', async () => {
  await n1.cluster.stop()
  assert.throws(() => n1.cluster.send('<n2.1>', 'x'), /expected a running cluster to send/)
})
