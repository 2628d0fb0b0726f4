import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mountLive } from 'cinder/testing'
import type { StartedApplication } from '../../../src/application.ts'
import { FIRST_ROOM } from '../../../src/chat/model.ts'
import { roomLive } from '../../../src/web/live/room-live.ts'
import { startTestApplication } from '../../support.ts'

let app: StartedApplication

before(async () => {
  app = await startTestApplication()
})

after(() => app.stop())

const ada = { id: 'ada-1', name: 'Ada' }

test('a message sent in a room shows, and a too long one is refused', async () => {
  const view = await mountLive(roomLive(app), {
    route: '/rooms/:room',
    path: `/rooms/${FIRST_ROOM}`,
    session: { user: ada },
    pubsub: app.pubsub,
  })
  assert.equal(view.title, `#${FIRST_ROOM} · Chat Room`)
  await view.submit('#message-form', { body: 'hello from a test' })
  assert.deepEqual(view.events, [['sent', {}]])
  for (let i = 0; i < 100 && !view.html().includes('hello from a test'); i += 1)
    await new Promise((resolve) => setTimeout(resolve, 10))
  assert.match(view.text('#messages') ?? '', /Ada hello from a test/)
  await view.submit('#message-form', { body: 'x'.repeat(501) })
  assert.equal(view.text('#message-error'), 'A message has at most 500 characters.')
  await view.close()
})

test('without a name, a room sends you to the lobby to choose one', async () => {
  const response = await fetch(`${app.url}/rooms/${FIRST_ROOM}`, { redirect: 'manual' })
  assert.equal(response.status, 302)
  assert.equal(response.headers.get('location'), '/')
})
