// Every Cinder event, subscribed to on node:diagnostics_channel while a real
// server (the conformance server: HTTP, sockets, channels, presence, the
// LiveView fixtures) or a real supervisor does the work, with its payload
// checked. The names are those of docs/observability.md.
import assert from 'node:assert/strict'
import { subscribe as subscribeRaw, unsubscribe as unsubscribeRaw } from 'node:diagnostics_channel'
import { type Socket as NetSocket, connect as tcpConnect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import {
  childSpec,
  createMemoryBus,
  send,
  setLogger,
  startPubSub,
  startSupervisor,
  stopProcess,
  whichChildren,
} from '../../src/extend.ts'
import * as events from '../../src/telemetry/index.ts'
import { connectLive } from '../../src/testing/index.ts'
import {
  delay,
  join,
  openClient,
  outcome,
  type RawClient,
  rawClient,
  type Server,
  startServer,
} from '../conformance/support.ts'

setLogger({ info() {}, warn() {}, error() {} })

const SPANS = [
  events.endpointRequest,
  events.routerDispatch,
  events.socketConnect,
  events.channelJoin,
  events.channelHandleIn,
  events.liveMount,
  events.liveHandleParams,
  events.liveHandleEvent,
  events.liveRender,
] as const
const POINTS = [
  events.channelLeave,
  events.channelCrash,
  events.pubsubBroadcast,
  events.pubsubReceive,
  events.presenceTrack,
  events.presenceUntrack,
  events.presenceDiff,
  events.processCrash,
  events.processRestart,
  events.supervisorIntensity,
  events.socketOverload,
] as const

// biome-ignore lint/suspicious/noExplicitAny: payloads are checked field by field
type Seen = { readonly name: string; readonly data: any; readonly phase: string }

/** Subscribes to every event: spans at start and at their end, points as they come. */
function record() {
  const seen: Seen[] = []
  const offs = [
    ...SPANS.map((span) =>
      events.subscribeSpan(span as events.Span<object>, {
        start: (data) => seen.push({ name: span.name, data, phase: 'start' }),
        stop: (data) => seen.push({ name: span.name, data, phase: 'stop' }),
      }),
    ),
    ...POINTS.map((point) =>
      events.subscribePoint(point as events.Point<unknown>, (data) =>
        seen.push({ name: point.name, data, phase: 'point' }),
      ),
    ),
  ]
  return {
    seen,
    /** The events named `name` (span ends by default). */
    of(
      name: string,
      phase = name.includes(':') && SPANS.some((s) => s.name === name) ? 'stop' : 'point',
    ) {
      return seen.filter((e) => e.name === name && e.phase === phase).map((e) => e.data)
    },
    async until(name: string, match: (data: Seen['data']) => boolean = () => true) {
      for (let i = 0; i < 200; i++) {
        const found = this.of(name).find(match)
        if (found !== undefined) return found
        await delay(10)
      }
      throw new Error(`no ${name} event came; saw ${seen.map((e) => e.name).join(', ')}`)
    },
    stop() {
      for (const off of offs) off()
    },
  }
}

describe('events of a running server', () => {
  let server: Server
  let http: string
  before(async () => {
    server = await startServer({ limits: { messagesPerSecond: 50, messageBurst: 5 } })
    http = `http://127.0.0.1:${server.port}`
  })
  after(() => server.stop())

  test('nothing subscribes by default, so no emitter builds a payload', () => {
    for (const e of [...SPANS, ...POINTS]) assert.equal(e.hasSubscribers, false, e.name)
  })

  test('cinder:endpoint:request and cinder:router:dispatch', async () => {
    const r = record()
    const response = await fetch(`${http}/hello`)
    assert.equal(response.status, 200)
    const request = await r.until('cinder:endpoint:request')
    r.stop()
    assert.equal(request.method, 'GET')
    assert.equal(request.path, '/hello')
    assert.equal(request.status, 200)
    assert.ok(request.duration >= 0 && request.startTime > 0)
    assert.ok(typeof request.conn === 'object')
    const [dispatch] = r.of('cinder:router:dispatch')
    assert.equal(dispatch.router, 'ConformanceRouter')
    assert.equal(dispatch.route, '/hello')
    assert.equal(dispatch.kind, 'action')
    assert.equal(dispatch.method, 'GET')
    assert.equal(r.of('cinder:endpoint:request', 'start').length, 1, 'start came too')
  })

  test('socket connect, channel join, handle_in, broadcast and leave', async () => {
    const r = record()
    const socket = await openClient(server.url)
    const channel = await join(socket, 'room:events')
    assert.equal((await outcome(channel.push('ping', { n: 1 })))[0], 'ok')
    assert.equal((await outcome(channel.push('broadcast', { n: 2 })))[0], 'ok')
    await outcome(channel.leave())
    const leave = await r.until('cinder:channel:leave')
    const denied = socket.channel('room:denied', { deny: true })
    assert.equal((await outcome(denied.join()))[0], 'error')
    socket.disconnect()
    r.stop()

    const [connect] = r.of('cinder:socket:connect')
    assert.deepEqual([connect.transport, connect.vsn, connect.result], ['websocket', '2.0.0', 'ok'])
    const joins = r.of('cinder:channel:join')
    assert.deepEqual(
      joins.map((j) => [j.topic, j.channel, j.transport, j.socketId, j.result]),
      [
        ['room:events', 'RoomChannel', 'websocket', null, 'ok'],
        ['room:denied', 'RoomChannel', 'websocket', null, 'error'],
      ],
    )
    assert.deepEqual(joins[1].params, { deny: true })
    const pushes = r.of('cinder:channel:handle_in')
    assert.deepEqual(
      pushes.map((p) => [p.topic, p.event, p.payload]),
      [
        ['room:events', 'ping', { n: 1 }],
        ['room:events', 'broadcast', { n: 2 }],
      ],
    )
    const broadcast = r.of('cinder:pubsub:broadcast').find((b) => b.topic === 'room:events')
    assert.equal(broadcast.scope, 'cluster')
    assert.equal(broadcast.dispatcher, 'cinder.fastlane')
    assert.equal(broadcast.subscribers, 1)
    assert.equal(broadcast.pubsub, server.endpoint.pubsub.name)
    assert.deepEqual(
      [leave.topic, leave.graceful, leave.reason],
      ['room:events', true, { shutdown: 'left' }],
    )
  })

  test('a refused connect ends its span with the refusal', async () => {
    const r = record()
    await assert.rejects(rawClient(`${server.url}/websocket?vsn=2.0.0&reject=1`), /HTTP 403/)
    const connect = await r.until('cinder:socket:connect')
    r.stop()
    assert.equal(connect.result, 'refused')
  })

  test('a channel crash: cinder:channel:crash, cinder:process:crash, and a leave that is not graceful', async () => {
    const r = record()
    const socket = await openClient(server.url)
    const channel = await join(socket, 'room:crashy')
    channel.push('crash', {})
    const crash = await r.until('cinder:channel:crash')
    const leave = await r.until('cinder:channel:leave', (l) => l.topic === 'room:crashy')
    const processCrash = await r.until('cinder:process:crash')
    socket.disconnect()
    r.stop()
    assert.equal(crash.topic, 'room:crashy')
    assert.equal(crash.channel, 'RoomChannel')
    assert.match(String(crash.reason), /crash requested by the client/)
    assert.equal(leave.graceful, false)
    assert.match(processCrash.name, /RoomChannel "room:crashy"/)
    assert.match(String(processCrash.pid), /^<.+\.\d+>$/)
  })

  test('presence track, diff and untrack', async () => {
    const r = record()
    const socket = await openClient(server.url)
    const channel = await join(socket, 'room:lobby-events', { track: 'ada' })
    const track = await r.until('cinder:presence:track')
    const joined = await r.until('cinder:presence:diff', (d) => d.joins === 1)
    await outcome(channel.leave())
    const untrack = await r.until('cinder:presence:untrack')
    const left = await r.until('cinder:presence:diff', (d) => d.leaves === 1)
    socket.disconnect()
    r.stop()
    assert.equal(track.topic, 'room:lobby-events')
    assert.equal(track.key, 'ada')
    assert.deepEqual(track.meta.name, 'ada')
    assert.match(track.pid, /^<.+\.\d+>$/)
    assert.equal(typeof track.tracker, 'string')
    assert.equal(joined.topic, 'room:lobby-events')
    assert.deepEqual([untrack.pid, untrack.removed], [track.pid, 1])
    assert.equal(left.topic, 'room:lobby-events')
  })

  test('LiveView mount (dead and connected), handle_params, handle_event and render with its diff size', async () => {
    const r = record()
    const view = await connectLive(`${http}/lv/counter`)
    await view.click('#inc')
    await view.close()
    const renders = r.of('cinder:live:render')
    r.stop()
    const mounts = r.of('cinder:live:mount')
    assert.deepEqual(
      mounts.map((m) => m.connected),
      [false, true],
    )
    assert.equal(mounts[1].view, mounts[0].view)
    assert.match(mounts[1].uri, /\/lv\/counter$/)
    assert.equal(typeof mounts[1].id, 'string')
    const [event] = r.of('cinder:live:handle_event')
    assert.equal(event.event, 'inc')
    assert.deepEqual(event.value, { step: '1', value: '' })
    assert.ok(renders.length >= 2, 'the join render and the one after the click')
    for (const render of renders) {
      assert.equal(render.view, mounts[1].view)
      assert.ok(render.diffBytes > 0 && render.duration >= 0)
    }
    assert.ok(
      (renders[0]?.diffBytes ?? 0) > (renders.at(-1)?.diffBytes ?? 0),
      'the join sends more',
    )
    assert.ok(r.of('cinder:live:handle_params').length <= 2, 'only views with handleParams run it')
  })

  test('overload: rate limit and expired credentials close with 1008', async () => {
    const r = record()
    const flood = await rawClient(`${server.url}/websocket?vsn=2.0.0`)
    for (let i = 0; i < 100; i++) flood.send([null, String(i), 'phoenix', 'heartbeat', {}])
    assert.equal((await flood.closed).code, 1008)
    const expiring = await rawClient(`${server.url}/websocket?vsn=2.0.0&ttl=50`)
    assert.equal((await expiring.closed).code, 1008)
    r.stop()
    const reasons = r.of('cinder:socket:overload').map((o) => [o.transport, o.reason, o.code])
    assert.deepEqual(reasons.sort(), [
      ['websocket', 'credentials_expired', 1008],
      ['websocket', 'rate_limit', 1008],
    ])
  })

  test('overload: an HTTP request with too many headers (431)', async () => {
    const r = record()
    const status = await rawHttp(server.port, 101)
    r.stop()
    assert.match(status, /^HTTP\/1.1 431/)
    assert.deepEqual(r.of('cinder:socket:overload')[0], {
      transport: 'http',
      reason: 'too_many_headers',
      code: 431,
    })
  })
})

test('overload: a slow consumer is dropped (cinder:socket:overload slow_consumer)', async () => {
  const server = await startServer({ maxQueuedBytes: 16 * 1024 })
  const r = record()
  try {
    const client = await rawClient(`${server.url}/websocket?vsn=2.0.0`)
    client.send(['1', '1', 'room:slow', 'phx_join', {}])
    await client.next()
    rawSocket(client).pause()
    const payload = { blob: 'p'.repeat(60 * 1024) }
    for (let tick = 0; tick < 300 && r.of('cinder:socket:overload').length === 0; tick++) {
      for (let i = 0; i < 5; i++) client.send(['1', String(i), 'room:slow', 'ping', payload])
      await delay(10)
    }
    const [overload] = r.of('cinder:socket:overload')
    assert.deepEqual(overload, { transport: 'websocket', reason: 'slow_consumer', code: 1008 })
    rawSocket(client).resume()
    await client.closed
  } finally {
    r.stop()
    await server.stop()
  }
})

test('cinder:pubsub:receive: a broadcast from another node', async () => {
  const bus = createMemoryBus()
  const a = await startPubSub({ name: 'events-rx', node: 'a', adapter: bus.adapter() })
  const b = await startPubSub({ name: 'events-rx', node: 'b', adapter: bus.adapter() })
  b.subscribe('t', () => {})
  const r = record()
  a.broadcast('t', { hello: 'b' })
  const received = await r.until('cinder:pubsub:receive')
  b.localBroadcast('t', 'here only')
  r.stop()
  assert.deepEqual(
    { ...received, bytes: received.bytes > 0 },
    {
      pubsub: 'events-rx',
      node: 'b',
      origin: 'a',
      topic: 't',
      dispatcher: null,
      subscribers: 1,
      bytes: true,
    },
  )
  const sent = r.of('cinder:pubsub:broadcast')
  assert.deepEqual(
    sent.map((s) => [s.node, s.scope, s.subscribers]),
    [
      ['a', 'cluster', 0],
      ['b', 'local', 1],
    ],
  )
  await Promise.all([a.stop(), b.stop()])
})

test('supervision: cinder:process:restart, then cinder:supervisor:intensity when it gives up', async () => {
  const failing = {
    init: () => null,
    handleInfo: () => {
      throw new Error('boom')
    },
  }
  const r = record()
  const sup = await startSupervisor([childSpec('worker', failing, null)], {
    maxRestarts: 1,
    maxSeconds: 5,
  })
  const crashes = async () => {
    const [child] = await whichChildren(sup)
    if (child?.pid !== undefined) send(child.pid, 'crash')
  }
  await crashes()
  const restart = await r.until('cinder:process:restart')
  await crashes()
  const intensity = await r.until('cinder:supervisor:intensity')
  r.stop()
  assert.deepEqual(restart.children, ['worker'])
  assert.equal(restart.strategy, 'one_for_one')
  assert.match(String(restart.reason), /boom/)
  assert.equal(restart.supervisor, sup)
  assert.deepEqual([intensity.supervisor, intensity.maxRestarts, intensity.maxSeconds], [sup, 1, 5])
  await stopProcess(sup).catch(() => {})
})

test("spans follow Node's TracingChannel protocol: raw subscribers see start, end, asyncStart, asyncEnd", async () => {
  const server = await startServer()
  const phases: string[] = []
  const names = ['start', 'end', 'asyncStart', 'asyncEnd'] as const
  const listeners = names.map((phase) => {
    const fn = (ctx: unknown) => {
      if ((ctx as { topic?: string }).topic === 'room:raw') phases.push(phase)
    }
    subscribeRaw(`tracing:cinder:channel:join:${phase}`, fn)
    return () => unsubscribeRaw(`tracing:cinder:channel:join:${phase}`, fn)
  })
  try {
    const socket = await openClient(server.url)
    await join(socket, 'room:raw')
    socket.disconnect()
    // The room channel's join answers synchronously: start and end only.
    assert.deepEqual(phases, ['start', 'end'])
  } finally {
    for (const off of listeners) off()
    await server.stop()
  }
})

function rawSocket(client: RawClient): NetSocket {
  return (client.ws as unknown as { _socket: NetSocket })._socket
}

/** Sends a GET with `headers` extra header lines; resolves with the status line. */
function rawHttp(port: number, headers: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1')
    let data = ''
    socket.on('data', (chunk) => {
      data += String(chunk)
    })
    socket.on('close', () => resolve(data.split('\r\n', 1)[0] ?? ''))
    socket.on('error', reject)
    const lines = Array.from({ length: headers }, (_, i) => `x-h${i}: ${i}`)
    socket.write(`GET /hello HTTP/1.1\r\nhost: x\r\n${lines.join('\r\n')}\r\n\r\n`)
  })
}
