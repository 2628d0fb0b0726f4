// processes() and processInfo(): what the runtime tells about its live
// processes (the dashboard's process list, the metrics' census).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  type Behaviour,
  call,
  link,
  monitor,
  noreply,
  processCount,
  processes,
  processInfo,
  reply,
  send,
  spawn,
  stopProcess,
} from '../../src/process/index.ts'
import { eachProcessState } from '../../src/process/introspect.ts'

/** Handles `'wait'` by holding its mailbox until `'go'` arrives in a call. */
const slow: Behaviour<{ held: number }, null> = {
  name: 'slow',
  init: () => ({ held: 0 }),
  handleInfo: (_message, state) => noreply({ held: state.held + 1 }),
  handleCall: (request, _from, state) => reply(request === 'held' ? state.held : 'ok', state),
}

test('processes() lists every live process once, newest first, and forgets stopped ones', async () => {
  const before = processes().length
  assert.equal(before, processCount())
  const a = await spawn(slow, null, { name: 'introspect-a' })
  const b = await spawn(slow, null)
  const listed = processes()
  assert.equal(listed.length, before + 2)
  assert.equal(listed[0]?.pid, b)
  assert.equal(listed[1]?.pid, a)
  assert.equal(new Set(listed.map((p) => p.pid)).size, listed.length)
  await stopProcess(a)
  const after = processes()
  assert.equal(after.length, before + 1)
  assert.ok(!after.some((p) => p.pid === a))
  await stopProcess(b)
  assert.equal(processes().length, before)
  assert.equal(processInfo(b), undefined)
})

test('processInfo() tells the name, mailbox, handled messages, links and monitors', async () => {
  const pid = await spawn(slow, null, { name: 'introspect-info' })
  for (let i = 0; i < 10; i++) send(pid, i)
  const queued = processInfo(pid)
  assert.equal(queued?.mailbox, 10, 'ten messages wait until the runtime drains them')
  assert.equal(queued?.registeredName, 'introspect-info')
  assert.equal(queued?.behaviour, 'slow')
  assert.equal(queued?.status, 'running')
  assert.equal(await call(pid, 'held'), 10)
  const drained = processInfo(pid)
  assert.equal(drained?.mailbox, 0)
  assert.equal(drained?.handled, 11, 'ten sends and the call')

  const watcher = await spawn(
    {
      init: () => {
        link(pid)
        monitor(pid)
        return null
      },
    },
    null,
    { trapExit: true },
  )
  const watched = processInfo(pid)
  assert.equal(watched?.links, 1)
  assert.equal(watched?.monitoredBy, 1)
  assert.equal(processInfo(watcher)?.trapExit, true)
  await stopProcess(watcher)
  await stopProcess(pid)
})

test('eachProcessState() hands over each live process state', async () => {
  const pid = await spawn(slow, null)
  let seen: unknown
  eachProcessState((p, state) => {
    if (p === pid) seen = state
  })
  assert.deepEqual(seen, { held: 0 })
  await stopProcess(pid)
})
