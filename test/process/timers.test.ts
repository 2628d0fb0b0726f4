import assert from 'node:assert/strict'
import { afterEach, beforeEach, test } from 'node:test'
import { CinderError } from '../../src/errors.ts'
import {
  call,
  cancelTimer,
  exit,
  sendAfter,
  setClock,
  spawn,
  stopProcess,
  TestClock,
} from '../../src/process/index.ts'
import { newProbeLog, probe, settle } from './helpers.ts'

let clock: TestClock
let restore: () => void
beforeEach(() => {
  clock = new TestClock()
  restore = setClock(clock)
})
afterEach(() => restore())

test('sendAfter delivers at the due time on the injected clock, in due order', async () => {
  const log = newProbeLog()
  const pid = await spawn(probe, log, { name: 'timed' })
  sendAfter(pid, 'late', 200)
  const early = sendAfter('timed', 'early', 100)
  assert.equal(early.remaining(), 100)
  clock.advance(99)
  await settle()
  assert.deepEqual(log.messages, [])
  clock.advance(1)
  await settle()
  assert.deepEqual(log.messages, ['early'])
  assert.equal(early.pending, false)
  clock.advance(100)
  await settle()
  assert.deepEqual(log.messages, ['early', 'late'])
  await stopProcess(pid)
})

test('cancelTimer stops delivery once; timers die with their process', async () => {
  const log = newProbeLog()
  const pid = await spawn(probe, log)
  const ref = sendAfter(pid, 'never', 50)
  assert.equal(cancelTimer(ref), true)
  assert.equal(cancelTimer(ref), false)
  sendAfter(pid, 'orphan', 1000)
  assert.equal(clock.pending, 1)
  exit(pid, 'kill')
  assert.equal(clock.pending, 0, 'the stopped process took its timer with it')
  clock.advance(2000)
  await settle()
  assert.deepEqual(log.messages, [])
  assert.throws(
    () => sendAfter('no-such-name', 'x', 1),
    (e) => e instanceof CinderError && e.code === 'CINDER_ERR_NOPROC',
  )
  assert.throws(
    () => sendAfter(pid, 'x', -1),
    (e) => e instanceof CinderError && e.code === 'CINDER_ERR_PROCESS_BAD_ARG',
  )
  assert.equal(sendAfter(pid, 'x', 1).pending, false, 'a timer for a dead pid is inert')
})

test('a call made while time stands still waits; advancing fires its timeout only', async () => {
  const log = newProbeLog()
  const pid = await spawn(probe, log)
  assert.equal(await call(pid, 'n', 10), 0)
  assert.equal(clock.pending, 0, 'the timeout timer of an answered call is cleared')
  await stopProcess(pid)
})
