import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { StartedApplication } from '../../../src/application.ts'
import { FIRST_ROOM } from '../../../src/chat/model.ts'
import {
  closeSockets,
  joinChannel,
  openSocket,
  outcome,
  startTestApplication,
} from '../../support.ts'

let app: StartedApplication

before(async () => {
  app = await startTestApplication()
})

after(async () => {
  await closeSockets()
  await app.stop()
})

test('a client names itself to connect', async () => {
  await assert.rejects(openSocket(app, {}), /refused/)
  await assert.rejects(openSocket(app, { name: 'x'.repeat(25) }), /refused/)
})

test('a join gets the history; a posted message reaches the others once, and the pages', async () => {
  const ada = await openSocket(app, { name: 'Ada' })
  const bob = await openSocket(app, { name: 'Bob' })
  const adaRoom = await joinChannel(ada, `room:${FIRST_ROOM}`)
  const bobRoom = await joinChannel(bob, `room:${FIRST_ROOM}`)
  const heard: unknown[] = []
  const first = new Promise((resolve) =>
    bobRoom.on('message', (message) => {
      heard.push(message)
      resolve(message)
    }),
  )
  const [status, reply] = await outcome(adaRoom.push('new_message', { body: 'hi Bob' }))
  assert.equal(status, 'ok')
  assert.match(String((reply as { id?: unknown }).id), /:\d+$/)
  assert.deepEqual(await first, app.chat.messages(FIRST_ROOM).at(-1))
  assert.equal(heard.length, 1)

  const carol = await openSocket(app, { name: 'Carol' })
  const room = carol.channel(`room:${FIRST_ROOM}`)
  const [, joined] = await outcome(room.join())
  const bodies = (joined as { messages: { body: string }[] }).messages.map((m) => m.body)
  assert.equal(bodies.at(-1), 'hi Bob')
})

test('an unknown room or event is an error', async () => {
  const socket = await openSocket(app, { name: 'Dan' })
  const [status, reply] = await outcome(socket.channel('room:nowhere').join())
  assert.deepEqual([status, reply], ['error', { reason: 'there is no room nowhere' }])
  const channel = await joinChannel(socket, `room:${FIRST_ROOM}`)
  assert.deepEqual(await outcome(channel.push('shout', {})), [
    'error',
    { reason: 'unknown event shout' },
  ])
  assert.equal((await outcome(channel.push('new_message', { body: ' ' })))[0], 'error')
})
