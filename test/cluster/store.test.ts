// One contract for every ClusterStore: memory, Redis (6379) and NATS key-value (4222, with
// JetStream). Each run uses spaces of its own.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type ClusterStore,
  createMemoryStore,
  startNatsStore,
  startRedisStore,
} from '../../src/cluster/index.ts'
import { CinderError } from '../../src/errors.ts'
import { requireService } from '../pubsub/service.ts'
import { dropTestData } from './broker.ts'

const run = `${process.pid}-${Date.now()}`
let spaces = 0
const newSpace = () => `store test/${run}:${++spaces}`

function contract(kind: string, open: () => Promise<ClusterStore | { skip: string }>) {
  describe(`${kind} cluster store`, () => {
    let store: ClusterStore | undefined
    let skip: string | undefined

    before(async () => {
      const opened = await open()
      if ('skip' in opened) skip = opened.skip
      else store = opened
    })
    after(async () => {
      await store?.close()
    })

    test('create, then get; a second create of the key is refused', async (t) => {
      if (!store) return t.skip(skip)
      const space = newSpace()
      const revision = await store.create(space, 'room:1', '{"a":1}')
      assert.equal(typeof revision, 'string')
      assert.equal(await store.create(space, 'room:1', '{"a":2}'), undefined)
      assert.deepEqual(await store.get(space, 'room:1'), {
        key: 'room:1',
        value: '{"a":1}',
        revision,
      })
      assert.equal(await store.get(space, 'missing'), undefined)
    })

    test('update succeeds at the revision last seen, and only there', async (t) => {
      if (!store) return t.skip(skip)
      const space = newSpace()
      const first = (await store.create(space, 'k', 'one')) as string
      const second = await store.update(space, 'k', 'two', first)
      assert.ok(second !== undefined && second !== first)
      assert.equal(await store.update(space, 'k', 'stale', first), undefined)
      assert.equal((await store.get(space, 'k'))?.value, 'two')
      assert.equal(await store.update(space, 'nothing', 'x', first), undefined)
    })

    test('delete at a stale revision is refused; a key created again gets a fresh revision', async (t) => {
      if (!store) return t.skip(skip)
      const space = newSpace()
      const first = (await store.create(space, 'k', 'one')) as string
      const second = (await store.update(space, 'k', 'two', first)) as string
      assert.equal(await store.delete(space, 'k', first), false)
      assert.equal(await store.delete(space, 'k', second), true)
      assert.equal(await store.get(space, 'k'), undefined)
      assert.equal(await store.delete(space, 'k'), false)
      const again = (await store.create(space, 'k', 'three')) as string
      assert.ok(![first, second].includes(again), 'never a revision used before')
      assert.equal(await store.update(space, 'k', 'late', second), undefined)
      assert.equal(await store.delete(space, 'k'), true)
    })

    test('list returns every live entry; keys of any characters round-trip', async (t) => {
      if (!store) return t.skip(skip)
      const space = newSpace()
      const keys = ['plain', 'a:b/c d', 'é✓', 'dots.and-dashes_']
      for (const key of keys) await store.create(space, key, `v ${key}`)
      await store.delete(space, 'plain')
      const listed = await store.list(space)
      assert.deepEqual(listed.map((e) => e.key).sort(), keys.slice(1).sort())
      for (const entry of listed) assert.equal(entry.value, `v ${entry.key}`)
      assert.deepEqual(await store.list(newSpace()), [])
    })

    test('an expiring value is taken once, replaced by a later put, and gone after its ttl', async (t) => {
      if (!store?.putExpiring || !store.takeExpiring) return t.skip(skip)
      const space = newSpace()
      await store.putExpiring(space, 'lv:a', 'one', 60_000)
      await store.putExpiring(space, 'lv:a', 'two', 60_000)
      const [first, second] = await Promise.all([
        store.takeExpiring(space, 'lv:a'),
        store.takeExpiring(space, 'lv:a'),
      ])
      assert.deepEqual([first, second].sort(), ['two', undefined].sort(), 'one taker only')
      assert.equal(await store.takeExpiring(space, 'lv:a'), undefined)
      const short = newSpace()
      await store.putExpiring(short, 'lv:b', 'soon gone', 400)
      await new Promise((resolve) => setTimeout(resolve, 1500))
      assert.equal(await store.takeExpiring(short, 'lv:b'), undefined)
      assert.deepEqual(await store.list(space), [], 'expiring values stay out of the space')
    })
  })
}

const prefix = `cinder_test_${process.pid}_${Date.now()}`
contract('memory', async () => createMemoryStore())
contract(
  'redis',
  async () => (await requireService('Redis', 6379)) ?? startRedisStore({ prefix: `${prefix}:` }),
)
contract(
  'nats',
  async () => (await requireService('NATS', 4222)) ?? startNatsStore({ bucketPrefix: prefix }),
)
after(() => dropTestData(prefix))

test('a store that cannot reach its engine says so at creation', async () => {
  const refused = (err: unknown) =>
    err instanceof CinderError && err.code === 'CINDER_ERR_CLUSTER_STORE'
  await assert.rejects(startRedisStore({ url: 'redis://127.0.0.1:1' }), refused)
  await assert.rejects(startNatsStore({ servers: 'nats://127.0.0.1:1' }), refused)
})

test('a memory store keeps at most maxExpiringBytes of expiring values, dropping the oldest', async () => {
  const store = createMemoryStore({ maxExpiringBytes: 10 })
  await store.putExpiring?.('s', 'a', 'aaaa', 60_000)
  await store.putExpiring?.('s', 'b', 'bbbb', 60_000)
  await store.putExpiring?.('s', 'a', 'AAAA', 60_000) // rewritten: now the newest
  await store.putExpiring?.('s', 'c', 'cccc', 60_000) // 12 > 10: b, the oldest, goes
  assert.equal(await store.takeExpiring?.('s', 'b'), undefined)
  assert.equal(await store.takeExpiring?.('s', 'a'), 'AAAA')
  assert.equal(await store.takeExpiring?.('s', 'c'), 'cccc')
  await store.putExpiring?.('s', 'd', 'd'.repeat(11), 60_000) // larger than the cap: not kept
  assert.equal(await store.takeExpiring?.('s', 'd'), undefined)
  assert.throws(() => createMemoryStore({ maxExpiringBytes: 0 }), /positive integer/)
})

test('a closed memory store refuses requests', async () => {
  const store = createMemoryStore()
  await store.close()
  await assert.rejects(store.get('s', 'k'), /memory cluster store failed/)
})
