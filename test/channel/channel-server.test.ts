// The channel server on a fake socket host: ordering of async callbacks,
// result checks, replies, stop and crash reasons, intercepts.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Channel } from '../../src/channel/channel.ts'
import { type ChannelHost, ChannelServer } from '../../src/channel/channel-server.ts'
import {
  assign,
  broadcast,
  push,
  replyToPush,
  socketRef,
} from '../../src/channel/channel-socket.ts'
import { registerFastlane } from '../../src/channel/fastlane.ts'
import { error, ok } from '../../src/channel/results.ts'
import { noreply, reply, self, send, setLogger, stop } from '../../src/process/index.ts'
import { type PubSub, startPubSub } from '../../src/pubsub/index.ts'
import type { Message } from '../../src/wire/message.ts'
import { v2Json } from '../../src/wire/serializer.ts'

let pubsub: PubSub
// Crashes are logged once, by the process runtime: keep its lines for assertions.
const runtimeLines: string[] = []
const restoreLogger = setLogger({ info() {}, warn() {}, error: (m) => runtimeLines.push(m) })
after(() => restoreLogger())
before(async () => {
  pubsub = await startPubSub({ name: 'channel-server-test', logger: silent() })
  registerFastlane(pubsub)
})
after(() => pubsub.stop())

function silent() {
  const lines: string[] = []
  return {
    lines,
    info: (m: string) => lines.push(m),
    warn: (m: string) => lines.push(m),
    error: (m: string) => lines.push(m),
  }
}

function host() {
  const frames: unknown[] = []
  const exits: unknown[] = []
  const logger = silent()
  const h: ChannelHost & { frames: unknown[]; exits: unknown[]; lines: string[] } = {
    frames,
    exits,
    lines: logger.lines,
    serializer: v2Json,
    connection: { push: (f) => frames.push(JSON.parse(String(f))), close() {} },
    pubsub,
    logger,
    id: null,
    transport: 'websocket',
    assigns: { base: 1 },
    channelExited: (_c, reason) => exits.push(reason),
  }
  return h
}

async function started(channel: Channel<Record<string, unknown>>, topic = 'room:t') {
  const h = host()
  const server = new ChannelServer(h, channel as Channel<object>, 'Test', topic, '1')
  const outcome = await server.start({}, '1').catch(() => 'crashed')
  h.frames.shift() // the join reply, checked where it matters
  return { h, server, outcome }
}

const msg = (event: string, ref: string, payload: Record<string, unknown> = {}): Message => ({
  joinRef: '1',
  ref,
  topic: 'room:t',
  event,
  payload,
})
const tick = () => new Promise((r) => setTimeout(r, 10))
/** Waits until `ready()` holds (or 2 s pass), so tests do not depend on timing. */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ready(); i++) await tick()
}

test('async handleIn callbacks run one at a time, in order, replies keep that order', async () => {
  const order: string[] = []
  const { h, server } = await started({
    join: (_t, _p, s) => ok(s),
    async handleIn(event, _payload, socket) {
      order.push(`start ${event}`)
      await new Promise((r) => setTimeout(r, event === 'slow' ? 20 : 1))
      order.push(`end ${event}`)
      return reply(['ok', { event }], socket)
    },
  })
  server.clientPush(msg('slow', '2'))
  server.clientPush(msg('fast', '3'))
  await until(() => h.frames.length >= 2)
  assert.deepEqual(order, ['start slow', 'end slow', 'start fast', 'end fast'])
  assert.deepEqual(h.frames, [
    ['1', '2', 'room:t', 'phx_reply', { status: 'ok', response: { event: 'slow' } }],
    ['1', '3', 'room:t', 'phx_reply', { status: 'ok', response: { event: 'fast' } }],
  ])
})

test('a wrong result shape crashes with a message listing the accepted shapes', async () => {
  const { h, server } = await started({
    join: (_t, _p, s) => ok(s),
    handleIn: () => ({ reply: 'ok' }) as never,
  })
  server.clientPush(msg('x', '2'))
  await until(() => h.exits.length >= 1)
  assert.equal(h.exits.length, 1)
  assert.match(String(h.exits[0]), /must return one of/)
  const crash = runtimeLines.filter((l) => l.includes('got: {"reply":"ok"}'))
  assert.equal(crash.length, 1)
  assert.ok(crash[0]?.includes("reply('ok', socket)"))
  assert.ok(crash[0]?.includes('(Test "room:t") crashed'))
  assert.ok(!h.lines.some((l) => l.includes('got: {"reply":"ok"}')), 'not logged a second time')
})

test('join: ok with reply, error, crash, wrong shape', async () => {
  const joined = async (channel: Channel<Record<string, unknown>>) => {
    const h = host()
    const server = new ChannelServer(h, channel as Channel<object>, 'Test', 'room:j', '1')
    const outcome = await server.start({}, '2').catch(() => 'crashed')
    return [outcome, h.frames]
  }
  assert.deepEqual(await joined({ join: (_t, _p, s) => ok(s, { hi: 1 }) }), [
    'ok',
    [['1', '2', 'room:j', 'phx_reply', { status: 'ok', response: { hi: 1 } }]],
  ])
  assert.deepEqual(await joined({ join: () => error({ reason: 'no' }) }), [
    'error',
    [['1', '2', 'room:j', 'phx_reply', { status: 'error', response: { reason: 'no' } }]],
  ])
  const boom = () => {
    throw new Error('boom')
  }
  assert.deepEqual(await joined({ join: boom }), ['crashed', []])
  assert.deepEqual(await joined({ join: () => ({ ok: true }) as never }), ['crashed', []])
})

test('a message sent to self() in join is handled after the join reply', async () => {
  const h = host()
  const channel: Channel<Record<string, unknown>> = {
    join(_t, _p, socket) {
      send(self(), 'after_join')
      return ok(socket)
    },
    handleInfo(message, socket) {
      push(socket, 'info', { message: String(message) })
      return noreply(socket)
    },
  }
  const server = new ChannelServer(h, channel as Channel<object>, 'Test', 'room:s', '1')
  assert.equal(await server.start({}, '1'), 'ok')
  await until(() => h.frames.length >= 2)
  assert.deepEqual(h.frames, [
    ['1', '1', 'room:s', 'phx_reply', { status: 'ok', response: {} }],
    ['1', null, 'room:s', 'info', { message: 'after_join' }],
  ])
  await server.shutdown('shutdown')
})

test('stop with a reply: reply first, then exit with the reason; terminate gets it', async () => {
  const terminated: unknown[] = []
  const { h, server } = await started({
    join: (_t, _p, s) => ok(s),
    handleIn: (_e, _p, socket) => stop({ shutdown: 'bye' }, socket, ['ok', { bye: true }]),
    terminate: (reason) => {
      terminated.push(reason)
    },
  })
  server.clientPush(msg('x', '2'))
  await tick()
  assert.deepEqual(h.frames, [
    ['1', '2', 'room:t', 'phx_reply', { status: 'ok', response: { bye: true } }],
  ])
  assert.deepEqual(h.exits, [{ shutdown: 'bye' }])
  assert.deepEqual(terminated, [{ shutdown: 'bye' }])
  assert.equal(ChannelServer.isGraceful(h.exits[0]), true)
})

test('leave replies ok and stops with {shutdown: "left"}; shutdown waits for terminate', async () => {
  let done = false
  const { h, server } = await started({
    join: (_t, _p, s) => ok(s),
    terminate: async () => {
      await tick()
      done = true
    },
  })
  server.clientLeave('9')
  await until(() => h.exits.length >= 1)
  assert.deepEqual(h.frames, [['1', '9', 'room:t', 'phx_reply', { status: 'ok', response: {} }]])
  assert.deepEqual(h.exits, [{ shutdown: 'left' }])
  await server.shutdown('shutdown')
  assert.equal(done, true)
})

test('assigns start from the connection, assign replaces them; push carries the join ref', async () => {
  const { h, server } = await started({
    join: (_t, _p, s) => ok(assign(s, 'extra', 2)),
    handleIn(_e, _p, socket) {
      push(socket, 'state', socket.assigns)
      return noreply(socket)
    },
  })
  server.clientPush(msg('x', '2'))
  await until(() => h.frames.length >= 1)
  assert.deepEqual(h.frames, [['1', null, 'room:t', 'state', { base: 1, extra: 2 }]])
})

test('push inside join is refused; socketRef + replyToPush answers later', async () => {
  const { outcome } = await started({
    join: (_t, _p, s) => {
      push(s, 'early', {})
      return ok(s)
    },
  })
  assert.equal(outcome, 'crashed')
  const { h, server } = await started({
    join: (_t, _p, s) => ok(s),
    handleIn(_e, _p, socket) {
      const ref = socketRef(socket)
      setTimeout(() => replyToPush(ref, ['ok', { later: true }]), 5)
      return noreply(socket)
    },
  })
  server.clientPush(msg('x', '7'))
  await until(() => h.frames.length >= 1)
  assert.deepEqual(h.frames, [
    ['1', '7', 'room:t', 'phx_reply', { status: 'ok', response: { later: true } }],
  ])
})

test('intercepted broadcasts go through handleOut; others skip the channel process', async () => {
  const seen: string[] = []
  const channel: Channel<Record<string, unknown>> = {
    intercept: ['secret'],
    join: (_t, _p, s) => ok(s),
    handleIn(event, payload, socket) {
      broadcast(socket, event, payload)
      return noreply(socket)
    },
    handleOut(event, payload, socket) {
      seen.push(event)
      push(socket, event, { ...payload, filtered: true })
      return noreply(socket)
    },
  }
  const { h, server } = await started(channel, 'room:i')
  server.clientPush({ ...msg('public', '2', { a: 1 }), topic: 'room:i' })
  server.clientPush({ ...msg('secret', '3', { b: 2 }), topic: 'room:i' })
  await until(() => h.frames.length >= 2)
  assert.deepEqual(seen, ['secret'])
  assert.deepEqual(h.frames, [
    [null, null, 'room:i', 'public', { a: 1 }],
    ['1', null, 'room:i', 'secret', { b: 2, filtered: true }],
  ])
  await server.shutdown('shutdown')
})
