import assert from 'node:assert/strict'
import { afterEach, beforeEach, test } from 'node:test'
import { CinderError } from '../../src/errors.ts'
import {
  type Behaviour,
  call,
  cast,
  type DownMessage,
  demonitor,
  type ExitMessage,
  exit,
  isAlive,
  link,
  monitor,
  noreply,
  type Pid,
  type Ref,
  reply,
  spawn,
  stopProcess,
  unlink,
} from '../../src/process/index.ts'
import { captureLogs, type LogLine, newProbeLog, probe, settle } from './helpers.ts'

let logs: LogLine[]
let restoreLogger: () => void
beforeEach(() => {
  const captured = captureLogs()
  logs = captured.lines
  restoreLogger = captured.restore
})
afterEach(() => restoreLogger())

// A process that runs commands sent as casts ({ link }, { monitor }, …) and records infos.
interface Cmd {
  link?: Pid
  unlink?: Pid
  monitor?: Pid
  demonitor?: boolean
  spawnLinked?: true
}
interface AgentState {
  infos: unknown[]
  refs: Ref[]
  children: Pid[]
}
const agent: Behaviour<AgentState, AgentState> = {
  name: 'agent',
  init: (s) => s,
  async handleCast(cmd, s) {
    const c = cmd as Cmd
    if (c.link) link(c.link)
    if (c.unlink) unlink(c.unlink)
    if (c.monitor) s.refs.push(monitor(c.monitor))
    if (c.demonitor) for (const ref of s.refs) demonitor(ref)
    if (c.spawnLinked) s.children.push(await spawn(probe, newProbeLog(), { link: true }))
    return noreply(s)
  },
  handleCall: (_r, _f, s) => reply(s.infos.length, s),
  handleInfo(message, s) {
    s.infos.push(message)
    return noreply(s)
  },
}
const fresh = (): AgentState => ({ infos: [], refs: [], children: [] })

test('a crash propagates along links; the crash is logged once', async () => {
  const a = await spawn(agent, fresh())
  const b = await spawn(probe, newProbeLog())
  const c = await spawn(agent, fresh())
  cast(a, { link: b })
  cast(c, { link: a })
  const bystander = await spawn(probe, newProbeLog())
  await settle()
  cast(b, 'crash')
  await settle()
  assert.equal(isAlive(b), false)
  assert.equal(isAlive(a), false)
  assert.equal(isAlive(c), false)
  assert.equal(isAlive(bystander), true)
  assert.equal(logs.filter((l) => l.level === 'error').length, 1)
  await stopProcess(bystander)
})

test("a 'normal' exit does not stop linked processes; unlink cuts the link", async () => {
  const a = await spawn(agent, fresh())
  const b = await spawn(probe, newProbeLog())
  const c = await spawn(probe, newProbeLog())
  cast(a, { link: b })
  cast(a, { link: c })
  cast(a, { unlink: c })
  await settle()
  await stopProcess(b, 'normal')
  cast(c, 'crash')
  await settle()
  assert.equal(isAlive(a), true)
  await stopProcess(a)
})

test('trapped exits arrive as EXIT messages, and kill is not trappable', async () => {
  const state = fresh()
  const trapper = await spawn(agent, state, { trapExit: true })
  const b = await spawn(probe, newProbeLog())
  cast(trapper, { link: b })
  await settle()
  cast(b, 'crash')
  await settle()
  assert.equal(isAlive(trapper), true)
  const msg = state.infos[0] as ExitMessage
  assert.equal(msg.type, 'EXIT')
  assert.equal(msg.pid, b)
  assert.ok(msg.reason instanceof Error)
  exit(trapper, 'shutdown') // from outside: trapped too
  await settle()
  assert.deepEqual(state.infos[1], {
    type: 'EXIT',
    pid: (state.infos[1] as ExitMessage).pid,
    reason: 'shutdown',
  })
  assert.equal(isAlive(trapper), true)
  exit(trapper, 'kill')
  assert.equal(isAlive(trapper), false)
})

test('a linked child stops with its parent; a killed process reaches links as killed', async () => {
  const parentState = fresh()
  const parent = await spawn(agent, parentState)
  cast(parent, { spawnLinked: true })
  await settle()
  const child = parentState.children[0] as Pid
  assert.equal(isAlive(child), true)
  const watcherState = fresh()
  const watcher = await spawn(agent, watcherState, { trapExit: true })
  cast(watcher, { link: parent })
  await settle()
  exit(parent, 'kill')
  await settle()
  assert.equal(isAlive(child), false)
  assert.deepEqual(watcherState.infos, [{ type: 'EXIT', pid: parent, reason: 'killed' }])
  await stopProcess(watcher)
})

test('monitors deliver one DOWN with the reason; demonitor drops it; a dead pid gives noproc', async () => {
  const state = fresh()
  const watcher = await spawn(agent, state)
  const target = await spawn(probe, newProbeLog())
  cast(watcher, { monitor: target })
  cast(watcher, { monitor: target })
  await settle()
  exit(target, { shutdown: 'done' })
  await settle()
  const downs = state.infos as DownMessage[]
  assert.equal(downs.length, 2, 'one DOWN per monitor')
  assert.notEqual(downs[0]?.ref, downs[1]?.ref)
  for (const d of downs) {
    assert.equal(d.type, 'DOWN')
    assert.equal(d.pid, target)
    assert.deepEqual(d.reason, { shutdown: 'done' })
  }
  cast(watcher, { monitor: target }) // already dead
  await settle()
  assert.equal((state.infos[2] as DownMessage).reason, 'noproc')
  assert.equal(state.infos.length, 3)

  const other = await spawn(probe, newProbeLog())
  cast(watcher, { monitor: other })
  cast(watcher, { demonitor: true })
  await settle()
  await stopProcess(other)
  await settle()
  assert.equal(await call(watcher, 'n'), 3)
  assert.equal(isAlive(watcher), true)
  await stopProcess(watcher)
})

test('link and monitor need a current process; link to a dead pid fails', async () => {
  const target = await spawn(probe, newProbeLog())
  assert.throws(
    () => link(target),
    (e) => e instanceof CinderError && e.code === 'CINDER_ERR_NOT_IN_PROCESS',
  )
  assert.throws(
    () => monitor(target),
    (e) => e instanceof CinderError && e.code === 'CINDER_ERR_NOT_IN_PROCESS',
  )
  await stopProcess(target)
  let thrown: unknown
  const b: Behaviour<null> = {
    init: () => null,
    handleCall(_r, _f, s) {
      try {
        link(target)
      } catch (err) {
        thrown = err
      }
      return reply(null, s)
    },
  }
  const pid = await spawn(b, undefined)
  await call(pid, 'go')
  assert.ok(thrown instanceof CinderError && thrown.code === 'CINDER_ERR_NOPROC')
  await stopProcess(pid)
})
