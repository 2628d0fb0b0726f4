// LiveView state across deploys and reconnects (docs/durability.md): a view's persist/restore
// pair, through cinder/testing's connectLive over real connections to two nodes sharing a store.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import {
  type ClusterStore,
  createMemoryStore,
  type Endpoint,
  startNatsStore,
  startRedisStore,
} from '../../src/extend.ts'
import { type LiveSnapshotEvent, liveSnapshot, subscribePoint } from '../../src/telemetry/index.ts'
import { connectLive, type LiveViewTest } from '../../src/testing/index.ts'
import { dropTestData } from '../cluster/broker.ts'
import { requireService } from '../pubsub/service.ts'
import { type DurableNodeOptions, startDurableNode } from '../support/durable-node.ts'

const warnings: string[] = []
const infos: string[] = []
const logger = {
  error: (message: string) => warnings.push(message),
  warn: (message: string) => warnings.push(message),
  info: (message: string) => infos.push(message),
}

const outcomes: LiveSnapshotEvent['outcome'][] = []
subscribePoint(liveSnapshot, (event) => outcomes.push(event.outcome))

const prefix = `cinder_test_snapshots_${process.pid}_${Date.now()}`
const nodes: Endpoint[] = []
after(async () => {
  for (const node of nodes) await node.stop()
  await dropTestData(prefix)
})

async function node(options: DurableNodeOptions): Promise<{ endpoint: Endpoint; base: string }> {
  const endpoint = await startDurableNode({ logger, ...options })
  nodes.push(endpoint)
  return { endpoint, base: `http://127.0.0.1:${endpoint.port}` }
}

/** A page at `base` with the counter at 7 and the form half filled. */
async function halfDone(base: string): Promise<LiveViewTest> {
  const view = await connectLive(`${base}/durable`)
  for (let i = 0; i < 7; i++) await view.click('#inc')
  await view.form('#note-form', { note: { title: 'Half', body: '' } }).change()
  assert.equal(view.text('#count'), '7')
  return view
}

function stateOf(view: LiveViewTest) {
  return { count: view.text('#count'), echo: view.text('#echo'), node: view.text('#node') }
}

const { setLogger } = await import('../../src/logger.ts')
setLogger(logger)

test('a node that drains saves the view; its rejoin on another node restores it', async () => {
  // A slow store: the client must not hear 1012 before its view is saved.
  const memory = createMemoryStore()
  let takes = 0
  const store: ClusterStore = {
    ...memory,
    async putExpiring(space, key, value, ttl) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      await memory.putExpiring?.(space, key, value, ttl)
    },
    takeExpiring(space, key) {
      takes++
      return memory.takeExpiring?.(space, key) ?? Promise.resolve(undefined)
    },
  }
  const a = await node({ node: 'A', store })
  const b = await node({ node: 'B', store })
  const view = await halfDone(a.base)
  outcomes.length = 0
  assert.equal(takes, 0, 'a first join (after the dead render) does not read the store')
  const stopping = a.endpoint.stop() // the drainer: channels stop (snapshot saved), then 1012
  assert.equal(await view.closed, 1012)
  const back = await view.rejoin({ at: b.base })
  assert.deepEqual(stateOf(back), { count: '7', echo: 'Half|', node: 'B' })
  assert.equal(back.text('#mounts'), '1', 'mount ran on B, then restore')
  assert.deepEqual(outcomes, ['saved', 'restored'], 'cinder:live:snapshot')
  await back.click('#inc')
  assert.equal(back.text('#count'), '8')
  await back.close()
  await stopping
})

test('through Redis and through NATS key-value, as nodes of a cluster share them', async (t) => {
  for (const engine of ['redis', 'nats'] as const) {
    const port = engine === 'redis' ? 6379 : 4222
    const missing = await requireService(engine === 'redis' ? 'Redis' : 'NATS', port)
    if (missing !== undefined) {
      t.diagnostic(missing.skip)
      continue
    }
    const open = () =>
      engine === 'redis'
        ? startRedisStore({ prefix: `${prefix}:` })
        : startNatsStore({ bucketPrefix: prefix.replaceAll(/[^A-Za-z0-9_]/g, '_') })
    const [storeA, storeB] = [await open(), await open()]
    try {
      const a = await node({ node: 'A', store: storeA })
      const b = await node({ node: 'B', store: storeB })
      const view = await halfDone(a.base)
      await a.endpoint.stop()
      const back = await view.rejoin({ at: b.base })
      assert.deepEqual(stateOf(back), { count: '7', echo: 'Half|', node: 'B' }, engine)
      await back.close()
      await b.endpoint.stop()
    } finally {
      await storeA.close()
      await storeB.close()
    }
  }
})

test('a plain reconnect restores too, once: the snapshot is taken', async () => {
  const { base } = await node({ node: 'A' })
  const view = await halfDone(base)
  await view.close()
  await settle()
  const back = await view.rejoin()
  assert.deepEqual(stateOf(back), { count: '7', echo: 'Half|', node: 'A' })
  // A second connection to the same view (the first is still open) finds nothing left.
  const again = await back.rejoin()
  assert.equal(again.text('#count'), '7', 'saved again when the previous connection closed')
  await again.close()
})

test('a rejoin to the same node waits for the save of the view it left there', async () => {
  const memory = createMemoryStore()
  const store: ClusterStore = {
    ...memory,
    async putExpiring(space, key, value, ttl) {
      await new Promise((resolve) => setTimeout(resolve, 300))
      await memory.putExpiring?.(space, key, value, ttl)
    },
  }
  const { base } = await node({ node: 'A', store })
  const view = await halfDone(base)
  const back = await view.rejoin() // closes, then joins at once: the save is still under way
  assert.deepEqual(stateOf(back), { count: '7', echo: 'Half|', node: 'A' })
  await back.close()
})

test('a view that crashed saves nothing: its rejoin mounts afresh', async () => {
  const { base } = await node({ node: 'A' })
  const view = await halfDone(base)
  await view.click('#crash').catch(() => {}) // no reply: the process crashed
  for (let i = 0; i < 50 && view.state !== 'crashed'; i++) await settle(20)
  assert.equal(view.state, 'crashed')
  const back = await view.rejoin()
  assert.deepEqual(stateOf(back), { count: '0', echo: '|', node: 'A' })
  await back.close()
})

test('without persist/restore, the view mounts afresh (the control)', async () => {
  const { base } = await node({ node: 'A', durable: false })
  const view = await halfDone(base)
  await view.close()
  await settle()
  const back = await view.rejoin()
  assert.deepEqual(stateOf(back), { count: '0', echo: '|', node: 'A' })
  await back.close()
})

test('a persisted state over maxBytes is not saved, and says so', async () => {
  const { base } = await node({ node: 'A', snapshots: { maxBytes: 40 } })
  const view = await halfDone(base)
  await view.form('#note-form', { note: { title: 'Half', body: 'x'.repeat(100) } }).change()
  warnings.length = 0
  await view.close()
  await settle()
  assert.equal(outcomes.at(-1), 'too_large')
  assert.match(
    warnings.join('\n'),
    /over snapshots\.maxBytes \(40\).*CINDER_ERR_LIVE_SNAPSHOT_TOO_LARGE/,
  )
  const back = await view.rejoin()
  assert.equal(back.text('#count'), '0')
  await back.close()
})

test('a snapshot past its ttl is gone: the view mounts afresh', async () => {
  const { base } = await node({ node: 'A', snapshots: { ttl: 300 } })
  const view = await halfDone(base)
  await view.close()
  await new Promise((resolve) => setTimeout(resolve, 700))
  const back = await view.rejoin()
  assert.equal(back.text('#count'), '0')
  await back.close()
})

test('a snapshot of another persistVersion is dropped: the new code mounts afresh', async () => {
  const store = createMemoryStore()
  const a = await node({ node: 'A', store, persistVersion: 1 })
  const b = await node({ node: 'B', store, persistVersion: 2 })
  const view = await halfDone(a.base)
  await a.endpoint.stop()
  infos.length = 0
  const back = await view.rejoin({ at: b.base })
  assert.deepEqual(stateOf(back), { count: '0', echo: '|', node: 'B' })
  assert.equal(outcomes.at(-1), 'outdated')
  assert.match(
    infos.join('\n'),
    /mounts afresh: its snapshot is of DurableLive version 1, this is DurableLive version 2/,
  )
  await back.close()
})

test('a tampered snapshot, or one moved to another view, is refused', async () => {
  const memory = createMemoryStore()
  const keys: string[] = []
  const store: ClusterStore = {
    ...memory,
    putExpiring(space, key, value, ttl) {
      keys.push(key)
      return memory.putExpiring?.(space, key, value, ttl) ?? Promise.resolve()
    },
  }
  const { base } = await node({ node: 'A', store })
  const take = async (key: string) => (await store.takeExpiring?.(SPACE, key)) as string
  const put = (key: string, token: string) => store.putExpiring?.(SPACE, key, token, 60_000)

  const view = await halfDone(base)
  await view.close()
  await settle()
  const [id] = keys.splice(0)
  const token = await take(id as string)
  await put(id as string, `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`)
  warnings.length = 0
  const forged = await view.rejoin()
  assert.equal(forged.text('#count'), '0', 'a snapshot whose signature fails')
  assert.equal(outcomes.at(-1), 'refused')
  assert.match(
    warnings.join('\n'),
    /refused the snapshot of DurableLive.*CINDER_ERR_LIVE_SNAPSHOT_INVALID/,
  )
  await forged.close()
  await settle()
  keys.length = 0

  const mine = await halfDone(base)
  const theirs = await connectLive(`${base}/durable`)
  await mine.close()
  await settle()
  await theirs.close()
  await settle()
  const [mineId, theirsId] = keys.splice(0)
  await take(theirsId as string)
  await put(theirsId as string, await take(mineId as string))
  warnings.length = 0
  const moved = await theirs.rejoin()
  assert.equal(moved.text('#count'), '0', "another view's snapshot")
  assert.match(warnings.join('\n'), /CINDER_ERR_LIVE_SNAPSHOT_INVALID/)
  await moved.close()
})

const SPACE = 'live_snapshots'

/** Lets the server finish a close (the view's terminate saves its snapshot). */
function settle(ms = 100): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
