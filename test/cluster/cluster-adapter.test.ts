/**
 * The `cluster` adapter over real IPC channels.
 *
 * - The PubSub contract suite: every node lives in this process (as the
 *   suite wants), and the relay runs in a forked child at the other end of
 *   a real IPC channel, so frames are serialized, batched and routed for real.
 * - Workers of `runCluster`: three real worker processes, each a node, driven
 *   by this process (their primary) over the same IPC channel the adapter uses.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, fork } from 'node:child_process'
import type { Worker } from 'node:cluster'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { type ClusterPrimary, runCluster } from '../../src/endpoint/index.ts'
import { CinderError } from '../../src/errors.ts'
import {
  type ClusterRelay,
  clusterAdapter,
  createClusterRelay,
  type IpcChannel,
  type IpcPort,
  startPubSub,
} from '../../src/pubsub/index.ts'
import { LogCapture, pubsubContract, until } from '../contracts/pubsub.ts'

// Tests run from test/ (tsx) or compiled from .build/test: take the fixture next to this file.
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}${ext}`, import.meta.url))

const quiet = { info() {}, warn() {}, error() {} }

pubsubContract('cluster', async () => {
  const relay: ChildProcess = fork(fixture('relay'), [], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const channel = relay as unknown as IpcChannel
  return {
    multiNode: true,
    start: (name, node, logger) =>
      startPubSub({ name, node, logger, adapter: clusterAdapter({ channel }) }),
    async inject(pubsub, data) {
      relay.send(['test.inject', pubsub, data])
    },
    async close() {
      const exited = new Promise((resolve) => relay.once('exit', resolve))
      relay.disconnect()
      await exited
    },
  }
})

/** An in-process IPC channel pair end that records what is sent and lets the test answer. */
function fakeChannel(): IpcChannel & { sent: unknown[][]; deliver(message: unknown): void } {
  // Disconnect listeners take no argument; one set of `(m?) => void` holds both kinds.
  const listeners = { message: new Set<(m?: unknown) => void>(), disconnect: new Set<() => void>() }
  return {
    sent: [],
    connected: true,
    send(message, callback) {
      this.sent.push(message)
      queueMicrotask(() => callback(null))
      return true
    },
    on(event: 'message' | 'disconnect', listener: (m: unknown) => void) {
      listeners[event === 'message' ? 'message' : 'disconnect'].add(listener)
      return this
    },
    off(event: 'message' | 'disconnect', listener: (m: unknown) => void) {
      listeners[event === 'message' ? 'message' : 'disconnect'].delete(listener)
      return this
    },
    deliver(message) {
      for (const listener of listeners.message) listener(message)
    },
  }
}

/** A fake worker channel wired to `relay` in this process, as `installClusterRelay` wires real ones. */
function relayedChannel(relay: ClusterRelay): IpcChannel & { port: IpcPort } {
  const channel = fakeChannel()
  const port: IpcPort = {
    send(message, callback) {
      channel.deliver(message)
      callback(null)
      return true
    },
  }
  channel.send = (message, callback) => {
    queueMicrotask(() => relay.receive(port, message))
    callback(null)
    return true
  }
  return Object.assign(channel, { port })
}

describe('cluster adapter: joining', () => {
  test('start fails with a clear error when no relay answers', async () => {
    const channel = fakeChannel()
    await assert.rejects(
      startPubSub({
        name: 'silent',
        node: 'n1',
        logger: quiet,
        adapter: clusterAdapter({ channel, joinTimeout: 50 }),
      }),
      (err: unknown) =>
        err instanceof CinderError &&
        err.code === 'CINDER_ERR_PUBSUB_CONNECT' &&
        /no answer from the cluster relay within 50 ms/.test(err.message),
    )
    // It asked to join, once, in one tagged message.
    assert.deepEqual(channel.sent, [['cinder.cluster', 1, 'j', 'silent', 'n1', '']])
  })

  test('outside a cluster worker there is no channel, and start says so', async () => {
    if (process.send !== undefined) return // run under a parent with IPC: nothing to check
    await assert.rejects(
      startPubSub({ name: 'x', node: 'n', logger: quiet, adapter: clusterAdapter() }),
      (err: unknown) =>
        err instanceof CinderError &&
        err.code === 'CINDER_ERR_PUBSUB_CONNECT' &&
        /expected an IPC channel to a cluster primary/.test(err.message),
    )
  })

  test('a node name another worker holds is refused by the relay', async () => {
    const relay = createClusterRelay({ logger: quiet })
    const a = relayedChannel(relay)
    const b = relayedChannel(relay)
    const first = await startPubSub({
      name: 'p',
      node: 'same',
      logger: quiet,
      adapter: clusterAdapter({ channel: a }),
    })
    await assert.rejects(
      startPubSub({
        name: 'p',
        node: 'same',
        logger: quiet,
        adapter: clusterAdapter({ channel: b }),
      }),
      (err: unknown) =>
        err instanceof CinderError &&
        err.code === 'CINDER_ERR_PUBSUB_NODE_TAKEN' &&
        /"same"/.test(err.message),
    )
    assert.deepEqual(relay.nodes('p'), ['same'])
    await first.stop()
    await until(() => relay.nodes('p').length === 0, 1000, 'the leave to reach the relay')
  })

  test('when a worker exits, the relay tells the others its nodes are gone (onNodeDown)', async () => {
    const relay = createClusterRelay({ logger: quiet })
    const [a, b, c] = [relayedChannel(relay), relayedChannel(relay), relayedChannel(relay)]
    const start = (node: string, channel: IpcChannel) =>
      startPubSub({ name: 'x', node, logger: quiet, adapter: clusterAdapter({ channel }) })
    const [pa, pb, pc] = [await start('na', a), await start('nb', b), await start('nc', c)]
    const downs: string[] = []
    pb.onNodeDown((node, reason) => downs.push(`nb saw ${node} ${reason}`))
    const off = pc.onNodeDown((node, reason) => downs.push(`nc saw ${node} ${reason}`))
    pa.onNodeDown(() => assert.fail('the node that died hears nothing'))
    relay.remove(a.port)
    await until(() => downs.length === 2, 1000, 'both survivors to hear')
    assert.deepEqual(downs.sort(), ['nb saw na worker_exit', 'nc saw na worker_exit'])
    assert.deepEqual(relay.nodes('x'), ['nb', 'nc'])
    off()
    relay.remove(b.port)
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(downs.length, 2, 'a removed hook is not called')
    for (const pubsub of [pa, pb, pc]) await pubsub.stop()
  })

  test('a relay ignores IPC traffic that is not the adapter’s', () => {
    const relay = createClusterRelay({ logger: quiet })
    const port: IpcPort = { send: () => assert.fail('nothing should be sent') }
    assert.equal(relay.receive(port, { cmd: 'app' }), false)
    assert.equal(relay.receive(port, ['other', 1]), false)
    assert.equal(relay.receive(port, 'text'), false)
    const log = new LogCapture()
    const loud = createClusterRelay({ logger: log })
    assert.equal(loud.receive(port, ['cinder.cluster', 99, 'b', 'p', 'n', 'x']), true)
    assert.equal(loud.receive(port, ['cinder.cluster', 99, 'b', 'p', 'n', 'x']), true)
    assert.equal(log.matching(/wire version 1/).length, 1)
  })
})

// ---- real workers ----

describe('cluster adapter: workers of runCluster', () => {
  let primary: ClusterPrimary | undefined
  let nextId = 0

  /** Runs `op` in worker `index` (1-based) and returns its result. */
  async function call(index: number, op: string, ...args: string[]): Promise<unknown> {
    const worker = workerAt(index)
    const id = ++nextId
    return new Promise((resolve) => {
      const onMessage = (message: unknown): void => {
        if (Array.isArray(message) && message[0] === 'test.reply' && message[1] === id) {
          worker.off('message', onMessage)
          resolve(message[2])
        }
      }
      worker.on('message', onMessage)
      worker.send(['test.cmd', id, op, ...args])
    })
  }

  function workerAt(index: number): Worker {
    const worker = primary?.workers().find((w) => w.index === index)?.worker
    if (worker === undefined) throw new Error(`no worker ${index}`)
    return worker
  }

  async function inboxes(topic: string): Promise<unknown[]> {
    return Promise.all([1, 2, 3].map((i) => call(i, 'inbox', topic)))
  }

  before(async () => {
    primary = (await runCluster({
      workers: 3,
      node: 'web',
      exec: fixture('pubsub-worker'),
      argv: [],
      env: {},
      handleSignals: false,
      start: async () => assert.fail('start runs in the workers (the fixture)'),
      logger: quiet,
    })) as ClusterPrimary
  })
  after(async () => {
    await primary?.stop()
  })

  test('each worker is a node named <base>-w<index>', async () => {
    const names = await Promise.all([1, 2, 3].map((i) => call(i, 'node')))
    assert.deepEqual(names, ['web-w1', 'web-w2', 'web-w3'])
  })

  test('broadcast reaches every worker exactly once; broadcastFrom skips only the sender', async () => {
    for (const i of [1, 2, 3]) await call(i, 'subscribe', 'all')
    await call(1, 'broadcast', 'all', 'one')
    await call(2, 'broadcastFrom', 'all', 'two')
    // Per-sender order holds, so a marker from each sender after its message proves delivery.
    for (const from of [1, 2]) await call(from, 'broadcast', 'all', `end-${from}`)
    await waitFor(async () => {
      const boxes = await inboxes('all')
      return boxes.every(
        (box) => (box as unknown[]).includes('end-1') && (box as unknown[]).includes('end-2'),
      )
    })
    const boxes = (await inboxes('all')) as string[][]
    assert.deepEqual(
      // Two senders: no order between them, only within each.
      boxes.map((box) => box.filter((m) => !m.startsWith('end-')).sort()),
      [['one', 'two'], ['one'], ['one', 'two']],
    )
  })

  test('localBroadcast stays on its worker; directBroadcast reaches only the named one', async () => {
    for (const i of [1, 2, 3]) await call(i, 'subscribe', 'd')
    await call(1, 'localBroadcast', 'd', 'local')
    await call(1, 'directBroadcast', 'web-w3', 'd', 'for w3')
    await call(1, 'broadcast', 'd', 'marker')
    await waitFor(async () =>
      (await inboxes('d')).every((box) => (box as unknown[]).includes('marker')),
    )
    assert.deepEqual(await inboxes('d'), [['local', 'marker'], ['marker'], ['for w3', 'marker']])
  })

  test('a worker that crashes is restarted under its name and rejoins', async (t) => {
    const before = workerAt(2)
    const oldPid = before.process.pid
    const exited = new Promise<number | null>((resolve) =>
      before.once('exit', (code) => resolve(code)),
    )
    const crashedAt = Date.now()
    await call(2, 'crash')
    assert.equal(await exited, 7)
    // The primary told the others at once, through their PubSubs' onNodeDown.
    await waitFor(async () => {
      const downs = (await Promise.all([1, 3].map((i) => call(i, 'downs')))) as string[][]
      return downs.every((list) => list.length > 0)
    })
    for (const i of [1, 3]) assert.deepEqual(await call(i, 'downs'), ['web-w2 worker_exit'])
    // Cluster membership reports it down at once, not after its 5 s down period.
    for (const i of [1, 3]) {
      const events = (await call(i, 'events')) as { event: string; at: number }[]
      const down = events.find((e) => e.event === 'down:web-w2:worker_exit')
      assert.ok(down !== undefined, `worker ${i} saw w2 down: ${JSON.stringify(events)}`)
      assert.ok(down.at - crashedAt < 1000, `down ${down.at - crashedAt} ms after the crash`)
      t.diagnostic(`worker ${i}: w2 down (worker_exit) ${down.at - crashedAt} ms after its crash`)
    }
    await waitFor(async () => primary?.workers().find((w) => w.index === 2)?.ready === true)
    assert.notEqual(workerAt(2).process.pid, oldPid)
    assert.equal(await call(2, 'node'), 'web-w2')
    // What it missed while away is lost; from now on it gets everything.
    await call(2, 'subscribe', 'after')
    await call(3, 'subscribe', 'after')
    await call(1, 'broadcast', 'after', 'welcome back')
    await call(3, 'directBroadcast', 'web-w2', 'after', 'direct')
    await waitFor(async () => ((await call(2, 'inbox', 'after')) as unknown[]).length === 2)
    // From two senders: no order between them.
    assert.deepEqual(((await call(2, 'inbox', 'after')) as string[]).sort(), [
      'direct',
      'welcome back',
    ])
  })
})

async function waitFor(condition: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms
  while (!(await condition())) {
    if (performance.now() > deadline) assert.fail(`timed out after ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
