// joinChannel: a channel in this process, driven as a client would, with
// assertions on its replies, pushes and broadcasts.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  broadcast,
  type Channel,
  error,
  noreply,
  ok,
  push,
  reply,
  replyToPush,
  socketRef,
} from '../../src/extend.ts'
import { joinChannel } from '../../src/testing/index.ts'

const Room: Channel<{ name: string }> = {
  join(_topic, params, socket) {
    if (params.deny === true) return error({ reason: 'denied' })
    socket.assigns = { name: String(params.name ?? 'anon') }
    return ok(socket, { welcome: socket.assigns.name })
  },
  handleIn(event, payload, socket) {
    if (event === 'ping') return reply(['ok', payload], socket)
    if (event === 'shout') {
      broadcast(socket, 'shout', { ...(payload as object), from: socket.assigns.name })
      return noreply(socket)
    }
    if (event === 'later') {
      const ref = socketRef(socket)
      setTimeout(() => replyToPush(ref, ['ok', { late: true }]), 10)
      return noreply(socket)
    }
    if (event === 'crash') throw new Error('boom')
    return reply(['error', { reason: 'unknown' }], socket)
  },
  handleInfo(message, socket) {
    push(socket, 'tick', { n: message as number })
    return noreply(socket)
  },
}

test('join replies, pushes reply, broadcasts reach the topic and the sender', async () => {
  const room = await joinChannel(Room, 'room:lobby', { name: 'ann' })
  assert.deepEqual(room.joinReply, { status: 'ok', response: { welcome: 'ann' } })
  assert.equal(room.socket.assigns.name, 'ann')
  await room.assertReply(room.push('ping', { n: 1 }), 'ok', { n: 1 })
  void room.push('shout', { body: 'hi' })
  await room.assertBroadcast('shout', { body: 'hi', from: 'ann' })
  await room.assertPush('shout', (p: unknown) => (p as { body?: string }).body === 'hi')
  room.send(7)
  assert.deepEqual(await room.assertPush('tick'), { n: 7 })
  await room.refutePush('tick')
  await room.leave()
})

test('a deferred reply (socketRef + replyToPush) resolves the push', async () => {
  const room = await joinChannel(Room, 'room:later')
  assert.deepEqual(await room.push('later'), { status: 'ok', response: { late: true } })
  await room.leave()
})

test('a refused join, a failed assertion, a crash', async () => {
  const denied = await joinChannel(Room, 'room:x', { deny: true })
  assert.deepEqual(denied.joinReply, { status: 'error', response: { reason: 'denied' } })
  const room = await joinChannel(Room, 'room:y', {}, { timeout: 50 })
  await assert.rejects(room.assertPush('nothing'), /no push nothing within 50 ms/)
  await assert.rejects(
    room.assertReply(room.push('ping', { a: 1 }), 'ok', { a: 2 }),
    /expected a reply ok/,
  )
  await assert.rejects(room.push('crash'), /boom/)
  await room.assertPush('phx_error')
  assert.equal(room.stopped, true)
  await room.leave()
})
