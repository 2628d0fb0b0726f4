import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { CinderError } from '../../src/errors.ts'
import {
  type Behaviour,
  type ChildSpec,
  cast,
  childSpec,
  countChildren,
  deleteChild,
  isAlive,
  MAX_RESTART_INTENSITY,
  noreply,
  onExit,
  type Pid,
  processCount,
  restartChild,
  type Strategy,
  setClock,
  startChild,
  startDynamicSupervisor,
  startSupervisor,
  stop,
  stopProcess,
  supervisorSpec,
  TestClock,
  terminateChild,
  whichChildren,
} from '../../src/process/index.ts'
import { captureLogs, type LogLine, settle } from './helpers.ts'

let logs: LogLine[]
let restoreLogger: () => void
let clock: TestClock
let restoreClock: () => void
beforeEach(() => {
  const captured = captureLogs()
  logs = captured.lines
  restoreLogger = captured.restore
  clock = new TestClock()
  restoreClock = setClock(clock)
})
afterEach(() => {
  restoreLogger()
  restoreClock()
})

function isCode(code: string, pattern?: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof CinderError, `expected a CinderError, got ${String(err)}`)
    assert.equal(err.code, code)
    if (pattern) assert.match(err.message, pattern)
    return true
  }
}

// A worker that writes 'start <id>' and 'stop <id> <reason>' to a journal.
interface WorkerArgs {
  id: string
  journal: string[]
  hangOnStop?: boolean
}
const worker: Behaviour<WorkerArgs, WorkerArgs> = {
  name: 'worker',
  init(args) {
    args.journal.push(`start ${args.id}`)
    return args
  },
  handleCast(msg, s) {
    if (msg === 'crash') throw new Error(`${s.id} crashed`)
    if (msg === 'quit') return stop('normal', s)
    return noreply(s)
  },
  terminate(reason, s) {
    s.journal.push(`stop ${s.id} ${typeof reason === 'string' ? reason : 'crash'}`)
    return s.hangOnStop ? new Promise<void>(() => {}) : undefined
  },
}

function spec(
  id: string,
  journal: string[],
  extra: Partial<ChildSpec> & { hangOnStop?: boolean } = {},
): ChildSpec {
  const { hangOnStop, ...rest } = extra
  return {
    ...childSpec(id, worker, { id, journal, ...(hangOnStop ? { hangOnStop } : {}) }),
    ...rest,
  }
}

async function pidsOf(sup: Pid): Promise<Record<string, Pid | undefined>> {
  return Object.fromEntries((await whichChildren(sup)).map((c) => [c.id, c.pid]))
}

async function crash(pid: Pid | undefined): Promise<void> {
  assert.ok(pid)
  cast(pid, 'crash')
  await settle()
}

describe('strategies', () => {
  const cases: [Strategy, string[], string[]][] = [
    ['one_for_one', ['b'], ['start b']],
    [
      'one_for_all',
      ['a', 'b', 'c'],
      ['stop c shutdown', 'stop a shutdown', 'start a', 'start b', 'start c'],
    ],
    ['rest_for_one', ['b', 'c'], ['stop c shutdown', 'start b', 'start c']],
  ]
  for (const [strategy, restarted, journalAfterCrash] of cases) {
    test(`${strategy}: a crash of b restarts ${restarted.join(', ')} in order, stopping in reverse`, async () => {
      const journal: string[] = []
      const sup = await startSupervisor(
        ['a', 'b', 'c'].map((id) => spec(id, journal)),
        { strategy },
      )
      assert.deepEqual(journal, ['start a', 'start b', 'start c'])
      const before = await pidsOf(sup)
      journal.length = 0
      await crash(before.b)
      // b's own terminate runs first (crash), then the strategy.
      assert.deepEqual(journal, ['stop b crash', ...journalAfterCrash])
      const after = await pidsOf(sup)
      for (const id of ['a', 'b', 'c']) {
        const alive = after[id]
        assert.ok(alive && isAlive(alive), `${id} runs`)
        assert.equal(alive === before[id], !restarted.includes(id), `${id} restarted?`)
      }
      assert.equal(logs.filter((l) => l.level === 'error').length, 1, 'only the crash is logged')
      await stopProcess(sup)
    })
  }
})

describe('restart types', () => {
  test('permanent restarts after any exit; transient only after a crash; temporary never and is forgotten', async () => {
    const journal: string[] = []
    const sup = await startSupervisor([
      spec('perm', journal),
      spec('trans', journal, { restart: 'transient' }),
      spec('trans2', journal, { restart: 'transient' }),
      spec('temp', journal, { restart: 'temporary' }),
    ])
    const p = await pidsOf(sup)
    for (const id of ['perm', 'trans']) cast(p[id] as Pid, 'quit')
    cast(p.trans2 as Pid, 'crash')
    cast(p.temp as Pid, 'crash')
    await settle()
    const after = await pidsOf(sup)
    assert.ok(after.perm && after.perm !== p.perm, 'permanent restarted after a normal exit')
    assert.equal(after.trans, undefined, 'transient not restarted after a normal exit')
    assert.ok(after.trans2 && after.trans2 !== p.trans2, 'transient restarted after a crash')
    assert.equal('temp' in after, false, 'temporary removed')
    assert.deepEqual(await countChildren(sup), { specs: 3, active: 2, supervisors: 0, workers: 3 })
    await stopProcess(sup)
  })
})

describe('intensity', () => {
  test('restarts spread over time are fine; more than maxRestarts in maxSeconds escalates to the parent', async () => {
    const journal: string[] = []
    const inner = supervisorSpec('inner', [spec('w', journal)], { maxRestarts: 2, maxSeconds: 5 })
    const root = await startSupervisor([spec('sibling', journal), inner])
    const innerPid = (await pidsOf(root)).inner as Pid
    const sibling = (await pidsOf(root)).sibling
    for (let i = 0; i < 4; i++) {
      await crash((await pidsOf(innerPid)).w)
      clock.advance(3000) // at most 2 crashes fall in any 5 s window
    }
    assert.equal(isAlive(innerPid), true, 'no escalation while restarts are spread')
    let innerReason: unknown
    onExit(innerPid, (r) => {
      innerReason = r
    })
    clock.advance(5000) // the window is empty again
    await crash((await pidsOf(innerPid)).w)
    await crash((await pidsOf(innerPid)).w)
    assert.equal(innerReason, undefined, 'two restarts in the window are allowed')
    await crash((await pidsOf(innerPid)).w)
    assert.deepEqual(innerReason, MAX_RESTART_INTENSITY)
    const now = await pidsOf(root)
    assert.ok(
      now.inner && now.inner !== innerPid && isAlive(now.inner),
      'the parent restarted the inner supervisor',
    )
    assert.equal(now.sibling, sibling, 'the sibling kept running')
    assert.ok((await pidsOf(now.inner)).w)
    assert.ok(logs.some((l) => /maximum restart intensity/.test(l.message)))
    await stopProcess(root)
  })

  test('a start function that keeps throwing is retried, then the supervisor gives up', async () => {
    const journal: string[] = []
    let fail = false
    const flaky: ChildSpec = {
      id: 'flaky',
      start: () =>
        fail
          ? Promise.reject(new Error('db down'))
          : childSpec('flaky', worker, { id: 'flaky', journal }).start(),
    }
    const sup = await startSupervisor([flaky], { maxRestarts: 3 })
    const reason = new Promise((resolve) => onExit(sup, resolve))
    fail = true
    await crash((await pidsOf(sup)).flaky)
    assert.deepEqual(await reason, MAX_RESTART_INTENSITY)
    assert.ok(logs.filter((l) => /db down/.test(l.message)).length >= 2)
  })
})

describe('stopping', () => {
  test('children stop in reverse start order, each with reason shutdown, and nothing is left', async () => {
    const before = processCount()
    const journal: string[] = []
    const sup = await startSupervisor([
      spec('a', journal),
      supervisorSpec('nested', [spec('n1', journal), spec('n2', journal)]),
      spec('c', journal),
    ])
    await stopProcess(sup, 'shutdown')
    assert.deepEqual(journal, [
      'start a',
      'start n1',
      'start n2',
      'start c',
      'stop c shutdown',
      'stop n2 shutdown',
      'stop n1 shutdown',
      'stop a shutdown',
    ])
    assert.equal(processCount(), before)
    assert.equal(clock.pending, 0)
  })

  test('a child that does not stop within its shutdown time is killed; brutal_kill skips terminate', async () => {
    const journal: string[] = []
    const sup = await startSupervisor([
      spec('brutal', journal, { shutdown: 'brutal_kill' }),
      spec('slow', journal, { shutdown: 1000, hangOnStop: true }),
    ])
    const { slow, brutal } = await pidsOf(sup)
    const stopped = stopProcess(sup)
    await settle()
    assert.deepEqual(journal.slice(2), ['stop slow shutdown'])
    clock.advance(999)
    await settle()
    assert.equal(isAlive(slow as Pid), true, 'still within its shutdown time')
    clock.advance(1)
    await stopped
    assert.equal(isAlive(slow as Pid), false)
    assert.equal(isAlive(brutal as Pid), false)
    assert.deepEqual(journal.slice(2), ['stop slow shutdown'], 'brutal_kill ran no terminate')
    assert.ok(logs.some((l) => l.level === 'warn' && /did not stop within 1000 ms/.test(l.message)))
  })
})

describe('child management', () => {
  test('which/count/terminate/restart/delete, with NO_CHILD and CHILD_RUNNING', async () => {
    const journal: string[] = []
    const sup = await startSupervisor([spec('a', journal)])
    const b = await startChild(sup, spec('b', journal))
    assert.deepEqual(
      (await whichChildren(sup)).map((c) => [c.id, c.type, c.restart, c.pid !== undefined]),
      [
        ['a', 'worker', 'permanent', true],
        ['b', 'worker', 'permanent', true],
      ],
    )
    await assert.rejects(restartChild(sup, 'b'), isCode('CINDER_ERR_CHILD_RUNNING', /"b"/))
    await assert.rejects(deleteChild(sup, 'b'), isCode('CINDER_ERR_CHILD_RUNNING'))
    await terminateChild(sup, 'b')
    assert.equal(isAlive(b), false)
    assert.equal((await pidsOf(sup)).b, undefined)
    const b2 = await restartChild(sup, 'b')
    assert.ok(isAlive(b2) && b2 !== b)
    await terminateChild(sup, b2)
    await deleteChild(sup, 'b')
    assert.deepEqual(Object.keys(await pidsOf(sup)), ['a'])
    await assert.rejects(terminateChild(sup, 'zz'), isCode('CINDER_ERR_NO_CHILD', /"zz"/))
    await assert.rejects(restartChild(sup, 'zz'), isCode('CINDER_ERR_NO_CHILD'))
    await assert.rejects(
      startChild(sup, spec('a', journal)),
      isCode('CINDER_ERR_BAD_CHILD_SPEC', /already has a child/),
    )
    await stopProcess(sup)
  })

  test('bad specs and throwing starts give clear errors; the supervisor and its children keep running', async () => {
    const journal: string[] = []
    await assert.rejects(
      startSupervisor([{ id: 'x' } as unknown as ChildSpec]),
      isCode(
        'CINDER_ERR_BAD_CHILD_SPEC',
        /start must be a function.*expected \{ id: string, start/,
      ),
    )
    await assert.rejects(
      startSupervisor([spec('a', journal), spec('a', journal)]),
      isCode('CINDER_ERR_BAD_CHILD_SPEC', /two children have the id "a"/),
    )
    await assert.rejects(
      startSupervisor([{ ...spec('a', journal), restart: 'sometimes' } as unknown as ChildSpec]),
      isCode('CINDER_ERR_BAD_CHILD_SPEC', /restart must be .*got "sometimes"/),
    )
    const sup = await startSupervisor([spec('a', journal)])
    const a = (await pidsOf(sup)).a
    await assert.rejects(
      startChild(sup, { start: 42 } as unknown as ChildSpec),
      isCode('CINDER_ERR_BAD_CHILD_SPEC', /id is missing/),
    )
    const boom = new Error('cannot open port')
    await assert.rejects(
      startChild(sup, { id: 'thrower', start: () => Promise.reject(boom) }),
      (err) =>
        isCode('CINDER_ERR_START_FAILED', /"thrower".*cannot open port/)(err) &&
        (err as Error).cause === boom,
    )
    await assert.rejects(
      startChild(sup, { id: 'liar', start: async () => 'not a pid' as unknown as Pid }),
      isCode('CINDER_ERR_BAD_RETURN', /must resolve to a Pid/),
    )
    assert.ok(isAlive(sup))
    assert.equal((await pidsOf(sup)).a, a)
    assert.ok(a && isAlive(a))
    await stopProcess(sup)

    // A child failing during the supervisor's own start: earlier children are stopped again.
    journal.length = 0
    await assert.rejects(
      startSupervisor([spec('first', journal), { id: 'bad', start: () => Promise.reject(boom) }]),
      isCode('CINDER_ERR_START_FAILED'),
    )
    assert.deepEqual(journal, ['start first', 'stop first shutdown'])
  })
})

describe('DynamicSupervisor', () => {
  test('starts children on demand up to maxChildren, restarts them, terminates them', async () => {
    const journal: string[] = []
    const sup = await startDynamicSupervisor({ maxChildren: 2 })
    const one = await startChild(sup, spec('one', journal))
    const two = await startChild(sup, spec('two', journal, { restart: 'temporary' }))
    await assert.rejects(
      startChild(sup, spec('three', journal)),
      isCode('CINDER_ERR_MAX_CHILDREN', /maximum of 2/),
    )
    assert.deepEqual(await countChildren(sup), { specs: 2, active: 2, supervisors: 0, workers: 2 })
    await crash(one)
    const after = await whichChildren(sup)
    assert.equal(after.length, 2)
    const restarted = after.find((c) => c.id === 'one')?.pid
    assert.ok(restarted && restarted !== one && isAlive(restarted))
    await crash(two) // temporary: gone, frees a slot
    assert.equal((await countChildren(sup)).active, 1)
    const three = await startChild(sup, spec('three', journal))
    await terminateChild(sup, three)
    assert.equal(isAlive(three), false)
    await assert.rejects(terminateChild(sup, three), isCode('CINDER_ERR_NO_CHILD'))
    await assert.rejects(
      startChild(sup, { id: 'x', start: () => Promise.reject(new Error('nope')) }),
      isCode('CINDER_ERR_START_FAILED'),
    )
    assert.ok(isAlive(restarted))
    await stopProcess(sup)
    assert.equal(isAlive(restarted), false)
  })
})
