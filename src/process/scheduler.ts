/**
 * The mailbox loop: which process runs next, and what a message does to it.
 *
 * Enqueuing a message puts the process on a ready queue that one microtask
 * drains: each process handles up to `SLICE` messages per turn, synchronously,
 * one after the other. When a handler returns a promise, the process stays
 * "active" and its mailbox waits until the promise settles, which keeps the
 * one-message-at-a-time order for async handlers without a promise per
 * synchronous message. After `TURN_BUDGET` messages the queue yields to the
 * event loop (setImmediate) so I/O is not starved.
 *
 * `self()` reads the current process from context.ts, which the drain sets.
 */
import { CinderError, describe } from '../errors.ts'
import { getLogger } from '../logger.ts'
import { type DownMessage, type ExitMessage, isNormalExit, Outcome } from './behaviour.ts'
import { CALL, CAST, DEAD, DOWN, EXIT, EXITING, INFO, RUNNING } from './codes.ts'
import { currentProc, enter, leave } from './context.ts'
import type { CallRequest, Proc } from './proc.ts'
import type { Monitor } from './signals.ts'

const SLICE = 512
const TURN_BUDGET = 65_536

/** Returned by `invoke` when the message needs no outcome (skipped or handled by the runtime). */
const SKIP: unique symbol = Symbol('skip')

/** @internal The current process; throws when there is none or it has stopped. */
export function requireCurrent(what: string): Proc {
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

const ready: Proc[] = []
let readyHead = 0
let flushing = false

/** @internal Puts `p` on the ready queue (once). */
export function schedule(p: Proc): void {
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
  const prev = enter(p)
  p.active = true
  let handled = 0
  try {
    while (handled < SLICE && p.status === RUNNING) {
      const queue = p.queue
      if (queue === null) break
      const at = p.head
      if (at >= queue.length) {
        p.queue = null
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
        p.handled += handled
        return handled
      }
      if (!applyOutcome(p, kind, payload, out)) break
    }
  } finally {
    leave(prev)
  }
  p.handled += handled
  p.active = false
  compact(p)
  afterTurn(p)
  return handled
}

function compact(p: Proc): void {
  const queue = p.queue
  if (queue === null) return
  if (p.head >= queue.length) {
    // Dropped, not emptied: an emptied array keeps its grown store (~170 bytes
    // per idle process); the next message allocates a new one.
    p.queue = null
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
  const prev = enter(p)
  try {
    applyOutcome(p, kind, payload, result)
  } finally {
    leave(prev)
  }
  p.active = false
  compact(p)
  afterTurn(p)
}

function resumeCrash(p: Proc, kind: number, payload: unknown, err: unknown): void {
  if (p.status === DEAD) return
  crashHandling(p, kind, payload, err)
  p.active = false
  compact(p)
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

/** @internal */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
