import assert from 'node:assert/strict'
import { test } from 'node:test'
import { spawn, startPubSub, stopProcess } from 'cinder'
import { buildPresence, countPresent } from '<%= up %>src/presence.ts'

test('a tracked process is present until it stops', async () => {
  const pubsub = await startPubSub({ name: 'presence-test' })
  const presence = buildPresence(pubsub)
  await presence.start()
  const pid = await spawn({ init: () => null }, undefined)
  presence.track(pid, 'room:lobby', 'ada', { since: Date.now() })
  assert.equal(countPresent(presence, 'room:lobby'), 1)
  await stopProcess(pid, 'normal')
  assert.equal(countPresent(presence, 'room:lobby'), 0)
  await presence.stop()
  await pubsub.stop()
})
