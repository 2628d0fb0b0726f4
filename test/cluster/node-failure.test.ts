// Node failure across a cluster of three node processes, through real Redis and real NATS,
// with default timings (heartbeat 1 s, down after 5 s; the Tracker keeps its 30 s down
// period and learns of downs from the cluster):
// - a node cut off its broker (a proxy between it and the broker) while both sides register
//   the same name: once the partition heals, the name exists exactly once;
// - a node killed with SIGKILL: its presences leave the others and remote monitors of its
//   processes fire within the down period, and the counter it supervised runs again on a
//   survivor with the state it saved, within 10 s.
import assert from 'node:assert/strict'
import { type ChildProcess, fork } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { CLUSTER_DEFAULTS } from '../../src/cluster/index.ts'
import { requireService } from '../pubsub/service.ts'
import { dropTestData } from './broker.ts'
import { TcpProxy } from './support.ts'

const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
const fixture = fileURLToPath(new URL(`./fixtures/cluster-node${ext}`, import.meta.url))
const DOWN_AFTER = CLUSTER_DEFAULTS.downAfter

/** A cluster-node fixture process, driven over IPC. */
class NodeProcess {
  readonly name: string
  readonly child: ChildProcess
  readonly output: string[] = []
  #nextId = 0

  constructor(name: string, args: string[]) {
    this.name = name
    this.child = fork(fixture, ['--node', name, ...args], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    })
    this.child.stdout?.on('data', (chunk: Buffer) => this.output.push(String(chunk)))
    this.child.stderr?.on('data', (chunk: Buffer) => this.output.push(String(chunk)))
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} not ready: ${this.output.join('')}`)),
        30_000,
      )
      this.child.once('exit', (code) =>
        reject(new Error(`${this.name} exited ${code}: ${this.output.join('')}`)),
      )
      this.child.on('message', (message) => {
        if (Array.isArray(message) && message[0] === 'ready') {
          clearTimeout(timer)
          resolve()
        }
      })
    })
  }

  cmd<T = unknown>(op: string, ...args: string[]): Promise<T> {
    const id = ++this.#nextId
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} ${op}: no reply`)), 10_000)
      const onMessage = (message: unknown): void => {
        if (!Array.isArray(message) || message[0] !== 'reply' || message[1] !== id) return
        clearTimeout(timer)
        this.child.off('message', onMessage)
        resolve(message[2] as T)
      }
      this.child.on('message', onMessage)
      this.child.send(['cmd', id, op, ...args])
    })
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    this.child.kill(signal)
    await exited
  }
}

/** Polls the nodes' answers to `op` until `ok` holds for every one. */
async function untilAll<T>(
  nodes: NodeProcess[],
  op: string,
  args: string[],
  ok: (value: T, node: NodeProcess) => boolean,
  ms = 10_000,
): Promise<T[]> {
  let last: T[] = []
  const deadline = Date.now() + ms
  for (;;) {
    last = await Promise.all(nodes.map((n) => n.cmd<T>(op, ...args)))
    if (last.every((value, i) => ok(value, nodes[i] as NodeProcess))) return last
    if (Date.now() > deadline) throw new Error(`${op} not within ${ms} ms: ${JSON.stringify(last)}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

function suite(kind: 'Redis' | 'NATS', port: number, url: (port: number) => string) {
  describe(`three nodes through ${kind}, default timings`, () => {
    const prefix = `cinder_test_nf_${kind.toLowerCase()}_${process.pid}_${Date.now()}`
    let nodes: NodeProcess[] = []
    let proxy: TcpProxy | undefined
    let skip: { skip: string } | undefined

    before(async () => {
      skip = await requireService(kind, port)
      if (skip) return
      proxy = new TcpProxy(port)
      const behind = await proxy.start()
      const common = ['--name', prefix, '--prefix', prefix]
      const direct = ['--pubsub', url(port), '--store', url(port), ...common]
      nodes = [
        new NodeProcess('n1', direct),
        new NodeProcess('n2', direct),
        // n3 reaches its broker through a proxy the test cuts.
        new NodeProcess('n3', ['--pubsub', url(behind), '--store', url(behind), ...common]),
      ]
      await Promise.all(nodes.map((n) => n.ready()))
      await untilAll<string[]>(nodes, 'nodes', [], (list) => list.length === 3)
    })

    after(async () => {
      await Promise.all(nodes.map((n) => n.kill('SIGTERM')))
      await proxy?.close()
      await dropTestData(prefix)
    })

    test('a name registered on both sides of a partition exists exactly once once it heals', async (t) => {
      if (skip) return t.skip(skip.skip)
      const [n1, n2, n3] = nodes as [NodeProcess, NodeProcess, NodeProcess]
      await proxy?.cut()
      await untilAll<string[]>(
        [n1, n2],
        'nodes',
        [],
        (list) => !list.includes('n3'),
        DOWN_AFTER + 2000,
      )
      const first = await n1.cmd<string>('register', 'leader')
      await new Promise((resolve) => setTimeout(resolve, 10))
      const second = await n3.cmd<string>('register', 'leader') // n3 cannot know
      assert.match(first, /^<n1\.\d+>$/)
      assert.match(second, /^<n3\.\d+>$/)
      await proxy?.restore()
      const healedAt = Date.now()
      await untilAll<string[]>(nodes, 'nodes', [], (list) => list.length === 3)
      const views = await untilAll<string>(nodes, 'whereis', ['leader'], (pid) => pid === first)
      const holders = (
        await Promise.all(nodes.map((n) => n.cmd<string | null>('holding', 'leader')))
      ).filter((pid) => pid !== null)
      assert.deepEqual(holders, [first], 'exactly one process holds it')
      assert.deepEqual(views, [first, first, first])
      t.diagnostic(
        `one holder, agreed on every node, ${Date.now() - healedAt} ms after the partition healed`,
      )
      assert.equal(await n2.cmd('register', 'leader'), 'CINDER_ERR_CLUSTER_NAME_TAKEN')
    })

    test('a node killed with SIGKILL: presences leave and monitors fire within the down period; its child runs on a survivor with its state', async (t) => {
      if (skip) return t.skip(skip.skip)
      const [n1, n2, n3] = nodes as [NodeProcess, NodeProcess, NodeProcess]
      const survivors = [n1, n2]
      await n3.cmd('track', 'p3')
      const watched = await n3.cmd<string>('spawn')
      for (const n of survivors) await n.cmd('monitor', watched)
      await n3.cmd('startChild', 'room-1')
      for (let i = 0; i < 3; i++) await n3.cmd('inc', 'room-1')
      await untilAll<string[]>(survivors, 'presences', [], (keys) => keys.includes('p3'))

      const killedAt = Date.now()
      await n3.kill('SIGKILL')
      const gone = await untilAll<string[]>(
        survivors,
        'presences',
        [],
        (keys) => !keys.includes('p3'),
        10_000,
      )
      const presenceLeft = Date.now() - killedAt
      const downs = await untilAll<{ pid: string; reason: unknown; at: number }[]>(
        survivors,
        'downs',
        [],
        (list) => list.some((d) => d.pid === watched),
      )
      const monitorsFired = downs.map(
        (list) => (list.find((d) => d.pid === watched)?.at ?? 0) - killedAt,
      )
      assert.deepEqual(gone, [[], []])
      assert.ok(presenceLeft <= DOWN_AFTER, `presences left after ${presenceLeft} ms`)
      for (const [i, list] of downs.entries()) {
        assert.deepEqual(
          list.filter((d) => d.pid === watched).map((d) => d.reason),
          ['noconnection'],
          `on ${survivors[i]?.name}`,
        )
      }
      for (const took of monitorsFired) assert.ok(took <= DOWN_AFTER, `DOWN after ${took} ms`)
      const where = await childOnSurvivor(survivors, killedAt)
      t.diagnostic(
        `n3 killed: presences left the others after ${presenceLeft} ms (polled), monitors fired after ${monitorsFired.join(' / ')} ms, room-1 ran again on ${where.node} (n=${where.n}) after ${where.took} ms (down period ${DOWN_AFTER} ms)`,
      )
    })
  })
}

/** A counter child as its node reports it: its count, node, origin and start time. */
interface ChildView {
  readonly n: number
  readonly node: string
  readonly origin: string
  readonly since: number
}

/** Waits until one survivor runs room-1; returns where, its counter and when (ms after the kill). */
async function childOnSurvivor(
  survivors: NodeProcess[],
  killedAt: number,
): Promise<{ node: string; n: number; took: number }> {
  const deadline = killedAt + 10_000
  for (;;) {
    const found = await Promise.all(
      survivors.map((n) => n.cmd<ChildView | null>('child', 'room-1')),
    )
    const running = found.filter((c) => c !== null)
    if (running.length > 0) {
      assert.equal(running.length, 1, 'exactly one survivor runs it')
      const [child] = running as [ChildView]
      assert.equal(child.n, 3, 'with the state it saved')
      assert.equal(child.origin, 'failover')
      return { node: child.node, n: child.n, took: child.since - killedAt }
    }
    assert.ok(Date.now() < deadline, 'room-1 runs again on a survivor within 10 s')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

suite('Redis', 6379, (port) => `redis://127.0.0.1:${port}`)
suite('NATS', 4222, (port) => `nats://127.0.0.1:${port}`)
