// Metrics: the registry's exposition, and a real endpoint with sockets,
// channels, presences, broadcasts and a crash, scraped at /metrics and parsed
// with the Prometheus client's own parser.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  broadcast,
  channel,
  createEndpoint,
  createMemoryBus,
  createPresence,
  createPubSub,
  defineSocket,
  ok,
  type Presence,
  type PubSub,
  Router,
  reply,
  type SupervisedEndpoint,
  setLogger,
  startPubSub,
  text,
} from '../../src/extend.ts'
import {
  Counter,
  createMetrics,
  Gauge,
  Histogram,
  MetricRegistry,
  type Metrics,
} from '../../src/metrics/index.ts'
import { liveSnapshot } from '../../src/telemetry/index.ts'
import { join, openClient, outcome, type PhxSocket } from '../conformance/support.ts'
import { type ParsedFamily, parsePrometheus, parserMissing } from './prometheus.ts'

setLogger({ info() {}, warn() {}, error() {} })

const missing = parserMissing()
if (missing !== undefined && process.env.CI === 'true') {
  throw new Error(`${missing}; under CI=true this is a failure`)
}
const parse = { skip: missing ?? false }

function family(families: readonly ParsedFamily[], name: string): ParsedFamily {
  const found = families.find((f) => f.name === name || `${f.name}_total` === name)
  if (found === undefined)
    throw new Error(`no family ${name}; got ${families.map((f) => f.name).join(', ')}`)
  return found
}

/** The value of the sample `name` whose labels include `labels`. */
function value(
  families: readonly ParsedFamily[],
  name: string,
  labels: Record<string, string> = {},
): number {
  const base = name.replace(/_(total|bucket|sum|count)$/, '')
  const f = families.find((x) => x.name === base || x.name === name)
  const sample = f?.samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )
  if (sample === undefined) throw new Error(`no sample ${name}${JSON.stringify(labels)}`)
  return Number(sample.value)
}

describe('the registry', () => {
  test('writes counters, gauges and histograms in the text format', () => {
    const registry = new MetricRegistry({ node: 'n1' })
    const c = registry.add(new Counter({ name: 'x_total', help: 'Things', labels: ['kind'] }))
    const g = registry.add(new Gauge({ name: 'y', help: 'Level' }))
    const h = registry.add(
      new Histogram({ name: 'z_seconds', help: 'Time', labels: [], buckets: [0.1, 1] }),
    )
    c.inc({ kind: 'a' })
    c.inc({ kind: 'a' }, 2)
    g.set({}, 1.5)
    h.observe({}, 0.05)
    h.observe({}, 0.5)
    h.observe({}, 5)
    assert.equal(
      registry.expose(),
      [
        '# HELP x_total Things',
        '# TYPE x_total counter',
        'x_total{node="n1",kind="a"} 3',
        '# HELP y Level',
        '# TYPE y gauge',
        'y{node="n1"} 1.5',
        '# HELP z_seconds Time',
        '# TYPE z_seconds histogram',
        'z_seconds_bucket{node="n1",le="0.1"} 1',
        'z_seconds_bucket{node="n1",le="1"} 2',
        'z_seconds_bucket{node="n1",le="+Inf"} 3',
        'z_seconds_sum{node="n1"} 5.55',
        'z_seconds_count{node="n1"} 3',
        '',
      ].join('\n'),
    )
  })

  test('label values and help texts are escaped so a parser reads them back', parse, () => {
    const registry = new MetricRegistry()
    const g = registry.add(
      new Gauge({ name: 'odd', help: 'back\\slash\nnewline', labels: ['topic'] }),
    )
    g.set({ topic: 'room:"quoted"\\back\nline' }, Number.POSITIVE_INFINITY)
    const [parsed] = parsePrometheus(registry.expose())
    assert.equal(parsed?.documentation, 'back\\slash\nnewline')
    assert.deepEqual(parsed?.samples[0], {
      name: 'odd',
      labels: { topic: 'room:"quoted"\\back\nline' },
      value: '+Inf',
    })
  })

  test('refuses bad names, label names, duplicates and unordered buckets', () => {
    const registry = new MetricRegistry()
    assert.throws(() => new Gauge({ name: '1bad', help: '' }), {
      code: 'CINDER_ERR_METRICS_OPTIONS',
    })
    assert.throws(() => new Gauge({ name: 'ok', help: '', labels: ['le'] }), {
      code: 'CINDER_ERR_METRICS_OPTIONS',
    })
    assert.throws(() => new Histogram({ name: 'h', help: '', buckets: [1, 1] }), {
      code: 'CINDER_ERR_METRICS_OPTIONS',
    })
    registry.add(new Gauge({ name: 'g', help: '' }))
    assert.throws(() => registry.add(new Gauge({ name: 'g', help: '' })), {
      code: 'CINDER_ERR_METRICS_OPTIONS',
    })
    assert.throws(() => createMetrics({ sampleInterval: 0 }), {
      code: 'CINDER_ERR_METRICS_OPTIONS',
    })
  })
})

describe('a node scraped at /metrics', () => {
  let pubsub: PubSub
  let presence: Presence
  let metrics: Metrics
  let endpoint: SupervisedEndpoint
  let url: string
  const clients: PhxSocket[] = []

  before(async () => {
    pubsub = createPubSub({ name: 'metrics-test', node: 'metrics-node' })
    presence = createPresence({ pubsub, name: 'metrics-presence' })
    metrics = createMetrics({ pubsub, presences: [presence], sampleInterval: 50 })
    const Sockets = defineSocket({
      channels: [
        channel('room:*', {
          name: 'Room',
          join(_topic, params, socket) {
            if (typeof params.user === 'string') presence.track(socket, params.user, {})
            return ok(socket)
          },
          handleIn(event, payload, socket) {
            if (event === 'crash') throw new Error('asked to crash')
            broadcast(socket, 'said', payload)
            return reply('ok', socket)
          },
        }),
      ],
    })
    const router = new Router().get('/hello', (conn) => text(conn, 'hi'))
    endpoint = createEndpoint({
      port: 0,
      pubsub,
      router,
      requestLog: false,
      plugs: [metrics.plug],
      sockets: [{ path: '/socket', socket: Sockets, websocket: { checkOrigin: false } }],
    })
    await pubsub.start()
    await presence.start()
    metrics.start()
    await endpoint.start()
    url = `http://127.0.0.1:${endpoint.port}`
  })

  after(async () => {
    for (const client of clients) client.disconnect()
    metrics.stop()
    await endpoint.stop()
    await presence.stop()
    await pubsub.stop()
  })

  async function scrape(): Promise<{ text: string; families: ParsedFamily[] }> {
    const response = await fetch(`${url}/metrics`)
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8')
    const body = await response.text()
    return { text: body, families: parsePrometheus(body) }
  }

  test(
    'counts sockets, channels, joins, traffic, presences, broadcasts and crashes',
    parse,
    async () => {
      const socketUrl = `ws://127.0.0.1:${endpoint.port}/socket`
      for (let i = 0; i < 2; i++) clients.push(await openClient(socketUrl))
      const [a, b] = clients as [PhxSocket, PhxSocket]
      const room = await join(a, 'room:one', { user: 'ada' })
      await join(b, 'room:one')
      const doomed = await join(b, 'room:two')
      assert.equal((await outcome(room.push('say', { text: 'hello' })))[0], 'ok')
      doomed.push('crash', {})
      await new Promise((resolve) => setTimeout(resolve, 100))
      await fetch(`${url}/hello`)

      const { text: body, families } = await scrape()
      assert.equal(value(families, 'cinder_sockets', { transport: 'websocket' }), 2)
      assert.equal(
        value(families, 'cinder_channels', { transport: 'websocket' }),
        2,
        'room:two crashed',
      )
      assert.equal(
        value(families, 'cinder_channel_joins_total', { transport: 'websocket', result: 'ok' }),
        3,
      )
      assert.equal(value(families, 'cinder_channel_crashes_total', { transport: 'websocket' }), 1)
      assert.ok(value(families, 'cinder_process_crashes_total') >= 1)
      assert.ok(value(families, 'cinder_messages_in_total', { transport: 'websocket' }) >= 4)
      assert.ok(value(families, 'cinder_messages_out_total', { transport: 'websocket' }) >= 5)
      assert.ok(value(families, 'cinder_bytes_out_total', { transport: 'websocket' }) > 100)
      assert.equal(
        value(families, 'cinder_presences', { tracker: 'metrics-presence', scope: 'local' }),
        1,
      )
      assert.equal(value(families, 'cinder_presence_topics', { tracker: 'metrics-presence' }), 1)
      assert.ok(value(families, 'cinder_broadcasts_total', { scope: 'cluster' }) >= 1)
      assert.ok(
        value(families, 'cinder_broadcast_fanout_bucket', { le: '2' }) >= 1,
        'two subscribers reached',
      )
      assert.equal(
        value(families, 'cinder_pubsub_up', { pubsub: 'metrics-test', adapter: 'local' }),
        1,
      )
      assert.equal(
        value(families, 'cinder_http_request_duration_seconds_count', {
          method: 'GET',
          status: '2xx',
        }),
        1,
      )
      assert.ok(value(families, 'cinder_processes') > 5)
      assert.ok(value(families, 'cinder_memory_bytes', { kind: 'heap_used' }) > 1e6)
      assert.ok(value(families, 'cinder_uptime_seconds') > 0)
      assert.equal(family(families, 'cinder_event_loop_delay_seconds').type, 'gauge')
      assert.equal(value(families, 'cinder_node_info', { nodejs: process.version }), 1)
      assert.match(body, /cinder_node_info\{node="metrics-node",cinder="\d+\.\d+\.\d+"/)
      for (const f of families) {
        for (const sample of f.samples)
          assert.equal(sample.labels.node, 'metrics-node', `${sample.name} has node`)
      }
      checkHistograms(families)
    },
  )

  test('every family has a help text, and the histograms are cumulative', parse, async () => {
    const { families } = await scrape()
    assert.ok(families.length >= 30)
    for (const f of families) assert.ok(f.documentation.length > 0, `${f.name} has help`)
    checkHistograms(families)
  })

  test('the sampler keeps the last minutes: gauges as they were, counters as rates', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200))
    const latest = metrics.history.latest()
    assert.ok(latest !== undefined)
    assert.ok(metrics.history.size >= 2)
    assert.equal(latest.sockets, 2)
    assert.equal(latest.presences, 1)
    const { times, series } = metrics.history.snapshot(['sockets', 'messagesInPerSecond'])
    assert.equal(times.length, metrics.history.size)
    assert.equal(series.sockets?.length, times.length)
    assert.ok(times.every((t, i) => i === 0 || t >= (times[i - 1] ?? 0)))
  })

  test('a request other than GET /metrics passes through the plug', async () => {
    assert.equal(await (await fetch(`${url}/hello`)).text(), 'hi')
    assert.equal((await fetch(`${url}/metrics`, { method: 'POST' })).status, 404)
  })
})

test('the PubSub probe measures the round trip to each other node', async () => {
  const bus = createMemoryBus()
  const a = await startPubSub({ name: 'probe', node: 'a', adapter: bus.adapter() })
  const b = await startPubSub({ name: 'probe', node: 'b', adapter: bus.adapter() })
  const ma = createMetrics({ pubsub: a, sampleInterval: 20, probeInterval: 20 })
  const mb = createMetrics({ pubsub: b, sampleInterval: 20, probeInterval: 20 })
  ma.start()
  mb.start()
  try {
    for (let i = 0; i < 100 && ma.peers.length === 0; i++)
      await new Promise((r) => setTimeout(r, 10))
    assert.deepEqual(
      ma.peers.map((p) => p.peer),
      ['b'],
    )
    assert.ok((ma.peers[0]?.roundTrip ?? -1) >= 0)
    assert.match(
      ma.expose(),
      /cinder_pubsub_round_trip_seconds\{node="a",pubsub="probe",peer="b"\} \d/,
    )
    assert.match(ma.expose(), /cinder_pubsub_up\{node="a",pubsub="probe",adapter="memory"\} 1/)
  } finally {
    ma.stop()
    mb.stop()
    await Promise.all([a.stop(), b.stop()])
  }
})

/** Buckets only grow, end at +Inf, and +Inf equals _count. */
function checkHistograms(families: readonly ParsedFamily[]): void {
  for (const f of families.filter((x) => x.type === 'histogram')) {
    const bySeries = new Map<string, { buckets: number[]; inf?: number; count?: number }>()
    for (const s of f.samples) {
      const { le, ...rest } = s.labels
      const key = JSON.stringify(rest)
      const entry = bySeries.get(key) ?? { buckets: [] }
      bySeries.set(key, entry)
      if (s.name.endsWith('_bucket') && le === '+Inf') entry.inf = Number(s.value)
      else if (s.name.endsWith('_bucket')) entry.buckets.push(Number(s.value))
      else if (s.name.endsWith('_count')) entry.count = Number(s.value)
    }
    for (const [key, entry] of bySeries) {
      const sorted = [...entry.buckets].sort((x, y) => x - y)
      assert.deepEqual(entry.buckets, sorted, `${f.name}${key} buckets are cumulative`)
      assert.equal(entry.inf, entry.count, `${f.name}${key}: +Inf equals _count`)
    }
  }
}

test('the event loop delay shows a handler that blocks the loop, and only then', async () => {
  const metrics = createMetrics({ sampleInterval: 60_000 })
  metrics.start()
  try {
    await new Promise((resolve) => setTimeout(resolve, 100))
    metrics.runtime.rotate()
    assert.ok(metrics.runtime.loopDelay.p50 < 0.02, `idle p50 ${metrics.runtime.loopDelay.p50}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
    const until = Date.now() + 150
    while (Date.now() < until) {
      // A handler that blocks the loop for 150 ms.
    }
    await new Promise((resolve) => setTimeout(resolve, 30))
    metrics.runtime.rotate()
    assert.ok(metrics.runtime.loopDelay.max >= 0.12, `max ${metrics.runtime.loopDelay.max}`)
  } finally {
    metrics.stop()
  }
})

test('LiveView snapshots are counted by outcome', async () => {
  const metrics = createMetrics({ sampleInterval: 60_000 })
  metrics.start()
  try {
    const event = { view: 'Draft', id: 'phx-x', bytes: 10 }
    liveSnapshot.publish({ ...event, outcome: 'saved' })
    liveSnapshot.publish({ ...event, outcome: 'saved' })
    liveSnapshot.publish({ ...event, outcome: 'refused' })
    const body = metrics.expose()
    assert.match(body, /^cinder_live_snapshots_total\{[^}]*outcome="saved"[^}]*\} 2$/m)
    assert.match(body, /^cinder_live_snapshots_total\{[^}]*outcome="refused"[^}]*\} 1$/m)
  } finally {
    metrics.stop()
  }
})
