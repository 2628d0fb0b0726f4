/**
 * The process runtime's API: spawn, send, cast, call, replyTo, self,
 * stopProcess, and the framework-level hooks that tables, sockets, channels
 * and timers use.
 *
 * How it works. A process is a `Proc` object with a mailbox (proc.ts). A
 * message puts it on a ready queue that a microtask drains, a bounded slice
 * of messages per process and turn (scheduler.ts). Its stop reaches the
 * processes linked to it, its monitors and its exit hooks (signals.ts); its
 * registered name is freed (names.ts). This file checks the arguments and
 * puts each request in the right mailbox.
 */
import { CinderError, describe } from '../errors.ts'
import type { Behaviour, ExitReason, From } from './behaviour.ts'
import { getClock, type TimerHandle } from './clock.ts'
import { CALL, CAST, DEAD, INFO, INIT, RUNNING, STOP } from './codes.ts'
import { currentProc, enter, leave } from './context.ts'
import { noproc, reasonText } from './failures.ts'
import { claimName, nameHolder, nameTaken, type ProcessTarget, resolveTarget } from './names.ts'
import { Pid, procOf } from './pid.ts'
import { type AnyBehaviour, CallRequest, type Cancelable, Proc } from './proc.ts'
import { isThenable, schedule } from './scheduler.ts'
import { linkProcs, onExit, unlinkProcs } from './signals.ts'

export { currentProc } from './context.ts'
export { formatReason } from './failures.ts'
export type { ProcessTarget } from './names.ts'
export { register, registeredNames, resolveTarget, unregister, whereis } from './names.ts'
export { indexPids, livePid, processCount } from './proc.ts'
export {
  adopt,
  awaitExit,
  demonitor,
  exit,
  link,
  monitor,
  onExit,
  trapExits,
  unlink,
} from './signals.ts'

/** Options of `spawn`. */
export interface SpawnOptions {
  /** Register the process under this name (fails with `CINDER_ERR_NAME_TAKEN` if taken). */
  readonly name?: string
  /** Link the new process to the calling process (which must be a process). */
  readonly link?: boolean
  /** Receive exit signals as `{ type: 'EXIT', pid, reason }` messages instead of dying. */
  readonly trapExit?: boolean
}

/**
 * Starts a process running `behaviour`, resolving to its pid once `init`
 * returned (or its promise resolved).
 *
 * Rejects with `CINDER_ERR_START_FAILED` (the error `cause` is what init
 * threw) when init fails, `CINDER_ERR_NAME_TAKEN` when `options.name` is
 * taken, `CINDER_ERR_NOT_IN_PROCESS` for `link: true` outside a process.
 *
 * @example
 * const pid = await spawn(counter, 0, { name: 'counter' })
 * cast(pid, 5)
 * await call(pid, 'get') // 5
 */
export function spawn<State, Args>(
  behaviour: Behaviour<State, Args>,
  args: Args,
  options: SpawnOptions = {},
): Promise<Pid> {
  if (typeof behaviour !== 'object' || behaviour === null || typeof behaviour.init !== 'function') {
    return Promise.reject(notABehaviour(behaviour))
  }
  const { name, link = false, trapExit = false } = options
  if (name !== undefined) {
    const holder = nameHolder(name)
    if (holder !== undefined) return Promise.reject(nameTaken(name, holder.pid))
  }
  const parent = link ? currentProc() : null
  if (link && (parent === null || parent.status === DEAD)) {
    return Promise.reject(
      new CinderError(
        'CINDER_ERR_NOT_IN_PROCESS',
        'spawn with { link: true } must be called from inside a process (there is no caller to link to)',
      ),
    )
  }
  const p = new Proc(behaviour as AnyBehaviour, trapExit)
  if (name !== undefined) claimName(name, p)
  if (parent !== null) {
    linkProcs(parent, p)
    p.parent = parent
  }
  return runInit(p, args)
}

function notABehaviour(behaviour: unknown): CinderError {
  return new CinderError(
    'CINDER_ERR_PROCESS_BAD_ARG',
    `spawn expects a behaviour: an object with an init(args, ctx) function (and optional handleCall, handleCast, handleInfo, terminate); got ${describe(behaviour)}`,
  )
}

/** Runs `init` in the new process; resolves to its pid once the state is there. */
function runInit(p: Proc, args: unknown): Promise<Pid> {
  const prev = enter(p)
  p.active = true
  let out: unknown
  try {
    out = callInit(p, args)
  } catch (err) {
    return Promise.reject(initFailed(p, err))
  } finally {
    leave(prev)
  }
  if (isThenable(out)) {
    return Promise.resolve(out).then(
      (state) => started(p, state),
      (err: unknown) => {
        throw initFailed(p, err)
      },
    )
  }
  try {
    return Promise.resolve(started(p, out))
  } catch (err) {
    return Promise.reject(err)
  }
}

function callInit(p: Proc, args: unknown): unknown {
  return p.behaviour.init(args, { self: p.pid })
}

function started(p: Proc, state: unknown): Pid {
  p.active = false
  if (p.status !== INIT) {
    const reason = p.reason
    if (p.status !== DEAD) {
      if (p.parent !== null) unlinkProcs(p.parent, p)
      p.finish(reason)
    }
    throw startFailed(p, `it was stopped during init (reason: ${reasonText(reason)})`, reason)
  }
  p.state = state
  p.hasState = true
  p.status = RUNNING
  if (p.hasMail()) schedule(p)
  return p.pid
}

function initFailed(p: Proc, err: unknown): CinderError {
  p.active = false
  if (p.status !== DEAD) {
    // spawn's rejection reports the failure to the caller; a link signal would say it twice.
    if (p.parent !== null) unlinkProcs(p.parent, p)
    p.finish(err)
  }
  return startFailed(p, `init threw ${reasonText(err)}`, err)
}

function startFailed(p: Proc, why: string, cause: unknown): CinderError {
  return new CinderError('CINDER_ERR_START_FAILED', `${p.label} failed to start: ${why}`, { cause })
}

/**
 * Sends `message` to `target`'s `handleInfo`. Sending to a pid that stopped
 * does nothing (as in Erlang); sending to a name nobody registered throws
 * `CINDER_ERR_NOPROC`.
 */
export function send(target: ProcessTarget, message: unknown): void {
  if (target instanceof Pid) {
    const p = procOf(target)
    if (p !== null) p.enqueue(INFO, message)
    return
  }
  const p = resolveTarget(target, 'send')
  if (p === null) throw noproc(target, 'send')
  p.enqueue(INFO, message)
}

/** Sends `message` to `target`'s `handleCast`. Fire and forget: never fails, even for a dead target. */
export function cast(target: ProcessTarget, message: unknown): void {
  const p = resolveTarget(target, 'cast')
  if (p !== null) p.enqueue(CAST, message)
}

/**
 * Sends `request` to `target`'s `handleCall` and resolves to its reply.
 *
 * Rejects with `CINDER_ERR_CALL_TIMEOUT` after `timeoutMs` (measured on the
 * runtime clock; `Infinity` waits forever), `CINDER_ERR_NOPROC` when the
 * target is not alive or the name is unknown, `CINDER_ERR_CALLEE_EXITED`
 * (with the exit reason as `cause`) when the target stops before replying,
 * and `CINDER_ERR_CALL_SELF` when a process calls itself.
 */
export function call<Result = unknown>(
  target: ProcessTarget,
  request: unknown,
  timeoutMs = 5000,
): Promise<Result> {
  let p: Proc | null
  try {
    p = resolveTarget(target, 'call')
  } catch (err) {
    return Promise.reject(err)
  }
  if (p === null || p.status === DEAD) return Promise.reject(noproc(target, 'call'))
  if (!(timeoutMs >= 0)) return Promise.reject(badTimeout(timeoutMs))
  const caller = currentProc()
  if (caller === p) return Promise.reject(callSelf(p, request))
  const callee = p
  return new Promise<Result>((resolve, reject) => {
    const req = new CallRequest(
      caller?.pid,
      request,
      callee,
      resolve as (value: unknown) => void,
      reject,
    )
    if (timeoutMs !== Number.POSITIVE_INFINITY) {
      req.timer = getClock().setTimeout(() => timeOut(req, timeoutMs), timeoutMs)
    }
    callee.enqueue(CALL, req)
  })
}

function badTimeout(timeoutMs: number): CinderError {
  return new CinderError(
    'CINDER_ERR_PROCESS_BAD_ARG',
    `call expects a timeout in ms (a number >= 0, or Infinity); got ${describe(timeoutMs)}`,
  )
}

function callSelf(p: Proc, request: unknown): CinderError {
  return new CinderError(
    'CINDER_ERR_CALL_SELF',
    `${p.label} called itself with ${describe(request)}; it would wait for its own reply forever (handle the request directly instead)`,
  )
}

function timeOut(req: CallRequest, timeoutMs: number): void {
  req.timer = undefined
  req.fail(
    new CinderError(
      'CINDER_ERR_CALL_TIMEOUT',
      `call to ${req.callee.label} got no reply within ${timeoutMs} ms; request: ${describe(req.request)}`,
    ),
  )
}

/**
 * Answers a call that `handleCall` left open with `noreply(state)`. May be
 * called from any process (or outside one). Returns false when the call was
 * already answered, timed out or its callee stopped.
 */
export function replyTo(from: From, value: unknown): boolean {
  if (!(from instanceof CallRequest)) {
    throw new CinderError(
      'CINDER_ERR_PROCESS_BAD_ARG',
      `replyTo expects the 'from' given to handleCall; got ${describe(from)}`,
    )
  }
  return from.settle(value)
}

/** The pid of the current process. Throws `CINDER_ERR_NOT_IN_PROCESS` outside any process. */
export function self(): Pid {
  const p = currentProc()
  if (p === null) {
    throw new CinderError(
      'CINDER_ERR_NOT_IN_PROCESS',
      'self() was called outside any process (use currentPid() to test for one)',
    )
  }
  return p.pid
}

/** The pid of the current process, or undefined outside any process. */
export function currentPid(): Pid | undefined {
  return currentProc()?.pid
}

/** True until the process has stopped (its terminate finished or it was killed). */
export function isAlive(pid: Pid): boolean {
  return procOf(pid) !== null
}

/**
 * Asks `target` to stop with `reason` (after the messages already in its
 * mailbox, then `terminate`) and resolves once it has stopped. Unlike
 * `exit`, works the same whether or not the process traps exits.
 * After `timeoutMs` the process is killed and the promise rejects with
 * `CINDER_ERR_CALL_TIMEOUT`.
 */
export function stopProcess(
  target: ProcessTarget,
  reason: ExitReason = 'normal',
  timeoutMs = Number.POSITIVE_INFINITY,
): Promise<void> {
  let p: Proc | null
  try {
    p = resolveTarget(target, 'stopProcess')
  } catch (err) {
    return Promise.reject(err)
  }
  if (p === null || p.status === DEAD) return Promise.reject(noproc(target, 'stopProcess'))
  if (p === currentProc()) {
    return Promise.reject(
      new CinderError(
        'CINDER_ERR_CALL_SELF',
        `${p.label} called stopProcess on itself; return stop(reason, state) from the handler instead`,
      ),
    )
  }
  const proc = p
  return new Promise<void>((resolve, reject) => {
    let timer: TimerHandle | undefined
    onExit(proc.pid, () => {
      if (timer !== undefined) getClock().clearTimeout(timer)
      resolve()
    })
    if (timeoutMs !== Number.POSITIVE_INFINITY) {
      timer = getClock().setTimeout(() => {
        timer = undefined
        reject(
          new CinderError(
            'CINDER_ERR_CALL_TIMEOUT',
            `stopProcess: ${proc.label} did not stop within ${timeoutMs} ms; it was killed`,
          ),
        )
        proc.finish('killed')
      }, timeoutMs)
    }
    proc.enqueue(STOP, reason)
  })
}

/** @internal Registers a timer owned by the process behind `pid` (cancelled when it stops). */
export function ownTimer(pid: Pid, timer: Cancelable): boolean {
  const p = procOf(pid)
  if (p === null) return false
  if (p.timers === null) p.timers = new Set()
  p.timers.add(timer)
  return true
}

/** @internal Forgets a timer that fired or was cancelled. */
export function disownTimer(pid: Pid, timer: Cancelable): void {
  procOf(pid)?.timers?.delete(timer)
}

/** @internal Delivers a timer's message. */
export function deliverInfo(pid: Pid, message: unknown): void {
  procOf(pid)?.enqueue(INFO, message)
}
