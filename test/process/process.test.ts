import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import fc from 'fast-check'
import { CinderError } from '../../src/errors.ts'
import {
  type Behaviour,
  call,
  cast,
  currentPid,
  exit,
  type From,
  isAlive,
  noreply,
  onExit,
  type Pid,
  processCount,
  register,
  reply,
  replyTo,
  self,
  send,
  setClock,
  spawn,
  stop,
  stopProcess,
  TestClock,
  unregister,
  whereis,
} from '../../src/process/index.ts'
import { removeExitHook } from '../../src/process/signals.ts'
import { captureLogs, type LogLine, newProbeLog, probe, settle } from './helpers.ts'

let logs: LogLine[]
let restoreLogger: () => void
beforeEach(() => {
  const captured = captureLogs()
  logs = captured.lines
  restoreLogger = captured.restore
})
afterEach(() => restoreLogger())

function isCode(code: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof CinderError, `expected a CinderError, got ${String(err)}`)
    assert.equal(err.code, code)
    return true
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('mailbox', () => {
  test('handles calls, casts and infos one at a time in arrival order, also when handlers are async', async () => {
    // A handler that awaits a random delay must not let the next message start.
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('call', 'cast', 'info'), fc.nat(3)), {
          minLength: 1,
          maxLength: 25,
        }),
        async (plan) => {
          let running = 0
          let overlap = false
          const seen: number[] = []
          const handle = async (i: number, wait: number) => {
            running++
            if (running > 1) overlap = true
            if (wait > 0) await delay(wait - 1)
            seen.push(i)
            running--
          }
          const b: Behaviour<null> = {
            init: () => null,
            async handleCall(req, _from, s) {
              const [i, wait] = req as [number, number]
              await handle(i, wait)
              return reply(i, s)
            },
            async handleCast(msg, s) {
              const [i, wait] = msg as [number, number]
              await handle(i, wait)
              return noreply(s)
            },
            handleInfo(msg, s) {
              const [i, wait] = msg as [number, number]
              if (wait === 0) {
                seen.push(i)
                return noreply(s)
              }
              return handle(i, wait).then(() => noreply(s))
            },
          }
          const pid = await spawn(b, undefined)
          const calls: Promise<unknown>[] = []
          plan.forEach(([kind, wait], i) => {
            if (kind === 'call') calls.push(call(pid, [i, wait]))
            else if (kind === 'cast') cast(pid, [i, wait])
            else send(pid, [i, wait])
          })
          await Promise.all(calls)
          await call(pid, [-1, 0])
          assert.deepEqual(
            seen.slice(0, plan.length),
            plan.map((_, i) => i),
          )
          assert.equal(overlap, false)
          await stopProcess(pid)
        },
      ),
      { numRuns: 15 },
    )
  })

  test('self() names the process in sync code and after awaits inside handlers', async () => {
    const seen: string[] = []
    const b: Behaviour<null> = {
      init: () => {
        seen.push(`init ${self()}`)
        return null
      },
      async handleCall(_req, _from, s) {
        seen.push(`before ${self()}`)
        await delay(1)
        await Promise.resolve()
        seen.push(`after ${self()}`)
        return reply(self(), s)
      },
    }
    const [a, b2] = await Promise.all([spawn(b, undefined), spawn(b, undefined)])
    const [ra, rb] = await Promise.all([call(a, 'x'), call(b2, 'x')])
    assert.equal(ra, a)
    assert.equal(rb, b2)
    for (const pid of [a, b2]) {
      for (const step of ['init', 'before', 'after']) assert.ok(seen.includes(`${step} ${pid}`))
    }
    assert.equal(currentPid(), undefined)
    assert.throws(() => self(), isCode('CINDER_ERR_NOT_IN_PROCESS'))
    await Promise.all([stopProcess(a), stopProcess(b2)])
  })

  test('a promise made outside resumes its awaiter inside; its own callbacks run outside', async () => {
    let release: (value: string) => void = () => {}
    const outside = new Promise<string>((resolve) => {
      release = resolve
    })
    const seenOutside: (Pid | undefined)[] = []
    void outside.then(() => seenOutside.push(currentPid()))
    const b: Behaviour<null> = {
      init: () => null,
      async handleCall(_req, _from, s) {
        const value = await outside
        const inner = await Promise.all([delay(1).then(() => currentPid()), currentPid()])
        return reply([value, self(), ...inner], s)
      },
    }
    const pid = await spawn(b, undefined)
    const answer = call(pid, 'x')
    await delay(5)
    release('ok')
    assert.deepEqual(await answer, ['ok', pid, pid, pid])
    assert.deepEqual(seenOutside, [undefined])
    await stopProcess(pid)
  })
})

describe('spawn', () => {
  test('init throwing rejects with START_FAILED carrying the cause, and nothing is left', async () => {
    const before = processCount()
    const boom = new Error('no config')
    await assert.rejects(
      spawn(
        {
          name: 'cfg',
          init: () => {
            throw boom
          },
        },
        undefined,
      ),
      (err) => isCode('CINDER_ERR_START_FAILED')(err) && (err as Error).cause === boom,
    )
    await assert.rejects(
      spawn(
        {
          init: async () => {
            throw boom
          },
        },
        undefined,
        { name: 'x' },
      ),
      isCode('CINDER_ERR_START_FAILED'),
    )
    assert.equal(whereis('x'), undefined)
    assert.equal(processCount(), before)
  })

  test('async init finishes before any message is handled', async () => {
    const order: string[] = []
    const b: Behaviour<string> = {
      async init() {
        await delay(2)
        order.push('init')
        return 'ready'
      },
      handleInfo(m, s) {
        order.push(`${String(m)} ${s}`)
        return noreply(s)
      },
      handleCall: (_r, _f, s) => reply(s, s),
    }
    const pid = await spawn(b, undefined)
    send(pid, 'hello')
    assert.equal(await call(pid, 'get'), 'ready')
    assert.deepEqual(order, ['init', 'hello ready'])
    await stopProcess(pid)
  })

  test('rejects a non-behaviour and a link outside a process', async () => {
    await assert.rejects(
      spawn({} as Behaviour<null>, undefined),
      isCode('CINDER_ERR_PROCESS_BAD_ARG'),
    )
    await assert.rejects(
      spawn(probe, newProbeLog(), { link: true }),
      isCode('CINDER_ERR_NOT_IN_PROCESS'),
    )
  })
})

describe('call', () => {
  test('times out on the injected clock without sleeping', async () => {
    const clock = new TestClock()
    const restore = setClock(clock)
    try {
      const silent: Behaviour<null> = { init: () => null, handleCall: (_r, _f, s) => noreply(s) }
      const pid = await spawn(silent, undefined, { name: 'silent' })
      const pending = call(pid, 'anyone?', 1000)
      const pendingMark = Symbol('pending')
      const state = () =>
        Promise.race([
          pending.then(
            () => 'resolved',
            (e: unknown) => e,
          ),
          settle().then(() => pendingMark),
        ])
      await settle()
      clock.advance(999)
      assert.equal(await state(), pendingMark)
      clock.advance(1)
      const failed = await state()
      assert.ok(failed instanceof CinderError)
      assert.equal(failed.code, 'CINDER_ERR_CALL_TIMEOUT')
      assert.match(failed.message, /silent/)
      assert.match(failed.message, /1000 ms/)
      assert.match(failed.message, /anyone\?/)
      await stopProcess(pid)
      assert.equal(clock.pending, 0)
    } finally {
      restore()
    }
  })

  test('a call to a stopped process or an unknown name fails with NOPROC', async () => {
    const pid = await spawn(probe, newProbeLog())
    await stopProcess(pid)
    assert.equal(isAlive(pid), false)
    await assert.rejects(call(pid, 'x'), isCode('CINDER_ERR_NOPROC'))
    await assert.rejects(call('nobody-has-this-name', 'x'), (err) => {
      isCode('CINDER_ERR_NOPROC')(err)
      assert.match((err as Error).message, /nobody-has-this-name/)
      return true
    })
    assert.throws(() => send('nobody-has-this-name', 1), isCode('CINDER_ERR_NOPROC'))
    cast('nobody-has-this-name', 1) // casts never fail
    send(pid, 1) // sending to a dead pid is a no-op
  })

  test('a callee that stops before replying fails the call with CALLEE_EXITED and the reason', async () => {
    const reason = new Error('went away')
    const b: Behaviour<null> = {
      init: () => null,
      handleCall: (req, _from, s) => (req === 'die' ? stop(reason, s) : noreply(s)),
    }
    const pid = await spawn(b, undefined)
    const parked = call(pid, 'park')
    const dying = call(pid, 'die')
    const queued = call(pid, 'after')
    for (const p of [parked, dying, queued]) {
      await assert.rejects(
        p,
        (err) => isCode('CINDER_ERR_CALLEE_EXITED')(err) && (err as Error).cause === reason,
      )
    }
    assert.equal(logs.filter((l) => l.level === 'error').length, 1)
  })

  test('a handleCall that throws, rejects or returns a bad shape fails that call with CALLEE_EXITED', async () => {
    const boom = new Error('boom')
    const handlers: Array<NonNullable<Behaviour<null>['handleCall']>> = [
      () => {
        throw boom
      },
      async () => {
        await Promise.resolve()
        throw boom
      },
      () => ({ reply: 1 }) as never,
    ]
    for (const handleCall of handlers) {
      const pid = await spawn<null, void>({ init: () => null, handleCall }, undefined)
      await assert.rejects(call(pid, 'x', Number.POSITIVE_INFINITY), (err) => {
        const cause = (err as Error).cause
        return (
          isCode('CINDER_ERR_CALLEE_EXITED')(err) &&
          (cause === boom || isCode('CINDER_ERR_BAD_RETURN')(cause))
        )
      })
      assert.equal(isAlive(pid), false)
    }
  })

  test('replyTo answers a deferred call, stop can reply, and calling yourself is refused', async () => {
    let parked: From | undefined
    const b: Behaviour<number> = {
      init: () => 0,
      async handleCall(req, from, n) {
        if (req === 'park') {
          parked = from
          return noreply(n)
        }
        if (req === 'release' && parked) {
          assert.equal(replyTo(parked, 'released'), true)
          assert.equal(replyTo(parked, 'twice'), false)
          return reply('ok', n)
        }
        if (req === 'self') {
          await assert.rejects(call(self(), 'x'), isCode('CINDER_ERR_CALL_SELF'))
          return reply('refused', n)
        }
        return stop('normal', n, 'bye')
      },
    }
    const pid = await spawn(b, undefined)
    const parkedCall = call(pid, 'park')
    assert.equal(await call(pid, 'release'), 'ok')
    assert.equal(await parkedCall, 'released')
    assert.equal(await call(pid, 'self'), 'refused')
    assert.equal(await call(pid, 'quit'), 'bye')
    await settle()
    assert.equal(isAlive(pid), false)
    assert.throws(() => replyTo({ caller: undefined }, 1), isCode('CINDER_ERR_PROCESS_BAD_ARG'))
  })
})

describe('crashes and bad returns', () => {
  test('a wrong return shape crashes only that process with BAD_RETURN, logged once with its name', async () => {
    const b: Behaviour<number> = {
      name: 'sloppy',
      init: () => 0,
      handleCast: (_m, n) => ({ count: n + 1 }) as never,
      handleCall: (_r, _f, n) => reply(n, n),
    }
    const reasons: unknown[] = []
    const bad = await spawn(b, undefined, { name: 'sloppy-1' })
    onExit(bad, (r) => reasons.push(r))
    const sibling = await spawn(probe, newProbeLog())
    cast(bad, 'go')
    await settle()
    assert.equal(isAlive(bad), false)
    assert.equal(reasons.length, 1)
    const reason = reasons[0]
    assert.ok(reason instanceof CinderError)
    assert.equal(reason.code, 'CINDER_ERR_BAD_RETURN')
    assert.match(reason.message, /noreply\(state\) or stop\(reason, state\)/)
    assert.match(reason.message, /\{"count":1\}/)
    const errors = logs.filter((l) => l.level === 'error')
    assert.equal(errors.length, 1)
    assert.match(errors[0]?.message ?? '', /sloppy-1/)
    assert.match(errors[0]?.message ?? '', /BAD_RETURN|must return/)
    assert.equal(await call(sibling, 'count'), 0)
    await stopProcess(sibling)
  })

  test('a rejected promise in a handler is a crash with its stack in the log', async () => {
    const b: Behaviour<null> = {
      init: () => null,
      async handleInfo() {
        await Promise.resolve()
        throw new Error('async boom')
      },
    }
    const pid = await spawn(b, undefined, { name: 'async-crasher' })
    send(pid, 'x')
    await settle()
    assert.equal(isAlive(pid), false)
    const errors = logs.filter((l) => l.level === 'error')
    assert.equal(errors.length, 1)
    assert.match(errors[0]?.message ?? '', /async-crasher/)
    assert.match(errors[0]?.message ?? '', /async boom\n\s+at /)
  })

  test('a missing handleCast crashes with NO_HANDLER; a missing handleInfo only warns', async () => {
    const pid = await spawn({ init: () => null }, undefined)
    send(pid, 'stray')
    await settle()
    assert.equal(isAlive(pid), true)
    assert.equal(logs.filter((l) => l.level === 'warn').length, 1)
    const done = new Promise((resolve) => onExit(pid, resolve))
    cast(pid, 'x')
    const reason = await done
    assert.ok(reason instanceof CinderError && reason.code === 'CINDER_ERR_NO_HANDLER')
  })
})

describe('names', () => {
  test('register, whereis, unregister, NAME_TAKEN and names freed on exit', async () => {
    const a = await spawn(probe, newProbeLog(), { name: 'alpha' })
    assert.equal(whereis('alpha'), a)
    await assert.rejects(spawn(probe, newProbeLog(), { name: 'alpha' }), (err) => {
      isCode('CINDER_ERR_NAME_TAKEN')(err)
      assert.match(
        (err as Error).message,
        new RegExp(`alpha.*${a.toString().replace(/[<>.]/g, '.')}`),
      )
      return true
    })
    const b = await spawn(probe, newProbeLog())
    assert.throws(() => register('alpha', b), isCode('CINDER_ERR_NAME_TAKEN'))
    assert.equal(unregister('alpha'), true)
    register('alpha', b)
    send('alpha', 'hi')
    assert.equal(await call('alpha', 'count'), 1)
    await stopProcess('alpha')
    assert.equal(whereis('alpha'), undefined)
    assert.throws(() => register('beta', b), isCode('CINDER_ERR_NOPROC'))
    await stopProcess(a)
  })
})

describe('exit and terminate', () => {
  test('shutdown runs terminate with the reason; kill does not', async () => {
    const gentle = newProbeLog()
    const brutal = newProbeLog()
    const a = await spawn(probe, gentle)
    const b = await spawn(probe, brutal, { trapExit: true })
    exit(a, 'shutdown')
    exit(b, 'kill')
    assert.equal(isAlive(b), false)
    await settle()
    assert.equal(isAlive(a), false)
    assert.deepEqual(gentle.terminated, ['shutdown'])
    assert.deepEqual(brutal.terminated, [])
  })

  test("'normal' exit signals are ignored by a process that does not trap exits", async () => {
    const pid = await spawn(probe, newProbeLog())
    exit(pid, 'normal')
    await settle()
    assert.equal(isAlive(pid), true)
    await stopProcess(pid)
  })

  test('an exit signal during an async handler waits for it, then terminate sees the new state', async () => {
    let release: () => void = () => {}
    const seen: unknown[] = []
    const b: Behaviour<string> = {
      init: () => 'old',
      handleInfo: async (_m, _s) => {
        await new Promise<void>((resolve) => {
          release = resolve
        })
        return noreply('new')
      },
      terminate: (reason, s) => {
        seen.push(reason, s)
      },
    }
    const pid = await spawn(b, undefined)
    send(pid, 'work')
    await settle()
    exit(pid, 'shutdown')
    await settle()
    assert.equal(isAlive(pid), true)
    release()
    await settle()
    assert.equal(isAlive(pid), false)
    assert.deepEqual(seen, ['shutdown', 'new'])
  })

  test('onExit hooks (functions or listeners) run once with the reason and can be removed', async () => {
    const pid = await spawn(probe, newProbeLog())
    const got: unknown[] = []
    onExit(pid, (r) => got.push(['a', r]))
    const off = onExit(pid, (r) => got.push(['b', r]))
    off()
    const kept = (r: unknown) => got.push(['c', r])
    onExit(pid, kept)
    removeExitHook(pid, kept)
    const listener = { processExited: (r: unknown) => got.push(['listener', r]) }
    onExit(pid, listener)
    onExit(pid, listener)
    exit(pid, { shutdown: 'bye' })
    await settle()
    assert.deepEqual(got, [
      ['a', { shutdown: 'bye' }],
      ['listener', { shutdown: 'bye' }],
    ])
    const late: unknown[] = []
    onExit(pid, (r) => late.push(r))
    onExit(pid, { processExited: (r) => late.push(['listener', r]) })
    await settle()
    assert.deepEqual(late, ['noproc', ['listener', 'noproc']])
  })
})
