/**
 * PubSub: local fan-out and subscription churn, against the floor of a plain
 * `Map<topic, Set<fn>>`, plus the cost of a frame between nodes against a
 * bare JSON round trip. Each pair alternates in the same run.
 */
import { cpus } from 'node:os'
import { decodeFrame, encodeFrame } from '../../src/pubsub/encoding.ts'
import { type PubSub, startPubSub } from '../../src/pubsub/index.ts'

const SUBSCRIBERS = 10_000
const ROUNDS = 5

interface Pair {
  label: string
  unit: string
  cinder: () => number // ops per second
  floor: () => number
}

/** Runs `body` repeatedly for about `ms` and returns operations per second (body returns ops done). */
function rate(ms: number, body: () => number): number {
  const start = performance.now()
  let ops = 0
  let now = start
  while (now - start < ms) {
    ops += body()
    now = performance.now()
  }
  return (ops * 1000) / (now - start)
}

// The floor's loop, as a function of its own like Cinder's dispatch.
function floorBroadcast(
  topics: Map<string, Set<(m: unknown) => void>>,
  topic: string,
  message: unknown,
): void {
  const subs = topics.get(topic)
  if (subs === undefined) return
  for (const fn of subs) fn(message)
}

function fanOut(pubsub: PubSub, sink: { n: number }): Pair {
  const floorTopics = new Map<string, Set<(m: unknown) => void>>()
  const set = new Set<(m: unknown) => void>()
  floorTopics.set('room:fan', set)
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const fn = (m: unknown): void => {
      sink.n += m === null ? 0 : 1
    }
    pubsub.subscribe('room:fan', fn)
    set.add(fn)
  }
  const message = { event: 'msg', payload: { body: 'hello' } }
  return {
    label: `broadcast to ${SUBSCRIBERS.toLocaleString('en')} local function subscribers`,
    unit: 'deliveries/s',
    cinder: () =>
      rate(200, () => {
        pubsub.localBroadcast('room:fan', message)
        return SUBSCRIBERS
      }),
    floor: () =>
      rate(200, () => {
        floorBroadcast(floorTopics, 'room:fan', message)
        return SUBSCRIBERS
      }),
  }
}

function churn(pubsub: PubSub): Pair {
  const fns = Array.from({ length: 1000 }, () => (_m: unknown) => {})
  const topics = Array.from({ length: 100 }, (_, i) => `churn:${i}`)
  const floor = new Map<string, Set<(m: unknown) => void>>()
  // Every subscriber joins one topic then leaves it: 2 operations each, topics come and go.
  return {
    label: 'subscribe + unsubscribe churn (1,000 subscribers over 100 topics)',
    unit: 'operations/s',
    cinder: () =>
      rate(200, () => {
        for (let i = 0; i < fns.length; i++) {
          pubsub.subscribe(topics[i % 100] as string, fns[i] as (m: unknown) => void)
        }
        for (let i = 0; i < fns.length; i++) {
          pubsub.unsubscribe(topics[i % 100] as string, fns[i] as (m: unknown) => void)
        }
        return 2 * fns.length
      }),
    floor: () =>
      rate(200, () => {
        for (let i = 0; i < fns.length; i++) {
          const topic = topics[i % 100] as string
          let set = floor.get(topic)
          if (set === undefined) {
            set = new Set()
            floor.set(topic, set)
          }
          set.add(fns[i] as (m: unknown) => void)
        }
        for (let i = 0; i < fns.length; i++) {
          const topic = topics[i % 100] as string
          const set = floor.get(topic)
          if (set === undefined) continue
          set.delete(fns[i] as (m: unknown) => void)
          if (set.size === 0) floor.delete(topic)
        }
        return 2 * fns.length
      }),
  }
}

function frames(): Pair {
  const message = {
    event: 'new_msg',
    payload: {
      user: 'alice',
      body: 'Hello, everyone in the room! 👋',
      at: 1_732_800_000_000,
      tags: ['a', 'b'],
    },
  }
  return {
    label: 'encode + decode one broadcast frame between nodes (about 150 bytes)',
    unit: 'frames/s',
    cinder: () =>
      rate(200, () => {
        for (let i = 0; i < 100; i++)
          decodeFrame(encodeFrame('node-a', 'room:lobby', null, message))
        return 100
      }),
    floor: () =>
      rate(200, () => {
        for (let i = 0; i < 100; i++)
          JSON.parse(JSON.stringify(['node-a', 'room:lobby', null, message]))
        return 100
      }),
  }
}

function fmt(n: number): string {
  return n >= 1e6
    ? `${(n / 1e6).toFixed(2)} M`
    : n >= 1e3
      ? `${(n / 1e3).toFixed(1)} k`
      : n.toFixed(0)
}

/** Runs the scenario; returns its Markdown section. */
export async function run(): Promise<string> {
  const pubsub = await startPubSub({ name: 'bench', node: 'bench' })
  const sink = { n: 0 }
  const pairs = [fanOut(pubsub, sink), churn(pubsub), frames()]
  const rows: string[] = []
  for (const pair of pairs) {
    // Warm up both, then alternate rounds and keep each side's best.
    pair.cinder()
    pair.floor()
    let cinder = 0
    let floor = 0
    for (let i = 0; i < ROUNDS; i++) {
      cinder = Math.max(cinder, pair.cinder())
      floor = Math.max(floor, pair.floor())
    }
    rows.push(
      `| ${pair.label} | ${fmt(cinder)} ${pair.unit} | ${fmt(floor)} ${pair.unit} | ${(cinder / floor).toFixed(2)} |`,
    )
  }
  await pubsub.stop()
  return [
    '## PubSub',
    '',
    `Conditions: one Node ${process.version} process on ${cpus()[0]?.model ?? 'a cpu'}, \`local\` adapter;`,
    'each figure is the best of alternating 200 ms rounds. The floor for delivery and churn is a plain',
    '`Map<topic, Set<fn>>` doing the same work; for frames it is a bare `JSON.stringify` + `JSON.parse`',
    'of the same data. Ratio = Cinder / floor (1.00 = as fast as the floor).',
    '',
    '| operation | Cinder | floor | ratio |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n')
}
