/**
 * Durable topics (docs/durability.md):
 *
 * (a) fan-out on a durable topic against a plain one, on the same Cinder
 *     server (the conformance server: `durable:*` is durable, `room:*` is
 *     not, with the default in-memory history), 10,000 subscribers each,
 *     the two taking turns: time until the last subscriber has each
 *     broadcast. Target: durable ≤ 1.3× plain.
 * (b) memory per durable topic, in this process: the heap a topic's
 *     history holds once full (100 messages of ~100 bytes) and with one
 *     message.
 *
 * Scale with BENCH_QUICK=1 or BENCH_DURABLE_SOCKETS / BENCH_DURABLE_BROADCASTS.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { createPubSub } from '../../src/extend.ts'
import type { DurableFigures } from '../charts/shapes.ts'
import { figure, recordFigures } from '../figures.ts'
import { type LoadClient, openClient } from '../load/clients.ts'
import { collectFanout, publishFanout } from '../load/fanout.ts'
import { LoadGenerator } from '../load/generator.ts'
import { ServerProcess } from '../load/server-process.ts'
import { median } from '../load/stats.ts'

function config() {
  const quick = process.env.BENCH_QUICK === '1'
  const env = (name: string, fallback: number) => {
    const value = Number(process.env[name])
    return Number.isFinite(value) && value > 0 ? Math.round(value) : fallback
  }
  return {
    sockets: env('BENCH_DURABLE_SOCKETS', quick ? 1_000 : 10_000),
    broadcasts: env('BENCH_DURABLE_BROADCASTS', quick ? 5 : 20),
    rounds: quick ? 1 : 2,
    intervalMs: 500,
    workers: 4,
    topics: quick ? 200 : 2_000,
  }
}
type Config = ReturnType<typeof config>

function log(message: string): void {
  console.log(`  durable: ${message}`)
}

/** Median and each broadcast's last-delivery time on `topic`, ms; lost deliveries. */
async function fanout(
  server: ServerProcess,
  load: LoadGenerator,
  cfg: Config,
  topic: string,
): Promise<{ lastMs: number[]; lost: number }> {
  const joined = await load.connect(server.target, { count: cfg.sockets, topicPrefix: topic })
  if (joined.failed > 0) throw new Error(`${joined.failed} clients failed to join ${topic}`)
  const publisher: LoadClient = await openClient(server.target, '127.0.0.1')
  await publisher.join(topic)
  try {
    await publishFanout(publisher, 2, cfg.intervalMs) // warm-up
    await sleep(cfg.intervalMs * 2)
    await load.resetDeliveries()
    await publishFanout(publisher, cfg.broadcasts, cfg.intervalMs)
    const { lastMs, lost } = await collectFanout(load, cfg.sockets, cfg.broadcasts, 10_000)
    log(`${topic}: median last delivery ${median(lastMs).toFixed(1)} ms, lost ${lost}`)
    return { lastMs, lost }
  } finally {
    publisher.close()
    await load.closeClients()
  }
}

/** Heap bytes per durable topic holding `messages` messages each. */
async function memoryPerTopic(topics: number, messages: number): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc
  const pubsub = createPubSub({ name: `bench-durable-${messages}`, logger: quietLogger })
  await pubsub.start()
  pubsub.durable('mem:*', { maxMessages: 100, maxAgeMs: 600_000 })
  gc?.()
  const before = process.memoryUsage().heapUsed
  const body = 'x'.repeat(80)
  for (let t = 0; t < topics; t++) {
    for (let m = 0; m < messages; m++) {
      const topic = `mem:${t}`
      pubsub.broadcast(topic, { kind: 'broadcast', topic, event: 'msg', payload: { seq: m, body } })
    }
  }
  gc?.()
  const perTopic = (process.memoryUsage().heapUsed - before) / topics
  await pubsub.stop()
  return perTopic
}

const quietLogger = { info() {}, warn() {}, error() {} }

/** Runs the scenario and returns its Markdown section. */
export async function run(): Promise<string> {
  const cfg = config()
  const load = new LoadGenerator(cfg.workers)
  const plain: number[] = []
  const durable: number[] = []
  let lost = 0
  const server = await ServerProcess.start('cinder')
  try {
    await load.ready()
    for (let round = 0; round < cfg.rounds; round++) {
      // Alternate which goes first, so neither always meets a warmer server.
      const order = round % 2 === 0 ? ['room:fan', 'durable:fan'] : ['durable:fan', 'room:fan']
      for (const topic of order) {
        const result = await fanout(server, load, cfg, `${topic}${round}`)
        ;(topic === 'room:fan' ? plain : durable).push(...result.lastMs)
        lost += result.lost
      }
    }
  } finally {
    await load.stop()
    await server.stop()
  }
  const full = await memoryPerTopic(cfg.topics, 100)
  const one = await memoryPerTopic(cfg.topics, 1)
  const ratio = median(durable) / median(plain)
  recordFigures('durable', {
    subscribers: cfg.sockets,
    broadcasts: cfg.broadcasts,
    rounds: cfg.rounds,
    plainLastMedianMs: figure(median(plain)),
    durableLastMedianMs: figure(median(durable)),
    lost,
    topics: cfg.topics,
    kibPerTopicFull: figure(full / 1024),
    kibPerTopicOne: figure(one / 1024),
  } satisfies DurableFigures)
  return [
    '## Durable topics: fan-out and memory',
    '',
    `${cfg.sockets.toLocaleString('en')} subscribers on one topic, ${cfg.broadcasts} broadcasts ${cfg.intervalMs} ms apart, ${cfg.rounds} round(s) alternating plain and durable (in-memory history), one Cinder server.`,
    '',
    '| measure | plain | durable | ratio | target | verdict |',
    '|---|---:|---:|---:|---:|---|',
    `| fan-out, median last delivery | ${median(plain).toFixed(1)} ms | ${median(durable).toFixed(1)} ms | ${ratio.toFixed(2)}× | ≤ 1.30× | ${ratio <= 1.3 ? 'pass' : '**fail**'} |`,
    `| lost deliveries | | ${lost} | | 0 | ${lost === 0 ? 'pass' : '**fail**'} |`,
    '',
    `Memory per durable topic (heap, in-memory history, messages of ~100 bytes, ${cfg.topics.toLocaleString('en')} topics): ${(full / 1024).toFixed(1)} KiB with its 100 messages kept, ${(one / 1024).toFixed(2)} KiB with one.`,
    '',
  ].join('\n')
}
