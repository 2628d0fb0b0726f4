import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type Pid, startPubSub, startSupervisor, stopProcess } from 'cinder'
import { Chat } from '../../src/chat/chat.ts'
import { FIRST_ROOM, LIMITS, type User } from '../../src/chat/model.ts'

const ada: User = { id: 'a1', name: 'Ada' }
let chat: Chat
let tree: Pid

before(async () => {
  chat = new Chat(await startPubSub({ name: 'chat-test' }))
  tree = await startSupervisor([chat.childSpec()])
})

after(async () => {
  await stopProcess(tree, 'shutdown')
  await chat.pubsub.stop()
})

/** The keeper stores what the PubSub brings: wait until it has. */
async function until<T>(read: () => T, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const value = read()
    if (done(value)) return value
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error('timed out')
}

test('the first room is there; new rooms are checked and listed', async () => {
  assert.deepEqual(
    chat.rooms().map((room) => room.name),
    [FIRST_ROOM],
  )
  assert.deepEqual(chat.createRoom(' Book-Club '), { ok: true, value: 'book-club' })
  assert.equal(chat.createRoom('no spaces!').ok, false)
  await until(
    () => chat.room('book-club'),
    (room) => room !== undefined,
  )
  assert.ok(chat.createRoom('book-club').ok, 'opening an existing room is fine')
})

test('messages are kept per room, oldest first, and checked', async () => {
  const posted = chat.post(FIRST_ROOM, ada, '  hello  ')
  assert.ok(posted.ok)
  assert.equal(posted.value.body, 'hello')
  chat.post(FIRST_ROOM, ada, 'second')
  const messages = await until(
    () => chat.messages(FIRST_ROOM),
    (list) => list.length === 2,
  )
  assert.deepEqual(
    messages.map((m) => [m.body, m.user.name]),
    [
      ['hello', 'Ada'],
      ['second', 'Ada'],
    ],
  )
  assert.deepEqual(chat.messages('book-club'), [])
  assert.deepEqual(chat.post(FIRST_ROOM, ada, '   '), {
    ok: false,
    message: 'Write something first.',
  })
  assert.equal(chat.post(FIRST_ROOM, ada, 'x'.repeat(LIMITS.message + 1)).ok, false)
  assert.equal(chat.post('nowhere', ada, 'hi').ok, false)
})

test(`a room keeps its last ${LIMITS.messagesPerRoom} messages`, async () => {
  chat.createRoom('busy')
  await until(
    () => chat.room('busy'),
    (room) => room !== undefined,
  )
  for (let i = 0; i < LIMITS.messagesPerRoom + 5; i += 1) chat.post('busy', ada, `m${i}`)
  const kept = await until(
    () => chat.messages('busy'),
    (list) => list.at(-1)?.body === `m${LIMITS.messagesPerRoom + 4}`,
  )
  assert.equal(kept.length, LIMITS.messagesPerRoom)
  assert.equal(kept[0]?.body, 'm5')
  assert.deepEqual(
    chat.messages('busy', 2).map((m) => m.body),
    [`m${LIMITS.messagesPerRoom + 3}`, `m${LIMITS.messagesPerRoom + 4}`],
  )
  assert.equal(chat.rooms()[0]?.name, 'busy', 'the most recently active room comes first')
})
