import assert from 'node:assert/strict'
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'
import { before, test } from 'node:test'
import { connect } from 'nats'
import { CinderError } from '../../src/errors.ts'
import { natsNodeSubject, natsSubject, subjectToken } from '../../src/pubsub/adapters/nats.ts'
import { natsAdapter, startPubSub } from '../../src/pubsub/index.ts'
import { inbox, LogCapture, pubsubContract, uniqueName, until } from '../contracts/pubsub.ts'
import { requireService } from './service.ts'

const servers = 'nats://127.0.0.1:4222'

pubsubContract('nats', async () => {
  const missing = await requireService('NATS', 4222)
  if (missing) return missing
  const raw = await connect({ servers })
  return {
    multiNode: true,
    start: (name, node, logger) =>
      startPubSub({ name, node, logger, adapter: natsAdapter({ servers }) }),
    inject: async (name, data) => {
      raw.publish(natsSubject(name), data)
      await raw.flush()
    },
    close: () => raw.close(),
  }
})

test('names become single subject tokens', () => {
  assert.equal(subjectToken('node-1_a'), 'node-1_a')
  assert.equal(subjectToken('web.example.com'), 'web~2eexample~2ecom')
  assert.equal(subjectToken('a b*>é'), 'a~20b~2a~3e~c3~a9')
  assert.equal(natsNodeSubject('app', 'h.1'), 'cinder.pubsub.app.node.h~2e1')
})

/** A TCP proxy in front of NATS whose connections the test can cut. */
async function startProxy(): Promise<{ server: Server; port: number; cut(): void }> {
  const open = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = tcpConnect({ host: '127.0.0.1', port: 4222 })
    for (const s of [client, upstream]) {
      open.add(s)
      s.on('close', () => open.delete(s))
      s.on('error', () => {})
    }
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  assert.ok(address !== null && typeof address === 'object')
  return {
    server,
    port: address.port,
    cut: () => {
      for (const s of open) s.destroy()
    },
  }
}

let skip: string | undefined
before(async () => {
  skip = (await requireService('NATS', 4222))?.skip
})

test('the adapter reconnects after its NATS connection drops, and delivery resumes', async (t) => {
  if (skip !== undefined) return t.skip(skip)
  const proxy = await startProxy()
  const name = uniqueName('nats-reconnect')
  const log = new LogCapture()
  const a = await startPubSub({
    name,
    node: 'a',
    logger: log,
    adapter: natsAdapter({ servers: `nats://127.0.0.1:${proxy.port}`, reconnectTimeWait: 50 }),
  })
  const b = await startPubSub({ name, node: 'b', logger: log, adapter: natsAdapter({ servers }) })
  try {
    const box = inbox()
    a.subscribe('t', box.fn)
    let reconnects = 0
    a.onReconnect(() => reconnects++)
    proxy.cut()
    await until(() => reconnects === 1, 5000, 'the reconnect hook')
    for (let i = 0; box.messages.length === 0; i++) {
      b.broadcast('t', i)
      await new Promise((resolve) => setTimeout(resolve, 20))
      assert.ok(i < 250, 'delivery resumed within 5 s')
    }
    assert.equal(log.matching(/lost the nats link/).length, 1)
    assert.equal(log.matching(/the nats link is back/).length, 1)
  } finally {
    await Promise.all([a.stop(), b.stop()])
    proxy.cut()
    await new Promise((resolve) => proxy.server.close(resolve))
  }
})

test('start fails with a clear error when NATS does not answer', async () => {
  await assert.rejects(
    startPubSub({
      name: 'nowhere',
      adapter: natsAdapter({ servers: 'nats://127.0.0.1:1' }),
      logger: new LogCapture(),
    }),
    (err: unknown) =>
      err instanceof CinderError &&
      err.code === 'CINDER_ERR_PUBSUB_CONNECT' &&
      /127\.0\.0\.1:1/.test(err.message),
  )
})
