import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import { CinderError } from '../../src/errors.ts'
import {
  type Behaviour,
  call,
  noreply,
  type Pid,
  Registry,
  reply,
  spawn,
  stopProcess,
} from '../../src/process/index.ts'
import { captureLogs, newProbeLog, probe, settle } from './helpers.ts'

let restoreLogger: () => void
before(() => {
  restoreLogger = captureLogs().restore
})
after(() => restoreLogger())

// Registers what it is told to, from inside the process (the default owner).
const member: Behaviour<Registry<string, number>, Registry<string, number>> = {
  init: (r) => r,
  handleCall(req, _from, r) {
    const [op, key, value] = req as ['reg' | 'unreg', string, number]
    if (op === 'reg') r.register(key, value)
    else if (op === 'unreg') r.unregister(key)
    else throw new Error(`unknown op ${String(op)}`)
    return reply(r.keys(), r)
  },
  handleInfo: (_m, r) => noreply(r),
}

test('unique keys: one holder, NAME_TAKEN for the second, freed when the holder stops', async () => {
  const reg = new Registry<string, number>({ keys: 'unique', name: 'rooms' })
  const a = await spawn(member, reg)
  const b = await spawn(member, reg)
  assert.deepEqual(await call(a, ['reg', 'room:1', 1]), ['room:1'])
  await assert.rejects(call(b, ['reg', 'room:1', 2]), () => true) // b crashes: NAME_TAKEN
  assert.throws(
    () => reg.register('room:1', 3, a),
    (e) =>
      e instanceof CinderError &&
      e.code === 'CINDER_ERR_NAME_TAKEN' &&
      /rooms.*room:1/.test(e.message),
  )
  assert.equal(reg.whereis('room:1'), a)
  assert.deepEqual(reg.lookup('room:1'), [{ pid: a, value: 1 }])
  await stopProcess(a)
  assert.equal(reg.whereis('room:1'), undefined)
  assert.equal(reg.count(), 0)
  assert.throws(
    () => reg.register('x', 1),
    (e) => e instanceof CinderError && e.code === 'CINDER_ERR_NOT_IN_PROCESS',
  )
  assert.throws(
    () => reg.register('x', 1, a),
    (e) => e instanceof CinderError && e.code === 'CINDER_ERR_NOPROC',
  )
})

test('duplicate keys against a model, with processes stopping in between', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.oneof(
          fc.record({
            op: fc.constant('reg' as const),
            who: fc.nat(3),
            key: fc.constantFrom('a', 'b', 'c'),
            value: fc.nat(9),
          }),
          fc.record({
            op: fc.constant('unreg' as const),
            who: fc.nat(3),
            key: fc.constantFrom('a', 'b', 'c'),
          }),
          fc.record({ op: fc.constant('stop' as const), who: fc.nat(3) }),
        ),
        { maxLength: 40 },
      ),
      async (ops) => {
        const reg = new Registry<string, number>({ keys: 'duplicate' })
        const pids: Pid[] = []
        for (let i = 0; i < 4; i++) pids.push(await spawn(probe, newProbeLog()))
        const alive = new Set(pids)
        // model: list of [pid, key, value] in registration order
        let model: [Pid, string, number][] = []
        for (const op of ops) {
          const pid = pids[op.who] as Pid
          if (!alive.has(pid)) continue
          if (op.op === 'reg') {
            reg.register(op.key, op.value, pid)
            model.push([pid, op.key, op.value])
          } else if (op.op === 'unreg') {
            const had = model.some(([p, k]) => p === pid && k === op.key)
            assert.equal(reg.unregister(op.key, pid), had)
            model = model.filter(([p, k]) => !(p === pid && k === op.key))
          } else {
            await stopProcess(pid)
            alive.delete(pid)
            model = model.filter(([p]) => p !== pid)
          }
        }
        assert.equal(reg.count(), model.length)
        for (const key of ['a', 'b', 'c']) {
          const got = reg
            .lookup(key)
            .map((e) => `${e.pid}=${e.value}`)
            .sort()
          const want = model
            .filter(([, k]) => k === key)
            .map(([p, , v]) => `${p}=${v}`)
            .sort()
          assert.deepEqual(got, want)
          assert.equal(reg.count(key), want.length)
          const evens = reg.match(key, (v) => v % 2 === 0).length
          assert.equal(evens, model.filter(([, k, v]) => k === key && v % 2 === 0).length)
        }
        for (const pid of pids) {
          const keys = new Set(model.filter(([p]) => p === pid).map(([, k]) => k))
          assert.deepEqual(new Set(reg.keys(pid)), keys)
        }
        for (const pid of alive) await stopProcess(pid)
        assert.equal(reg.count(), 0)
        assert.deepEqual(reg.allKeys(), [])
      },
    ),
    { numRuns: 40 },
  )
})

test('dispatch visits every entry; entries of a crashed process vanish', async () => {
  const reg = new Registry<string, number>({ keys: 'duplicate' })
  const a = await spawn(member, reg)
  const b = await spawn(member, reg)
  await call(a, ['reg', 'topic', 1])
  await call(b, ['reg', 'topic', 2])
  await call(b, ['reg', 'topic', 3])
  const seen: string[] = []
  reg.dispatch('topic', (pid, v) => seen.push(`${pid === a ? 'a' : 'b'}${v}`))
  assert.deepEqual(seen.sort(), ['a1', 'b2', 'b3'])
  await assert.rejects(call(b, ['bogus']), () => true)
  await settle()
  assert.deepEqual(reg.lookup('topic'), [{ pid: a, value: 1 }])
  await stopProcess(a)
})
