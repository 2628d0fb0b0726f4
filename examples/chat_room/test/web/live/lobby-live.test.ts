import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { mountLive } from 'cinder/testing'
import type { StartedApplication } from '../../../src/application.ts'
import { lobbyLive } from '../../../src/web/live/lobby-live.ts'
import { startTestApplication } from '../../support.ts'

let app: StartedApplication

before(async () => {
  app = await startTestApplication()
})

after(() => app.stop())

test('a name is checked over the socket, then the form goes to /session', async () => {
  const view = await mountLive(lobbyLive(app), { pubsub: app.pubsub })
  assert.equal(view.find('#sign-in')?.attributes.action, '/session')
  await view.submit('#sign-in', { name: '   ' })
  assert.equal(view.text('#name-error'), 'Choose a name.')
  assert.equal(view.find('#sign-in')?.attributes['phx-trigger-action'], undefined)
  await view.submit('#sign-in', { name: 'Ada' })
  assert.equal(view.text('#name-error'), '')
  assert.equal(view.find('#sign-in')?.attributes['phx-trigger-action'], '')
  await view.close()
})

test('a signed-in user sees the rooms, and opens a new one', async () => {
  const view = await mountLive(lobbyLive(app), {
    pubsub: app.pubsub,
    session: { user: { id: 'ada-1', name: 'Ada' } },
  })
  assert.match(view.text('#rooms') ?? '', /#general/)
  await view.submit('#new-room', { room: 'no way!' })
  assert.equal(view.text('#room-error'), 'A room name has 1 to 30 letters, digits or dashes.')
  await view.submit('#new-room', { room: 'Book-Club' })
  assert.deepEqual(view.redirected, { kind: 'live_redirect', to: '/rooms/book-club' })
  await view.close()
})
