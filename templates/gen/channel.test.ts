import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { StartedApplication } from '<%= up %>src/application.ts'
import {
  closeSockets,
  joinChannel,
  openSocket,
  outcome,
  startTestApplication,
} from '<%= support %>'

let app: StartedApplication

before(async () => {
  app = await startTestApplication()
})

after(async () => {
  await closeSockets()
  await app.stop()
})

test('ping replies with the payload it got', async () => {
  const socket = await openSocket(app)
  const channel = await joinChannel(socket, '<%= topic %>:lobby')
  assert.deepEqual(await outcome(channel.push('ping', { hello: 'there' })), [
    'ok',
    { hello: 'there' },
  ])
})

test('shout reaches everyone on the topic', async () => {
  const ada = await openSocket(app)
  const bob = await openSocket(app)
  const adaChannel = await joinChannel(ada, '<%= topic %>:lobby')
  const bobChannel = await joinChannel(bob, '<%= topic %>:lobby')
  const heard = new Promise((resolve) => bobChannel.on('shout', resolve))
  assert.deepEqual(await outcome(adaChannel.push('shout', { body: 'hello' })), ['ok', {}])
  assert.deepEqual(await heard, { body: 'hello' })
})
