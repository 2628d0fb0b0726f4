import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createClient } from 'redis'
import { CinderError } from '../../src/errors.ts'
import { redisChannel } from '../../src/pubsub/adapters/redis.ts'
import { type PubSub, redisAdapter, startPubSub } from '../../src/pubsub/index.ts'
import { inbox, LogCapture, pubsubContract, uniqueName, until } from '../contracts/pubsub.ts'
import { requireService } from './service.ts'

const url = 'redis://127.0.0.1:6379'
// A plain client beside the adapter: it injects frames and kills connections.
function newAdmin() {
  return createClient({ url })
}
type Admin = ReturnType<typeof newAdmin>

async function adminClient(): Promise<Admin> {
  const admin = newAdmin()
  admin.on('error', () => {})
  await admin.connect()
  return admin
}

pubsubContract('redis', async () => {
  const missing = await requireService('Redis', 6379)
  if (missing) return missing
  const admin = await adminClient()
  return {
    multiNode: true,
    start: (name, node, logger) =>
      startPubSub({ name, node, logger, adapter: redisAdapter({ url }) }),
    inject: async (name, data) => {
      await admin.publish(redisChannel(name), data)
    },
    close: () => admin.close(),
  }
})

let skip: string | undefined
let admin: Admin | undefined
before(async () => {
  skip = (await requireService('Redis', 6379))?.skip
  if (skip === undefined) admin = await adminClient()
})
after(async () => {
  await admin?.close()
})

test('the adapter reconnects after Redis drops its subscriber connection, and delivery resumes', async (t) => {
  if (skip !== undefined || admin === undefined) return t.skip(skip)
  const name = uniqueName('redis-reconnect')
  const log = new LogCapture()
  const start = (node: string): Promise<PubSub> =>
    startPubSub({
      name,
      node,
      logger: log,
      adapter: redisAdapter({ url, maxReconnectDelay: 100 }),
    })
  const [a, b] = await Promise.all([start('a'), start('b')])
  try {
    const box = inbox()
    a.subscribe('t', box.fn)
    let reconnects = 0
    a.onReconnect(() => reconnects++)

    // Kill only node a's subscriber connection (CLIENT KILL TYPE pubsub would hit every test run).
    const clients = String(await admin.sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub']))
    const line = clients.split('\n').find((l) => l.includes(` name=cinder-pubsub:${name}:a `))
    const id = /\bid=(\d+)/.exec(line ?? '')?.[1]
    assert.ok(id, `node a's subscriber connection is listed:\n${clients}`)
    await admin.sendCommand(['CLIENT', 'KILL', 'ID', id])

    await until(() => reconnects === 1, 5000, 'the reconnect hook')
    assert.equal(a.connected, true)
    // Resubscription follows the reconnect closely; broadcast until it is in place.
    for (let i = 0; box.messages.length === 0; i++) {
      b.broadcast('t', i)
      await new Promise((resolve) => setTimeout(resolve, 20))
      assert.ok(i < 250, 'delivery resumed within 5 s')
    }
    assert.equal(log.matching(/lost the redis link/).length, 1)
    assert.equal(log.matching(/the redis link is back/).length, 1)
  } finally {
    await Promise.all([a.stop(), b.stop()])
  }
})

test('start fails with a clear error when Redis does not answer', async () => {
  await assert.rejects(
    startPubSub({
      name: 'nowhere',
      adapter: redisAdapter({ url: 'redis://127.0.0.1:1' }),
      logger: new LogCapture(),
    }),
    (err: unknown) =>
      err instanceof CinderError &&
      err.code === 'CINDER_ERR_PUBSUB_CONNECT' &&
      /redis:\/\/127\.0\.0\.1:1/.test(err.message),
  )
})

test('node names with spaces and non-ASCII characters work', async (t) => {
  if (skip !== undefined) return t.skip(skip)
  const name = uniqueName('redis-names')
  const start = (node: string): Promise<PubSub> =>
    startPubSub({ name, node, logger: new LogCapture(), adapter: redisAdapter({ url }) })
  const [a, b] = await Promise.all([start('web 1'), start('nœud b')])
  try {
    const box = inbox()
    b.subscribe('t', box.fn)
    a.directBroadcast('nœud b', 't', 'direct')
    a.broadcast('t', 'all')
    await until(() => box.messages.length === 2, 5000, 'both deliveries')
    assert.deepEqual(box.messages, ['direct', 'all'])
  } finally {
    await Promise.all([a.stop(), b.stop()])
  }
})
