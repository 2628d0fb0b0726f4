// Three conformance servers as separate Node processes, joined through real Redis and real
// NATS: the official client's Presence on each node lists everyone, broadcasts cross nodes,
// a node killed with SIGKILL leaves within the down period, and (Redis, through a proxy this
// test controls) the nodes reconnect and reconverge after losing the broker.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { requireService } from '../pubsub/service.ts'
import {
  type ClusterClient,
  joinClient,
  type NodeProcess,
  startNode,
  TcpProxy,
  until,
} from './support.ts'

const BROADCAST_PERIOD = 100
const DOWN_PERIOD = 1000
const TOPIC = 'room:cluster'

interface Cluster {
  nodes: NodeProcess[]
  clients: ClusterClient[]
}

async function startCluster(pubsubUrl: string, label: string): Promise<Cluster> {
  const pubsubName = `cluster-${label}-${process.pid}-${Date.now()}`
  const args = [
    '--pubsub',
    pubsubUrl,
    '--pubsub-name',
    pubsubName,
    '--broadcast-period',
    String(BROADCAST_PERIOD),
    '--down-period',
    String(DOWN_PERIOD),
  ]
  const nodes = await Promise.all(['n1', 'n2', 'n3'].map((name) => startNode(name, args)))
  const clients = await Promise.all(nodes.map((node) => joinClient(node.url, TOPIC, node.name)))
  return { nodes, clients }
}

async function stopCluster(cluster: Cluster | undefined): Promise<void> {
  if (cluster === undefined) return
  for (const client of cluster.clients) client.close()
  await Promise.all(cluster.nodes.map((node) => node.kill('SIGTERM')))
}

function views(clients: ClusterClient[]): string {
  return JSON.stringify(clients.map((c) => c.keys()))
}

function everyoneSees(clients: ClusterClient[], keys: string[]): () => boolean {
  return () => clients.every((c) => JSON.stringify(c.keys()) === JSON.stringify(keys))
}

function push(channel: ClusterClient['channel'], event: string, payload: object): Promise<string> {
  return new Promise((done) => {
    const sent = channel.push(event, payload)
    for (const status of ['ok', 'error', 'timeout']) sent.receive(status, () => done(status))
  })
}

function suite(
  kind: 'Redis' | 'NATS',
  port: number,
  url: (port: number) => string,
  proxied: boolean,
) {
  describe(`three nodes through ${kind}`, () => {
    let cluster: Cluster | undefined
    let proxy: TcpProxy | undefined
    let skip: { skip: string } | undefined

    before(async () => {
      skip = await requireService(kind, port)
      if (skip) return
      let brokerPort = port
      if (proxied) {
        proxy = new TcpProxy(port)
        brokerPort = await proxy.start()
      }
      cluster = await startCluster(url(brokerPort), kind.toLowerCase())
    })

    after(async () => {
      await stopCluster(cluster)
      await proxy?.close()
    })

    test('every client’s Presence lists the three nodes’ members', async (t) => {
      if (skip || !cluster) return t.skip(skip?.skip)
      const { clients } = cluster
      await until(() => views(clients), everyoneSees(clients, ['n1', 'n2', 'n3']))
    })

    test('a broadcast on one node reaches the clients of all', async (t) => {
      if (skip || !cluster) return t.skip(skip?.skip)
      const { clients } = cluster
      const [first] = clients
      assert.ok(first)
      assert.equal(await push(first.channel, 'broadcast', { from: 'n1', n: 1 }), 'ok')
      await until(
        () => JSON.stringify(clients.map((c) => c.messages)),
        () => clients.every((c) => c.messages.some((m) => (m as { n?: number }).n === 1)),
        5000,
      )
    })

    if (proxied) {
      test('after losing the broker the nodes reconnect and reconverge', async (t) => {
        if (skip || !cluster || !proxy) return t.skip(skip?.skip)
        const { nodes, clients } = cluster
        const [c1, c2] = clients
        const n2 = nodes[1]
        assert.ok(c1 && c2 && n2)
        await proxy.cut()
        // While cut off: n1's member leaves, a second member joins n2. Longer than the down
        // period, so the nodes also mark each other down and back up.
        c1.close()
        const late = await joinClient(n2.url, TOPIC, 'n2b')
        clients.push(late)
        await new Promise((done) => setTimeout(done, DOWN_PERIOD + 500))
        await proxy.restore()
        const others = clients.filter((c) => c !== c1)
        const took = await until(
          () => views(others),
          everyoneSees(others, ['n2', 'n2b', 'n3']),
          15_000,
        )
        t.diagnostic(`reconverged ${took} ms after the broker came back`)
      })
    }

    test('a node killed with SIGKILL leaves the others within the down period', async (t) => {
      if (skip || !cluster) return t.skip(skip?.skip)
      const { nodes, clients } = cluster
      const victim = nodes[2]
      assert.ok(victim)
      const survivors = clients.filter((c) => !c.closed && c.url !== victim.url)
      await until(
        () => views(survivors),
        () => survivors.every((c) => c.keys().includes('n3')),
      )
      const killedAt = Date.now()
      await victim.kill('SIGKILL')
      await until(
        () => views(survivors),
        () => survivors.every((c) => !c.keys().includes('n3')),
        10_000,
      )
      const took = Date.now() - killedAt
      t.diagnostic(`n3 left ${took} ms after SIGKILL (down period ${DOWN_PERIOD} ms)`)
      assert.ok(took <= DOWN_PERIOD + 3 * BROADCAST_PERIOD + 500, `left after ${took} ms`)
      // A quiet node heartbeats every half down period (see maxSilentPeriods), so its last
      // heartbeat may precede the kill by up to that much.
      assert.ok(
        took >= DOWN_PERIOD / 2 - BROADCAST_PERIOD,
        `not before the down period (${took} ms)`,
      )
    })
  })
}

suite('Redis', 6379, (port) => `redis://127.0.0.1:${port}`, true)
suite('NATS', 4222, (port) => `nats://127.0.0.1:${port}`, false)
