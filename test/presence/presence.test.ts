// The Presence API on one node and across two: payload shapes, diff broadcasts and their
// batching, fetch, untrack/update forms, and errors.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { type Presence, type PresenceDiff, startPresence } from '../../src/presence/index.ts'
import { type Pid, spawn, stopProcess } from '../../src/process/index.ts'
import { createMemoryBus, type PubSub, startPubSub } from '../../src/pubsub/index.ts'
import { FAST, Lines, ManualTime, settle } from './support.ts'

let time: ManualTime
const stops: Array<() => Promise<void>> = []
const pids: Pid[] = []
let names = 0

async function owner(): Promise<Pid> {
  const pid = await spawn({ init: () => null }, undefined)
  pids.push(pid)
  return pid
}

interface Node {
  pubsub: PubSub
  presence: Presence
  diffs: PresenceDiff[]
}

async function node(
  options: { bus?: ReturnType<typeof createMemoryBus>; pubsub?: string; node?: string } & Record<
    string,
    unknown
  > = {},
): Promise<Node> {
  const {
    bus,
    pubsub: pubsubName = `presence-api-${++names}`,
    node: nodeName = 'solo',
    ...rest
  } = options
  const pubsub = await startPubSub({
    name: pubsubName,
    node: nodeName,
    logger: new Lines(),
    ...(bus ? { adapter: bus.adapter() } : {}),
  })
  const presence = await startPresence({ pubsub, ...FAST, logger: new Lines(), ...rest })
  const diffs: PresenceDiff[] = []
  pubsub.subscribe('room:1', (message) => {
    const m = message as { event?: string; payload?: PresenceDiff }
    if (m.event === 'presence_diff' && m.payload) diffs.push(m.payload)
  })
  stops.push(async () => {
    await presence.stop()
    await pubsub.stop()
  })
  return { pubsub, presence, diffs }
}

beforeEach(() => {
  time = new ManualTime()
})

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop()
  for (const pid of pids.splice(0)) await stopProcess(pid, 'shutdown').catch(() => {})
  time.restore()
})

describe('one node', () => {
  test('track, list and get give the client shapes; a diff joins the new meta', async () => {
    const { presence, diffs } = await node()
    const pid = await owner()
    const ref = presence.track(pid, 'room:1', 'alice', { online_at: 1 })
    assert.match(ref, /^[A-Za-z0-9_-]{16}$/)
    assert.deepEqual(
      { ...presence.list('room:1') },
      {
        alice: { metas: [{ online_at: 1, phx_ref: ref }] },
      },
    )
    assert.deepEqual(presence.get('room:1', 'alice'), { metas: [{ online_at: 1, phx_ref: ref }] })
    assert.equal(presence.get('room:1', 'bob'), undefined)
    await settle()
    assert.equal(diffs.length, 1)
    assert.deepEqual({ ...diffs[0]?.joins }, { alice: { metas: [{ online_at: 1, phx_ref: ref }] } })
    assert.deepEqual({ ...diffs[0]?.leaves }, {})
  })

  test('update is one diff: the new meta joins with phx_ref_prev, the old one leaves', async () => {
    const { presence, diffs } = await node()
    const pid = await owner()
    const first = presence.track(pid, 'room:1', 'alice', { status: 'here' })
    await settle()
    const second = presence.update(pid, 'room:1', 'alice', (old) => ({ ...old, status: 'away' }))
    await settle()
    assert.equal(diffs.length, 2)
    const diff = diffs[1]
    assert.deepEqual(diff?.joins.alice?.metas, [
      { status: 'away', phx_ref: second, phx_ref_prev: first },
    ])
    assert.deepEqual(diff?.leaves.alice?.metas, [{ status: 'here', phx_ref: first }])
    assert.deepEqual(presence.list('room:1').alice?.metas.length, 1)
  })

  test('changes within one turn leave as one diff, and a join undone in the same turn is not sent', async () => {
    const { presence, diffs } = await node()
    const [p1, p2] = [await owner(), await owner()]
    presence.track(p1, 'room:1', 'a', {})
    presence.track(p2, 'room:1', 'b', {})
    presence.track(p2, 'room:1', 'gone', {})
    presence.untrack(p2, 'room:1', 'gone')
    await settle()
    assert.equal(diffs.length, 1)
    assert.deepEqual(Object.keys(diffs[0]?.joins ?? {}).sort(), ['a', 'b'])
    assert.deepEqual({ ...diffs[0]?.leaves }, {})
  })

  test('under load a topic gets its burst of diffs, then one batched diff per period', async () => {
    const { presence, diffs } = await node({ diffBurst: 3 })
    const pid = await owner()
    for (let i = 0; i < 10; i++) {
      presence.track(pid, 'room:1', `k${i}`, {})
      await settle(2)
    }
    assert.equal(diffs.length, 3, 'the burst went out at once')
    await time.advance(FAST.broadcastPeriod)
    assert.equal(diffs.length, 4, 'the rest waited for the end of the period, as one diff')
    assert.deepEqual(Object.keys(diffs[3]?.joins ?? {}).sort(), [
      'k3',
      'k4',
      'k5',
      'k6',
      'k7',
      'k8',
      'k9',
    ])
    const listed = Object.keys(presence.list('room:1'))
    assert.equal(listed.length, 10)
  })

  test('untrack forms: one key, a socket-less topic, a whole process; exit untracks', async () => {
    const { presence } = await node()
    const pid = await owner()
    presence.track(pid, 'room:1', 'a', {})
    presence.track(pid, 'room:1', 'b', {})
    presence.track(pid, 'room:2', 'c', {})
    presence.track(pid, 'room:3', 'd', {})
    assert.equal(presence.untrack(pid, 'room:1', 'a'), 1)
    assert.equal(presence.untrack(pid, 'room:1', 'a'), 0)
    assert.equal(presence.untrack(pid, 'room:1'), 1)
    assert.equal(presence.untrack(pid), 2)
    const other = await owner()
    presence.track(other, 'room:1', 'x', {})
    await stopProcess(other, 'shutdown')
    await settle()
    assert.deepEqual({ ...presence.list('room:1') }, {})
  })

  test('fetch adds fields beside metas, in lists and in diffs', async () => {
    const { presence, diffs } = await node({
      fetch: (_topic: string, presences: Record<string, { metas: unknown[] }>) => {
        for (const [key, group] of Object.entries(presences)) {
          Object.assign(group, { user: { name: key.toUpperCase() } })
        }
        return presences
      },
    })
    presence.track(await owner(), 'room:1', 'ann', {})
    assert.deepEqual((presence.list('room:1').ann as unknown as { user: unknown }).user, {
      name: 'ANN',
    })
    await settle()
    const joined = diffs[0]?.joins.ann as unknown as { user: unknown } | undefined
    assert.deepEqual(joined?.user, { name: 'ANN' })
  })

  test('an async fetch: diffs of a topic leave in order, lists through listAsync', async () => {
    // Each fetch call waits until the test answers it, so the first diff can be held back.
    const calls: { keys: string[]; answer: () => void }[] = []
    const log = new Lines()
    const { presence, diffs } = await node({
      logger: log,
      fetch: (_topic: string, presences: Record<string, { metas: unknown[] }>) =>
        new Promise((resolve, reject) => {
          const keys = Object.keys(presences)
          calls.push({
            keys,
            answer: () => {
              if (keys.join() === 'bad') reject(new Error('db down'))
              for (const [key, group] of Object.entries(presences))
                Object.assign(group, { user: key.toUpperCase() })
              resolve(presences)
            },
          })
        }),
    })
    const user = (map: Record<string, unknown> | undefined, key: string) =>
      (map?.[key] as { user?: string } | undefined)?.user
    presence.track(await owner(), 'room:1', 'ann', {})
    await settle()
    assert.deepEqual(
      calls.map((c) => c.keys),
      [['ann'], []],
      'fetch got the joins and the leaves',
    )
    presence.track(await owner(), 'room:1', 'bob', {})
    await settle()
    assert.equal(calls.length, 2, "bob's diff waits for ann's before its fetch runs")
    assert.equal(diffs.length, 0)

    for (const call of calls.splice(0)) call.answer()
    await settle()
    assert.equal(diffs.length, 1)
    assert.equal(user(diffs[0]?.joins, 'ann'), 'ANN')
    assert.deepEqual(
      calls.map((c) => c.keys),
      [['bob'], []],
    )
    for (const call of calls.splice(0)) call.answer()
    await settle()
    assert.equal(user(diffs[1]?.joins, 'bob'), 'BOB')

    // A failed fetch drops its diff with a log line; the topic's next diffs still flow.
    presence.track(await owner(), 'room:1', 'bad', {})
    await settle()
    presence.track(await owner(), 'room:1', 'cid', {})
    await settle()
    for (const call of calls.splice(0)) call.answer()
    await settle()
    for (const call of calls.splice(0)) call.answer()
    await settle()
    assert.deepEqual(
      diffs.map((d) => Object.keys(d.joins)),
      [['ann'], ['bob'], ['cid']],
    )
    assert.match(log.matching(/fetch for/)[0] ?? '', /"room:1" failed; diff dropped: .*db down/)

    assert.throws(() => presence.list('room:1'), {
      code: 'CINDER_ERR_PRESENCE_ASYNC_FETCH',
      message: /listAsync/,
    })
    assert.throws(() => presence.get('room:1', 'ann'), { code: 'CINDER_ERR_PRESENCE_ASYNC_FETCH' })
    const listing = presence.listAsync('room:1')
    const one = presence.getAsync('room:1', 'bob')
    for (const call of calls.splice(0)) call.answer()
    assert.deepEqual(Object.keys(await listing).sort(), ['ann', 'bad', 'bob', 'cid'])
    assert.equal((await one)?.metas.length, 1)
    assert.equal(user(await listing, 'cid'), 'CID')
    assert.equal(await presence.getAsync('room:1', 'nobody'), undefined)
  })

  test('listAsync and getAsync work with a synchronous fetch, or none', async () => {
    const { presence } = await node()
    presence.track(await owner(), 'room:1', 'ann', { a: 1 })
    assert.deepEqual(await presence.listAsync('room:1'), presence.list('room:1'))
    assert.deepEqual(await presence.getAsync('room:1', 'ann'), presence.get('room:1', 'ann'))
  })

  test('keys like __proto__ are plain keys', async () => {
    const { presence } = await node()
    const pid = await owner()
    presence.track(pid, 'room:1', '__proto__', { n: 1 })
    presence.track(pid, 'room:1', 'constructor', { n: 2 })
    const list = presence.list('room:1')
    assert.deepEqual(Object.keys(list).sort(), ['__proto__', 'constructor'])
    const proto = '__proto__'
    assert.equal(list[proto]?.metas[0]?.n, 1)
    assert.equal(({} as { n?: unknown }).n, undefined)
  })

  test('errors: already tracked, not tracked, bad arguments, not running', async () => {
    const { presence } = await node()
    const pid = await owner()
    presence.track(pid, 'room:1', 'a', {})
    assert.throws(() => presence.track(pid, 'room:1', 'a', {}), {
      code: 'CINDER_ERR_PRESENCE_ALREADY_TRACKED',
    })
    assert.throws(() => presence.update(pid, 'room:1', 'zzz', {}), {
      code: 'CINDER_ERR_PRESENCE_NOT_TRACKED',
    })
    assert.throws(() => presence.track(pid, 'room:1', 42 as unknown as string, {}), {
      code: 'CINDER_ERR_PRESENCE_BAD_ARG',
    })
    assert.throws(
      () => presence.track(pid, 'room:1', 'b', [] as unknown as Record<string, unknown>),
      {
        code: 'CINDER_ERR_PRESENCE_BAD_ARG',
      },
    )
    assert.throws(() => presence.track('nobody' as unknown as Pid, 'room:1', 'b', {}), {
      code: 'CINDER_ERR_PRESENCE_BAD_ARG',
    })
    const pubsub = await startPubSub({ name: `bad-${++names}`, logger: new Lines() })
    stops.push(() => pubsub.stop())
    await assert.rejects(startPresence({ pubsub, broadcastPeriod: 100, downPeriod: 150 }), {
      code: 'CINDER_ERR_PRESENCE_BAD_ARG',
    })
    await assert.rejects(startPresence({ pubsub, downPeriod: 60_000, permdownPeriod: 1_000 }), {
      code: 'CINDER_ERR_PRESENCE_BAD_ARG',
    })
    await presence.stop()
    assert.throws(() => presence.list('room:1'), { code: 'CINDER_ERR_PRESENCE_NOT_RUNNING' })
  })
})

describe('two nodes', () => {
  test('each node broadcasts its own diff of remote changes to its local subscribers', async () => {
    const bus = createMemoryBus()
    const name = `presence-pair-${++names}`
    const a = await node({ bus, pubsub: name, node: 'a' })
    const b = await node({ bus, pubsub: name, node: 'b' })
    const ref = a.presence.track(await owner(), 'room:1', 'alice', { from: 'a' })
    await time.advance(3 * FAST.broadcastPeriod)
    assert.deepEqual(b.presence.list('room:1').alice?.metas, [{ from: 'a', phx_ref: ref }])
    assert.equal(a.diffs.length, 1, 'a told its own subscribers once (no echo from b)')
    assert.equal(b.diffs.length, 1, 'b computed and sent its own diff')
    assert.deepEqual(b.diffs[0]?.joins.alice?.metas, [{ from: 'a', phx_ref: ref }])
  })

  test('nodeDown: the node’s presences leave now, as a presence_diff to local subscribers', async () => {
    const bus = createMemoryBus()
    const name = `presence-pair-${++names}`
    const a = await node({ bus, pubsub: name, node: 'a' })
    const b = await node({ bus, pubsub: name, node: 'b' })
    const ref = a.presence.track(await owner(), 'room:1', 'alice', { from: 'a' })
    await time.advance(3 * FAST.broadcastPeriod)
    bus.cut('a')
    b.presence.nodeDown('a')
    await time.advance(FAST.broadcastPeriod) // the diff batch window; far from the down period
    assert.deepEqual(Object.keys(b.presence.list('room:1')), [])
    assert.deepEqual(b.diffs.at(-1)?.leaves.alice?.metas, [{ from: 'a', phx_ref: ref }])
  })
})
