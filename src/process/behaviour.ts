/**
 * The contract of a process: a behaviour is a plain object (or class
 * instance) of callbacks that pass the process state along, in the manner of
 * Erlang's gen_server. Handlers return an outcome built with `reply`,
 * `noreply` or `stop` (or a promise of one); the runtime checks the shape at
 * run time and crashes the process with `CINDER_ERR_BAD_RETURN` otherwise.
 */
import type { Pid, Ref } from './pid.ts'

/**
 * Why a process stopped. `'normal'`, `'shutdown'` and `{ shutdown: x }` are
 * clean stops; `'kill'` (as a signal) stops a process at once and reaches
 * links as `'killed'`; `'noproc'` is reported for a process that was already
 * gone; any other value (usually the thrown Error) is a crash.
 */
export type ExitReason = unknown

/** True for the reasons that are not crashes: `'normal'`, `'shutdown'`, `{ shutdown: x }`. */
export function isNormalExit(reason: ExitReason): boolean {
  return (
    reason === 'normal' ||
    reason === 'shutdown' ||
    (typeof reason === 'object' && reason !== null && 'shutdown' in reason)
  )
}

/** Delivered to `handleInfo` once when a monitored process stops (see `monitor`). */
export interface DownMessage {
  readonly type: 'DOWN'
  readonly ref: Ref
  readonly pid: Pid
  readonly reason: ExitReason
}

/** Delivered to `handleInfo` of a process that traps exits when a linked process stops or `exit` targets it. */
export interface ExitMessage {
  readonly type: 'EXIT'
  readonly pid: Pid
  readonly reason: ExitReason
}

/** Who made a call: pass it to `replyTo` to answer a call later (after returning `noreply`). */
export interface From {
  /** The calling process, or undefined when the call came from outside any process. */
  readonly caller: Pid | undefined
}

/** What `init` receives besides its arguments. */
export interface InitContext {
  /** The pid of the process being started. */
  readonly self: Pid
}

/** May be a value or a promise of it: every callback may be async. */
export type MaybePromise<T> = T | Promise<T>

/**
 * A process's callbacks. Only `init` is required.
 *
 * - `init(args, ctx)` returns the first state; throwing (or rejecting) makes
 *   `spawn` reject with `CINDER_ERR_START_FAILED`.
 * - `handleCall(request, from, state)` answers `call`: `reply(value, state)`,
 *   `noreply(state)` (answer later with `replyTo(from, value)`) or
 *   `stop(reason, state, reply?)`.
 * - `handleCast(message, state)` and `handleInfo(message, state)` return
 *   `noreply(state)` or `stop(reason, state)`. `handleInfo` gets `send`,
 *   `sendAfter`, `DOWN` and (when trapping exits) `EXIT` messages.
 * - `terminate(reason, state)` runs once when the process stops, unless it
 *   was killed (`'kill'`). It may be async; supervisors bound it with the
 *   child's shutdown timeout.
 *
 * Messages are handled one at a time, in arrival order, even when handlers
 * are async: the next one starts after the previous handler's promise settles.
 *
 * @example
 * const counter: Behaviour<number, number> = {
 *   init: (start) => start,
 *   handleCall: (req, _from, n) => (req === 'get' ? reply(n, n) : reply('?', n)),
 *   handleCast: (by: number, n) => noreply(n + by),
 * }
 */
export interface Behaviour<State, Args = void, Call = unknown, Cast = unknown, Info = unknown> {
  /** Shown in crash logs when the process has no registered name. */
  readonly name?: string
  init(args: Args, ctx: InitContext): MaybePromise<State>
  handleCall?(request: Call, from: From, state: State): MaybePromise<CallOutcome<State>>
  handleCast?(message: Cast, state: State): MaybePromise<CastOutcome<State>>
  handleInfo?(
    message: Info | DownMessage | ExitMessage,
    state: State,
  ): MaybePromise<CastOutcome<State>>
  terminate?(reason: ExitReason, state: State): MaybePromise<void>
}

/** Answers a call now and keeps going with `state`. */
export interface Reply<State> {
  readonly kind: 'reply'
  readonly value: unknown
  readonly state: State
}

/** Keeps going with `state` (a call is answered later with `replyTo`). */
export interface NoReply<State> {
  readonly kind: 'noreply'
  readonly state: State
}

/** Stops the process with `reason` (after `terminate`), answering a call first if `hasReply`. */
export interface Stop<State> {
  readonly kind: 'stop'
  readonly reason: ExitReason
  readonly state: State
  readonly hasReply: boolean
  readonly value: unknown
}

/** What `handleCall` may return. */
export type CallOutcome<State> = Reply<State> | NoReply<State> | Stop<State>
/** What `handleCast` and `handleInfo` may return. */
export type CastOutcome<State> = NoReply<State> | Stop<State>

// One class behind all three shapes: a single `instanceof` validates a result.
export class Outcome<State> {
  readonly kind: 'reply' | 'noreply' | 'stop'
  readonly state: State
  readonly value: unknown
  readonly reason: ExitReason
  readonly hasReply: boolean

  constructor(
    kind: 'reply' | 'noreply' | 'stop',
    state: State,
    value: unknown,
    reason: ExitReason,
    hasReply: boolean,
  ) {
    this.kind = kind
    this.state = state
    this.value = value
    this.reason = reason
    this.hasReply = hasReply
  }
}

/** From `handleCall`: answer the caller with `value`, keep `state`. */
export function reply<State>(value: unknown, state: State): Reply<State> {
  return new Outcome('reply', state, value, undefined, true) as Reply<State>
}

/** From any handler: keep going with `state` (in `handleCall`: answer later with `replyTo`). */
export function noreply<State>(state: State): NoReply<State> {
  return new Outcome('noreply', state, undefined, undefined, false) as NoReply<State>
}

/**
 * From any handler: stop with `reason` after `terminate(reason, state)`. From
 * `handleCall`, pass a third argument to answer the caller before stopping
 * (without it the caller gets `CINDER_ERR_CALLEE_EXITED`).
 */
export function stop<State>(
  reason: ExitReason,
  state: State,
  ...replyValue: [unknown?]
): Stop<State> {
  return new Outcome('stop', state, replyValue[0], reason, replyValue.length > 0) as Stop<State>
}
