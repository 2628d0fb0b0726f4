/**
 * The process runtime: spawn, mailboxes, call/cast/send, links, monitors,
 * exit signals and names.
 *
 * How it works. A process is a `Proc` object with a mailbox (a flat array of
 * `kind, payload` pairs, allocated on first use). Enqueuing a message puts the
 * process on a ready queue that one microtask drains: each process handles up
 * to `SLICE` messages per turn, synchronously, one after the other. When a
 * handler returns a promise, the process stays "active" and its mailbox
 * waits until the promise settles, which keeps the one-message-at-a-time
 * order for async handlers without a promise per synchronous message. After
 * `TURN_BUDGET` messages the queue yields to the event loop (setImmediate) so
 * I/O is not starved.
 *
 * `self()` reads a module variable while a handler runs synchronously and an
 * AsyncLocalStorage store (entered once per drain, not per message) after an
 * `await` inside a handler.
 *
 * Stopping runs in two steps: `beginExit` marks the process EXITING (the
 * handler in flight, if any, finishes first), then `terminate` runs, then
 * `finish` tells links, monitors and exit hooks and frees everything. `'kill'`
 * jumps straight to `finish`.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { CinderError, describe } from '../errors.ts'
import {
  type Behaviour,
  type DownMessage,
  type ExitMessage,
  type ExitReason,
  type From,
  isNormalExit,
  Outcome,
} from './behaviour.ts'
import { getClock, type TimerHandle } from './clock.ts'
import { getLogger } from './logger.ts'
import { detachPid, Pid, procOf, Ref } from './pid.ts'

/** A process by pid, or by the name it was registered under. */
export type ProcessTarget = Pid | string

/** Options of `spawn`. */
export interface SpawnOptions {
  /** Register the process under this name (fails with `CINDER_ERR_NAME_TAKEN` if taken). */
  readonly name?: string
  /** Link the new process to the calling process (which must be a process). */
  readonly link?: boolean
  /** Receive exit signals as `{ type: 'EXIT', pid, reason }` messages instead of dying. */
  readonly trapExit?: boolean
}

// Process states.
const INIT = 0
const RUNNING = 1
const EXITING = 2
const DEAD = 3

// Mailbox entry kinds.
const INFO = 0
const CAST = 1
const CALL = 2
const DOWN = 3
const EXIT = 4
const STOP = 5

const SLICE = 512
const TURN_BUDGET = 65_536

/** Returned by `invoke` when the message needs no outcome (skipped or handled by the runtime). */
const SKIP: unique symbol = Symbol('skip')

type AnyBehaviour = Behaviour<unknown, unknown, unknown, unknown, unknown>
type ExitHook = (reason: ExitReason) => void
interface Cancelable {
  cancel(): boolean
}

const als = new AsyncLocalStorage<Proc>()
let current: Proc | null = null
let liveCount = 0
const names = new Map<string, Proc>()
/**
 * Live processes by pid number, so a pid named in a message from another node finds its
 * process. Kept only once a multi-node PubSub or a cluster asked for it (`indexPids`): a set and
 * a delete per process cost about a quarter of a spawn, which a single node need not pay.
 */
let byId: Map<number, Proc> | null = null

/** @internal A pending `call`: the `From` handed to `handleCall`. */
export class CallRequest implements From {
  readonly caller: Pid | undefined
  readonly request: unknown
  readonly callee: Proc
  readonly #resolve: (value: unknown) => void
  readonly #reject: (error: unknown) => void
  timer: TimerHandle | undefined = undefined
  done = false

  constructor(
    caller: Pid | undefined,
    request: unknown,
    callee: Proc,
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
  ) {
    this.caller = caller
    this.request = request
    this.callee = callee
    this.#resolve = resolve
    this.#reject = reject
  }

  settle(value: unknown): boolean {
    if (this.done) return false
    this.#close()
    this.#resolve(value)
    return true
  }

  fail(error: unknown): void {
    if (this.done) return
    this.#close()
    this.#reject(error)
  }

  #close(): void {
    this.done = true
    if (this.timer !== undefined) getClock().clearTimeout(this.timer)
    this.callee.deferred?.delete(this)
  }
}

/** @internal One monitor, seen from both its watcher and its target. */
class Monitor {
  readonly ref: Ref
  readonly watcher: Proc
  readonly target: Proc | null
  readonly targetPid: Pid
  reason: ExitReason = undefined
  active = true

  constructor(ref: Ref, watcher: Proc, target: Proc | null, targetPid: Pid) {
    this.ref = ref
    this.watcher = watcher
    this.target = target
    this.targetPid = targetPid
  }
}

/** @internal A running process. Not exported from the barrel; use the module functions. */
export class Proc {
  readonly pid: Pid
  readonly behaviour: AnyBehaviour
  state: unknown = undefined
  status = INIT
  hasState = false
  trapExit: boolean
  /** On the ready queue. */
  queued = false
  /** A handler (or init/terminate) is running or awaited: the mailbox waits. */
  active = false
  reason: ExitReason = undefined
  name: string | undefined = undefined
  parent: Proc | null = null
  queue: unknown[] | null = null
  head = 0
  links: Set<Proc> | null = null
  /** Monitors others hold on this process. */
  monitors: Map<Ref, Monitor> | null = null
  /** Monitors this process holds on others. */
  watching: Map<Ref, Monitor> | null = null
  hooks: Set<ExitHook> | null = null
  timers: Set<Cancelable> | null = null
  /** Calls answered with `noreply`, still waiting for `replyTo`. */
  deferred: Set<CallRequest> | null = null

  constructor(behaviour: AnyBehaviour, trapExit: boolean) {
    this.pid = Pid.mint(this)
    this.behaviour = behaviour
    this.trapExit = trapExit
  }

  get label(): string {
    const name = this.name ?? this.behaviour.name
    return name === undefined ? `process ${this.pid}` : `process ${this.pid} (${name})`
  }

  enqueue(kind: number, payload: unknown): void {
    if (this.status >= EXITING) {
      if (kind === CALL) (payload as CallRequest).fail(calleeExited(this, this.reason))
      return
    }
    if (this.queue === null) this.queue = []
    this.queue.push(kind, payload)
    if (this.status === RUNNING && !this.active) schedule(this)
  }

  hasMail(): boolean {
    return this.queue !== null && this.head < this.queue.length
  }

  /** Logs a crash (once: only the first reason of a process is logged) and stops. */
  crash(reason: ExitReason, what = 'crashed'): void {
    if (this.status < EXITING) {
      getLogger().error(`${this.label} ${what}: ${formatReason(reason)}`, {
        pid: this.pid,
        name: this.name,
        reason,
      })
    }
    this.beginExit(reason)
  }

  beginExit(reason: ExitReason): void {
    if (this.status >= EXITING) return
    const wasInit = this.status === INIT
    this.status = EXITING
    this.reason = reason
    // During init, spawn's continuation finishes the process; otherwise the ready queue runs terminate.
    if (!wasInit && !this.active) schedule(this)
  }

  terminate(): void {
    const terminate = this.behaviour.terminate
    if (terminate === undefined || !this.hasState) {
      this.finish(this.reason)
      return
    }
    this.active = true
    const prev = current
    current = this
    let out: unknown
    try {
      out = als.run(this, callTerminate, this)
    } catch (err) {
      this.#terminateFailed(err)
      return
    } finally {
      current = prev
    }
    if (isThenable(out)) {
      out.then(
        () => this.finish(this.reason),
        (err: unknown) => this.#terminateFailed(err),
      )
    } else {
      this.finish(this.reason)
    }
  }

  #terminateFailed(err: unknown): void {
    if (this.status === DEAD) return
    getLogger().error(`${this.label} failed in terminate: ${formatReason(err)}`, {
      pid: this.pid,
      name: this.name,
      reason: err,
    })
    this.finish(this.reason)
  }

  /** The process is gone: free it and tell everyone who asked. */
  finish(reason: ExitReason): void {
    if (this.status === DEAD) return
    this.status = DEAD
    this.reason = reason
    this.active = false
    detachPid(this.pid)
    liveCount--
    byId?.delete(this.pid.id)
    if (this.name !== undefined && names.get(this.name) === this) names.delete(this.name)
    if (this.timers !== null) {
      for (const timer of this.timers) timer.cancel()
      this.timers = null
    }
    const queue = this.queue
    this.queue = null
    if (queue !== null) {
      for (let i = this.head; i < queue.length; i += 2) {
        if (queue[i] === CALL) (queue[i + 1] as CallRequest).fail(calleeExited(this, reason))
      }
    }
    if (this.deferred !== null) {
      for (const request of this.deferred) request.fail(calleeExited(this, reason))
      this.deferred = null
    }
    if (this.watching !== null) {
      for (const m of this.watching.values()) {
        m.active = false
        m.target?.monitors?.delete(m.ref)
      }
      this.watching = null
    }
    if (this.links !== null) {
      const links = this.links
      this.links = null
      for (const other of links) {
        other.links?.delete(this)
        exitSignal(other, this.pid, reason, this, false)
      }
    }
    if (this.monitors !== null) {
      for (const m of this.monitors.values()) {
        m.reason = reason
        m.watcher.enqueue(DOWN, m)
      }
      this.monitors = null
    }
    if (this.hooks !== null) {
      const hooks = this.hooks
      this.hooks = null
      for (const hook of hooks) {
        try {
          hook(reason)
        } catch (err) {
          getLogger().error(`an exit hook of ${this.label} threw: ${formatReason(err)}`, {
            pid: this.pid,
            reason: err,
          })
        }
      }
    }
    this.state = undefined
    this.parent = null
  }
}

function callTerminate(p: Proc): unknown {
  return p.behaviour.terminate?.(p.reason, p.state)
}

function callInit(p: Proc, args: unknown): unknown {
  return p.behaviour.init(args, { self: p.pid })
}

// ---------------------------------------------------------------------------
// Scheduling and the mailbox loop

const ready: Proc[] = []
let readyHead = 0
let flushing = false

function schedule(p: Proc): void {
  if (p.queued) return
  p.queued = true
  ready.push(p)
  if (!flushing) {
    flushing = true
    queueMicrotask(runReady)
  }
}

function runReady(): void {
  let budget = TURN_BUDGET
  while (readyHead < ready.length && budget > 0) {
    const p = ready[readyHead] as Proc
    ready[readyHead++] = undefined as unknown as Proc
    p.queued = false
    if (p.active) continue
    if (p.status === RUNNING) budget -= drain(p)
    else if (p.status === EXITING) p.terminate()
  }
  if (readyHead < ready.length) {
    ready.splice(0, readyHead)
    readyHead = 0
    setImmediate(runReady)
    return
  }
  ready.length = 0
  readyHead = 0
  flushing = false
}

function drain(p: Proc): number {
  return als.run(p, drainSlice, p)
}

function drainSlice(p: Proc): number {
  const prev = current
  current = p
  p.active = true
  let handled = 0
  try {
    while (handled < SLICE && p.status === RUNNING) {
      const queue = p.queue
      if (queue === null) break
      const at = p.head
      if (at >= queue.length) {
        queue.length = 0
        p.head = 0
        break
      }
      const kind = queue[at] as number
      const payload = queue[at + 1]
      queue[at] = undefined
      queue[at + 1] = undefined
      p.head = at + 2
      handled++
      let out: unknown
      try {
        out = invoke(p, kind, payload)
      } catch (err) {
        crashHandling(p, kind, payload, err)
        break
      }
      if (out === SKIP) continue
      if (!(out instanceof Outcome) && isThenable(out)) {
        out.then(
          (result) => resume(p, kind, payload, result),
          (err: unknown) => resumeCrash(p, kind, payload, err),
        )
        return handled
      }
      if (!applyOutcome(p, kind, payload, out)) break
    }
  } finally {
    current = prev
  }
  p.active = false
  compact(p)
  afterTurn(p)
  return handled
}

function compact(p: Proc): void {
  const queue = p.queue
  if (queue === null) return
  if (p.head >= queue.length) {
    queue.length = 0
    p.head = 0
  } else if (p.head > 4096 && p.head * 2 > queue.length) {
    queue.splice(0, p.head)
    p.head = 0
  }
}

function afterTurn(p: Proc): void {
  if (p.status === EXITING) schedule(p)
  else if (p.status === RUNNING && p.hasMail()) schedule(p)
}

function resume(p: Proc, kind: number, payload: unknown, result: unknown): void {
  if (p.status === DEAD) return
  const prev = current
  current = p
  try {
    applyOutcome(p, kind, payload, result)
  } finally {
    current = prev
  }
  p.active = false
  afterTurn(p)
}

function resumeCrash(p: Proc, kind: number, payload: unknown, err: unknown): void {
  if (p.status === DEAD) return
  crashHandling(p, kind, payload, err)
  p.active = false
  afterTurn(p)
}

function invoke(p: Proc, kind: number, payload: unknown): unknown {
  const b = p.behaviour
  switch (kind) {
    case INFO:
      return b.handleInfo === undefined ? unhandledInfo(p, payload) : b.handleInfo(payload, p.state)
    case CAST:
      if (b.handleCast === undefined) throw noHandler(p, 'handleCast', 'cast', payload)
      return b.handleCast(payload, p.state)
    case CALL: {
      const request = payload as CallRequest
      if (b.handleCall === undefined) throw noHandler(p, 'handleCall', 'call', request.request)
      return b.handleCall(request.request, request, p.state)
    }
    case DOWN: {
      const m = payload as Monitor
      if (!m.active) return SKIP
      m.active = false
      p.watching?.delete(m.ref)
      const down: DownMessage = { type: 'DOWN', ref: m.ref, pid: m.targetPid, reason: m.reason }
      return b.handleInfo === undefined ? unhandledInfo(p, down) : b.handleInfo(down, p.state)
    }
    case EXIT: {
      const message = payload as ExitMessage
      // As gen_server: an exit signal from the parent stops a trapping process (running terminate).
      if (p.parent !== null && p.parent.pid === message.pid) {
        p.beginExit(message.reason)
        return SKIP
      }
      return b.handleInfo === undefined ? unhandledInfo(p, message) : b.handleInfo(message, p.state)
    }
    default:
      // STOP: a graceful stop request from stopProcess, handled in mailbox order.
      p.beginExit(payload)
      return SKIP
  }
}

function unhandledInfo(p: Proc, message: unknown): typeof SKIP {
  getLogger().warn(`${p.label} got a message but defines no handleInfo: ${describe(message)}`, {
    pid: p.pid,
    message,
  })
  return SKIP
}

function noHandler(p: Proc, callback: string, what: string, message: unknown): CinderError {
  return new CinderError(
    'CINDER_ERR_NO_HANDLER',
    `${p.label} got a ${what} but its behaviour defines no ${callback}; message: ${describe(message)}`,
  )
}

const CALL_SHAPES =
  'reply(value, state), noreply(state) or stop(reason, state, reply?), or a promise of one'
const CAST_SHAPES = 'noreply(state) or stop(reason, state), or a promise of one'

function badReturn(p: Proc, kind: number, out: unknown): CinderError {
  const callback = kind === CALL ? 'handleCall' : kind === CAST ? 'handleCast' : 'handleInfo'
  const shapes = kind === CALL ? CALL_SHAPES : CAST_SHAPES
  const got =
    out instanceof Outcome
      ? `${out.kind}(…)`
      : describe(out) + (typeof out === 'object' && out !== null ? ' (a plain object)' : '')
  return new CinderError(
    'CINDER_ERR_BAD_RETURN',
    `${p.label}: ${callback} must return ${shapes}; got ${got}`,
  )
}

/** Applies a handler's outcome; returns false when the process must stop handling messages. */
function applyOutcome(p: Proc, kind: number, payload: unknown, out: unknown): boolean {
  if (!(out instanceof Outcome) || (out.kind === 'reply' && kind !== CALL)) {
    crashHandling(p, kind, payload, badReturn(p, kind, out))
    return false
  }
  p.state = out.state
  if (out.kind === 'noreply') {
    if (kind === CALL) defer(p, payload as CallRequest)
    return true
  }
  if (out.kind === 'reply') {
    ;(payload as CallRequest).settle(out.value)
    return true
  }
  if (kind === CALL) {
    if (out.hasReply) (payload as CallRequest).settle(out.value)
    else defer(p, payload as CallRequest)
  }
  if (isNormalExit(out.reason)) p.beginExit(out.reason)
  else p.crash(out.reason, 'stopped')
  return false
}

/** A handler crashed: the call it was answering fails with the exit reason, like queued ones. */
function crashHandling(p: Proc, kind: number, payload: unknown, err: unknown): void {
  if (kind === CALL) defer(p, payload as CallRequest)
  p.crash(err)
}

function defer(p: Proc, request: CallRequest): void {
  if (request.done) return
  if (p.deferred === null) p.deferred = new Set()
  p.deferred.add(request)
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

// ---------------------------------------------------------------------------
// Errors and helpers shared by the API

export function formatReason(reason: ExitReason): string {
  if (reason instanceof Error) return reason.stack ?? `${reason.name}: ${reason.message}`
  return describe(reason)
}

function calleeExited(p: Proc, reason: ExitReason): CinderError {
  return new CinderError(
    'CINDER_ERR_CALLEE_EXITED',
    `${p.label} stopped before it replied (reason: ${reasonText(reason)})`,
    { cause: reason },
  )
}

function reasonText(reason: ExitReason): string {
  return reason instanceof Error ? `${reason.name}: ${reason.message}` : describe(reason)
}

function noproc(target: ProcessTarget, what: string): CinderError {
  return new CinderError(
    'CINDER_ERR_NOPROC',
    typeof target === 'string'
      ? `${what}: no process is registered under the name ${describe(target)}`
      : `${what}: process ${target} is not alive`,
  )
}

function badTarget(what: string, target: unknown): CinderError {
  return new CinderError(
    'CINDER_ERR_PROCESS_BAD_ARG',
    `${what} expects a Pid or a registered name (string); got ${describe(target)}`,
  )
}

/** @internal The live process behind a target, or null; throws for a target of the wrong type. */
export function resolveTarget(target: ProcessTarget, what: string): Proc | null {
  if (target instanceof Pid) return procOf(target)
  if (typeof target === 'string') return names.get(target) ?? null
  throw badTarget(what, target)
}

/** @internal The current process (also after an await inside a handler), or null. */
export function currentProc(): Proc | null {
  return current ?? als.getStore() ?? null
}

function requireCurrent(what: string): Proc {
  const p = currentProc()
  if (p === null) {
    throw new CinderError(
      'CINDER_ERR_NOT_IN_PROCESS',
      `${what} must be called from inside a process (a behaviour callback); it was called outside any`,
    )
  }
  if (p.status === DEAD) {
    throw new CinderError('CINDER_ERR_NOT_IN_PROCESS', `${what}: ${p.label} has already stopped`)
  }
  return p
}

function linkProcs(a: Proc, b: Proc): void {
  if (a.links === null) a.links = new Set()
  if (b.links === null) b.links = new Set()
  a.links.add(b)
  b.links.add(a)
}

function unlinkProcs(a: Proc, b: Proc): void {
  a.links?.delete(b)
  b.links?.delete(a)
}

/** Delivers an exit signal from `from` to `target`. `direct` is true for `exit()`: only then is 'kill' untrappable. */
function exitSignal(
  target: Proc,
  from: Pid,
  reason: ExitReason,
  fromProc: Proc | null,
  direct: boolean,
): void {
  if (target.status === DEAD) return
  if (direct && reason === 'kill') {
    target.finish('killed')
    return
  }
  if (target.trapExit) {
    const message: ExitMessage = { type: 'EXIT', pid: from, reason }
    target.enqueue(EXIT, message)
    return
  }
  if (reason === 'normal' && fromProc !== target) return
  target.beginExit(reason)
}

// ---------------------------------------------------------------------------
// The public API

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
    return Promise.reject(
      new CinderError(
        'CINDER_ERR_PROCESS_BAD_ARG',
        `spawn expects a behaviour: an object with an init(args, ctx) function (and optional handleCall, handleCast, handleInfo, terminate); got ${describe(behaviour)}`,
      ),
    )
  }
  const { name, link = false, trapExit = false } = options
  if (name !== undefined) {
    const holder = names.get(name)
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
  liveCount++
  byId?.set(p.pid.id, p)
  if (name !== undefined) {
    names.set(name, p)
    p.name = name
  }
  if (parent !== null) {
    linkProcs(parent, p)
    p.parent = parent
  }
  const prev = current
  current = p
  p.active = true
  let out: unknown
  try {
    out = als.run(p, callInit, p, args)
  } catch (err) {
    return Promise.reject(initFailed(p, err))
  } finally {
    current = prev
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

function nameTaken(name: string, holder: Pid): CinderError {
  return new CinderError(
    'CINDER_ERR_NAME_TAKEN',
    `the name ${describe(name)} is already registered to ${holder}`,
  )
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
  if (!(timeoutMs >= 0)) {
    return Promise.reject(
      new CinderError(
        'CINDER_ERR_PROCESS_BAD_ARG',
        `call expects a timeout in ms (a number >= 0, or Infinity); got ${describe(timeoutMs)}`,
      ),
    )
  }
  const caller = currentProc()
  if (caller === p) {
    return Promise.reject(
      new CinderError(
        'CINDER_ERR_CALL_SELF',
        `${p.label} called itself with ${describe(request)}; it would wait for its own reply forever (handle the request directly instead)`,
      ),
    )
  }
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
      req.timer = getClock().setTimeout(() => {
        req.timer = undefined
        req.fail(
          new CinderError(
            'CINDER_ERR_CALL_TIMEOUT',
            `call to ${callee.label} got no reply within ${timeoutMs} ms; request: ${describe(request)}`,
          ),
        )
      }, timeoutMs)
    }
    callee.enqueue(CALL, req)
  })
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

/** The number of processes alive on this node. */
export function processCount(): number {
  return liveCount
}

/** Registers `pid` under `name`. Throws `CINDER_ERR_NAME_TAKEN` or `CINDER_ERR_NOPROC`. */
export function register(name: string, pid: Pid): void {
  if (typeof name !== 'string' || name === '') {
    throw new CinderError(
      'CINDER_ERR_PROCESS_BAD_ARG',
      `register expects a non-empty string name; got ${describe(name)}`,
    )
  }
  const p = procOf(pid)
  if (p === null) throw noproc(pid, `register(${describe(name)})`)
  const holder = names.get(name)
  if (holder !== undefined) throw nameTaken(name, holder.pid)
  if (p.name !== undefined) {
    throw new CinderError(
      'CINDER_ERR_PROCESS_BAD_ARG',
      `register(${describe(name)}): ${p.label} is already registered as ${describe(p.name)}`,
    )
  }
  names.set(name, p)
  p.name = name
}

/** Removes a name. Returns false when it was not registered. */
export function unregister(name: string): boolean {
  const p = names.get(name)
  if (p === undefined) return false
  names.delete(name)
  p.name = undefined
  return true
}

/** The pid registered under `name`, or undefined. */
export function whereis(name: string): Pid | undefined {
  return names.get(name)?.pid
}

/** Every registered name. */
export function registeredNames(): string[] {
  return [...names.keys()]
}

/**
 * Links the current process to `target`: when either stops with a reason
 * other than `'normal'`, the other gets an exit signal (and stops, unless it
 * traps exits). Throws `CINDER_ERR_NOPROC` for a stopped target.
 */
export function link(target: ProcessTarget): void {
  const me = requireCurrent('link')
  const p = resolveTarget(target, 'link')
  if (p === null || p.status === DEAD) throw noproc(target, 'link')
  if (p !== me) linkProcs(me, p)
}

/** Removes the link between the current process and `target` (if any). */
export function unlink(target: ProcessTarget): void {
  const me = requireCurrent('unlink')
  const p = resolveTarget(target, 'unlink')
  if (p !== null) unlinkProcs(me, p)
}

/**
 * Watches `target` from the current process: when it stops, the current
 * process gets `{ type: 'DOWN', ref, pid, reason }` in `handleInfo`, once.
 * A pid that already stopped yields a DOWN with reason `'noproc'`.
 */
export function monitor(target: ProcessTarget): Ref {
  const me = requireCurrent('monitor')
  const p = resolveTarget(target, 'monitor')
  if (p === null && typeof target === 'string') throw noproc(target, 'monitor')
  const ref = new Ref()
  const targetPid = p?.pid ?? (target as Pid)
  const m = new Monitor(ref, me, p, targetPid)
  if (me.watching === null) me.watching = new Map()
  me.watching.set(ref, m)
  if (p === null || p.status === DEAD) {
    m.reason = 'noproc'
    me.enqueue(DOWN, m)
  } else {
    if (p.monitors === null) p.monitors = new Map()
    p.monitors.set(ref, m)
  }
  return ref
}

/** Stops a monitor; a DOWN not yet handled is dropped. Returns false for an unknown ref. */
export function demonitor(ref: Ref): boolean {
  const me = requireCurrent('demonitor')
  const m = me.watching?.get(ref)
  if (m === undefined) return false
  m.active = false
  me.watching?.delete(ref)
  m.target?.monitors?.delete(ref)
  return true
}

/**
 * Sends an exit signal to `target`, from the current process (or from
 * `<node.0>` outside any process).
 *
 * - `'kill'`: stops it at once, even when it traps exits; no terminate;
 *   links see `'killed'`.
 * - a process that traps exits gets `{ type: 'EXIT', pid, reason }` instead
 *   (except from its parent, which stops it as with any other reason).
 * - `'normal'`: ignored, unless a process sends it to itself.
 * - any other reason: the process stops with it (after its handler in flight
 *   and its terminate).
 */
export function exit(target: ProcessTarget, reason: ExitReason): void {
  const p = resolveTarget(target, 'exit')
  if (p === null) {
    if (typeof target === 'string') throw noproc(target, 'exit')
    return
  }
  const me = currentProc()
  exitSignal(p, me?.pid ?? Pid.outside, reason, me, true)
}

/** Sets whether the current process traps exits; returns the previous setting. */
export function trapExits(on: boolean): boolean {
  const me = requireCurrent('trapExits')
  const was = me.trapExit
  me.trapExit = on
  return was
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

/**
 * Framework-level API (for tables, sockets, channels, registries: code that
 * owns resources on behalf of a process but is not itself a process).
 *
 * Calls `hook(reason)` once when the process behind `pid` stops, after its
 * links and monitors were told. For a pid that already stopped, the hook runs
 * on the next microtask with reason `'noproc'`. Returns an unsubscribe
 * function. Hooks must be quick and must not throw (errors are logged).
 * The same function registered twice for one pid runs once.
 */
export function onExit(pid: Pid, hook: (reason: ExitReason) => void): () => void {
  const p = procOf(pid)
  if (p === null) {
    let live = true
    queueMicrotask(() => {
      if (live) hook('noproc')
    })
    return () => {
      live = false
    }
  }
  if (p.hooks === null) p.hooks = new Set()
  p.hooks.add(hook)
  return () => {
    p.hooks?.delete(hook)
  }
}

/**
 * @internal The pid of the live process numbered `id` on this node, or undefined once it
 * stopped (for cluster/, which receives pids as `<node.id>` strings).
 */
export function livePid(id: number): Pid | undefined {
  return byId?.get(id)?.pid
}

/**
 * @internal From now on, index live processes by number for `livePid` (a PubSub joined to other
 * nodes calls it as it starts, and so does a cluster; processes spawned before are not found).
 * Idempotent.
 */
export function indexPids(): void {
  byId ??= new Map()
}

/** @internal Resolves with the exit reason once the process behind `pid` stopped. */
export function awaitExit(pid: Pid): Promise<ExitReason> {
  return new Promise((resolve) => {
    onExit(pid, resolve)
  })
}

/** @internal Links the current process to `child` as its parent (used by supervisors). */
export function adopt(child: Pid): void {
  const me = requireCurrent('adopt')
  const p = procOf(child)
  if (p === null) return
  linkProcs(me, p)
  if (p.parent === null) p.parent = me
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
