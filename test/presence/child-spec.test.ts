// A Presence as a child of an application's own supervision tree.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Presence } from '../../src/presence/index.ts'
import {
  exit,
  isAlive,
  type Pid,
  setLogger,
  spawn,
  startSupervisor,
  stopProcess,
} from '../../src/process/index.ts'
import { startPubSub } from '../../src/pubsub/index.ts'

const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 20))

test("the app's supervisor starts it, restarts a fresh tracker when it gives up, and stops it quietly", async () => {
  const logged: string[] = []
  const restoreLogger = setLogger({
    info: () => {},
    warn: (m) => logged.push(m),
    error: (m) => logged.push(m),
  })
  const pubsub = await startPubSub({ name: `presence-tree-${Math.random()}` })
  const presence = new Presence({ pubsub, name: 'app-presence' })
  const owner: Pid = await spawn({ init: () => null }, undefined)
  const root = await startSupervisor([presence.childSpec()], { strategy: 'one_for_one' })
  try {
    presence.track(owner, 'room:1', 'ada', { at: 1 })
    assert.deepEqual(Object.keys(presence.list('room:1')), ['ada'])
    const first = presence.tracker
    const firstSupervisor = first.supervisor as Pid
    assert.ok(isAlive(firstSupervisor))

    // The tracker's own supervisor dies: the app's supervisor starts a new tracker.
    exit(firstSupervisor, 'kill')
    await settle()
    assert.notEqual(presence.tracker, first, 'a fresh tracker')
    assert.ok(isAlive(presence.tracker.supervisor as Pid))
    presence.track(owner, 'room:1', 'bob', {})
    assert.deepEqual(Object.keys(presence.list('room:1')), ['bob'], 'the new tracker works')
    logged.length = 0
  } finally {
    await stopProcess(root, 'shutdown')
    await stopProcess(owner, 'shutdown').catch(() => {})
  }
  assert.throws(
    () => presence.track(owner, 'room:1', 'cyd', {}),
    (error: Error & { code?: string }) => error.code === 'CINDER_ERR_PRESENCE_NOT_RUNNING',
  )
  assert.deepEqual(logged, [], 'stopping with the tree is not reported as a failure')
  await pubsub.stop()
  restoreLogger()
})
