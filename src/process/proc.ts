/**
 * A process: a `Proc` object with a state, a mailbox (a flat array of
 * `kind, payload` pairs, allocated on first use) and the links, monitors,
 * hooks and timers that must hear of its stop.
 *
 * Stopping runs in two steps: `beginExit` marks the process EXITING (the
 * handler in flight, if any, finishes first), then `terminate` runs, then
 * `finish` tells links, monitors and exit hooks and frees everything. `'kill'`
 * jumps straight to `finish`.
 */

import { getLogger } from '../logger.ts'
import { processCrash } from '../telemetry/index.ts'
import type { Behaviour, ExitReason, From } from './behaviour.ts'
import { getClock, type TimerHandle } from './clock.ts'
import { CALL, DEAD, EXITING, INIT, RUNNING } from './codes.ts'
import { enter, leave } from './context.ts'
import { calleeExited, formatReason } from './failures.ts'
import type { Few } from './few.ts'
import { forgetName } from './names.ts'
import { detachPid, Pid, type Ref } from './pid.ts'
import { isThenable, schedule } from './scheduler.ts'
import { type Monitor, signalExit } from './signals.ts'

/** @internal */
export type AnyBehaviour = Behaviour<unknown, unknown, unknown, unknown, unknown>
/**
 * An object told when a process stops, through its `processExited` method:
 * an exit hook for code that watches one process per object it already has
 * (a channel, a subscription), without a closure and its context for each.
 */
export interface ExitListener {
  processExited(reason: ExitReason): void
}
/** What `onExit` calls when a process stops: a function, or an `ExitListener`. */
export type ExitHook = ((reason: ExitReason) => void) | ExitListener
/** @internal A timer a process owns: cancelled when it stops. */
export interface Cancelable {
  cancel(): boolean
}

let liveCount = 0
/**
 * Every live process, newest first, as an intrusive doubly linked list (two
 * fields per process, no allocation), so the dashboard and metrics can walk
 * them without the runtime keeping a Map per spawn.
 */
let newest: Proc | null = null
/**
 * Live processes by pid number, so a pid named in a message from another node finds its
 * process. Kept only once a multi-node PubSub or a cluster asked for it (`indexPids`): a set and
 * a delete per process cost about a quarter of a spawn, which a single node need not pay.
 */
let byId: Map<number, Proc> | null = null

/** The number of processes alive on this node. */
export function processCount(): number {
  return liveCount
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

/** @internal Calls `visit` with every live process, newest first. */
export function eachProc(visit: (p: Proc) => void): void {
  for (let p = newest; p !== null; p = p.older) visit(p)
}

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

// A process's status (INIT..DEAD, two bits) and its four flags, in one small integer (see `Proc`).
const STATUS = 3
const HAS_STATE = 4
const TRAP_EXIT = 8
const QUEUED = 16
const ACTIVE = 32

/**
 * What few processes ever hold: a registered name, monitors, timers, calls
 * answered later, the exit reason. Allocated when the first is set.
 */
class RareFields {
  name: string | undefined = undefined
  reason: ExitReason = undefined
  monitors: Map<Ref, Monitor> | null = null
  watching: Map<Ref, Monitor> | null = null
  timers: Set<Cancelable> | null = null
  deferred: Set<CallRequest> | null = null
}
const RARE_DEFAULTS: Readonly<RareFields> = Object.freeze(new RareFields())

/**
 * @internal A running process. Not exported from the barrel; use the module functions.
 *
 * Every joined socket is two processes (its connection and its channel), so a
 * field here is 16 bytes per socket: the status and flags share one integer,
 * and the fields most processes never set live in `RareFields`, behind
 * accessors that keep the call sites plain.
 */
export class Proc {
  readonly pid: Pid
  readonly behaviour: AnyBehaviour
  state: unknown = undefined
  #flags = INIT
  #rare: RareFields | null = null
  parent: Proc | null = null
  queue: unknown[] | null = null
  head = 0
  links: Few<Proc> = null
  hooks: Few<ExitHook> = null
  /** Messages handled so far (counted per mailbox slice). */
  handled = 0
  /** Neighbours in the list of live processes. */
  older: Proc | null = null
  newer: Proc | null = null

  /** INIT, RUNNING, EXITING or DEAD (codes.ts), in that order. */
  get status(): number {
    return this.#flags & STATUS
  }
  set status(status: number) {
    this.#flags = (this.#flags & ~STATUS) | status
  }
  get hasState(): boolean {
    return (this.#flags & HAS_STATE) !== 0
  }
  set hasState(on: boolean) {
    this.#flag(HAS_STATE, on)
  }
  get trapExit(): boolean {
    return (this.#flags & TRAP_EXIT) !== 0
  }
  set trapExit(on: boolean) {
    this.#flag(TRAP_EXIT, on)
  }
  /** On the ready queue. */
  get queued(): boolean {
    return (this.#flags & QUEUED) !== 0
  }
  set queued(on: boolean) {
    this.#flag(QUEUED, on)
  }
  /** A handler (or init/terminate) is running or awaited: the mailbox waits. */
  get active(): boolean {
    return (this.#flags & ACTIVE) !== 0
  }
  set active(on: boolean) {
    this.#flag(ACTIVE, on)
  }

  #flag(bit: number, on: boolean): void {
    this.#flags = on ? this.#flags | bit : this.#flags & ~bit
  }

  get name(): string | undefined {
    return this.#rare?.name
  }
  set name(name: string | undefined) {
    this.#putRare('name', name)
  }
  get reason(): ExitReason {
    return this.#rare?.reason
  }
  set reason(reason: ExitReason) {
    this.#putRare('reason', reason)
  }
  /** Monitors others hold on this process. */
  get monitors(): Map<Ref, Monitor> | null {
    return this.#rare?.monitors ?? null
  }
  set monitors(monitors: Map<Ref, Monitor> | null) {
    this.#putRare('monitors', monitors)
  }
  /** Monitors this process holds on others. */
  get watching(): Map<Ref, Monitor> | null {
    return this.#rare?.watching ?? null
  }
  set watching(watching: Map<Ref, Monitor> | null) {
    this.#putRare('watching', watching)
  }
  get timers(): Set<Cancelable> | null {
    return this.#rare?.timers ?? null
  }
  set timers(timers: Set<Cancelable> | null) {
    this.#putRare('timers', timers)
  }
  /** Calls answered with `noreply`, still waiting for `replyTo`. */
  get deferred(): Set<CallRequest> | null {
    return this.#rare?.deferred ?? null
  }
  set deferred(deferred: Set<CallRequest> | null) {
    this.#putRare('deferred', deferred)
  }

  /** Sets a rare field; setting its default on a process that has none allocates nothing. */
  #putRare<K extends keyof RareFields>(key: K, value: RareFields[K]): void {
    if (value === RARE_DEFAULTS[key]) {
      if (this.#rare !== null) this.#rare[key] = value
    } else {
      this.#rare ??= new RareFields()
      this.#rare[key] = value
    }
  }

  constructor(behaviour: AnyBehaviour, trapExit: boolean) {
    this.pid = Pid.mint(this)
    this.behaviour = behaviour
    this.trapExit = trapExit
    liveCount++
    byId?.set(this.pid.id, this)
    this.older = newest
    if (newest !== null) newest.newer = this
    newest = this
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
      if (processCrash.hasSubscribers) {
        processCrash.publish({ pid: this.pid, name: this.name ?? this.behaviour.name, reason })
      }
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
    const prev = enter(this)
    let out: unknown
    try {
      out = callTerminate(this)
    } catch (err) {
      this.#terminateFailed(err)
      return
    } finally {
      leave(prev)
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
    this.#unlist()
    forgetName(this)
    if (this.timers !== null) {
      for (const timer of this.timers) timer.cancel()
      this.timers = null
    }
    this.#failCalls(reason)
    signalExit(this, reason)
    this.state = undefined
    this.parent = null
  }

  #unlist(): void {
    const { older, newer } = this
    if (older !== null) older.newer = newer
    if (newer !== null) newer.older = older
    else newest = older
    this.older = null
    this.newer = null
  }

  /** Fails the calls still queued and those answered with `noreply`. */
  #failCalls(reason: ExitReason): void {
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
  }
}

function callTerminate(p: Proc): unknown {
  return p.behaviour.terminate?.(p.reason, p.state)
}
