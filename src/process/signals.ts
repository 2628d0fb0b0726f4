/**
 * Links, monitors, exit signals and exit hooks: how the stop of one process
 * reaches the others.
 *
 * A link is symmetric: when either process stops with a reason other than
 * `'normal'`, the other gets an exit signal, and stops unless it traps exits
 * (then it gets an `EXIT` message). A monitor is one-way and only informs: the
 * watcher gets one `DOWN` message. Exit hooks are the framework's own monitors,
 * plain functions called when the process stops.
 */

import { getLogger } from '../logger.ts'
import type { ExitMessage, ExitReason } from './behaviour.ts'
import { DEAD, DOWN, EXIT } from './codes.ts'
import { currentProc } from './context.ts'
import { formatReason, noproc } from './failures.ts'
import { type Few, fewAdd, fewDelete, fewMembers } from './few.ts'
import { type ProcessTarget, resolveTarget } from './names.ts'
import { Pid, procOf, Ref } from './pid.ts'
import type { ExitHook, Proc } from './proc.ts'
import { requireCurrent } from './scheduler.ts'

/** @internal One monitor, seen from both its watcher and its target. */
export class Monitor {
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

/** @internal */
export function linkProcs(a: Proc, b: Proc): void {
  a.links = fewAdd(a.links, b)
  b.links = fewAdd(b.links, a)
}

/** @internal */
export function unlinkProcs(a: Proc, b: Proc): void {
  a.links = fewDelete(a.links, b)
  b.links = fewDelete(b.links, a)
}

/** @internal Delivers an exit signal from `from` to `target`. `direct` is true for `exit()`: only then is 'kill' untrappable. */
export function exitSignal(
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

/** @internal `p` stopped: drops the monitors it holds, then tells its links, its watchers and its hooks. */
export function signalExit(p: Proc, reason: ExitReason): void {
  if (p.watching !== null) {
    for (const m of p.watching.values()) {
      m.active = false
      m.target?.monitors?.delete(m.ref)
    }
    p.watching = null
  }
  if (p.links !== null) {
    const links = p.links
    p.links = null
    for (const other of fewMembers(links)) {
      other.links = fewDelete(other.links, p)
      exitSignal(other, p.pid, reason, p, false)
    }
  }
  if (p.monitors !== null) {
    for (const m of p.monitors.values()) {
      m.reason = reason
      m.watcher.enqueue(DOWN, m)
    }
    p.monitors = null
  }
  const hooks = p.hooks
  if (hooks !== null) {
    p.hooks = null
    runHooks(p, hooks, reason)
  }
}

function runHooks(p: Proc, hooks: Few<ExitHook>, reason: ExitReason): void {
  for (const hook of fewMembers(hooks)) {
    try {
      callHook(hook, reason)
    } catch (err) {
      getLogger().error(`an exit hook of ${p.label} threw: ${formatReason(err)}`, {
        pid: p.pid,
        reason: err,
      })
    }
  }
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
 * Framework-level API (for tables, sockets, channels, registries: code that
 * owns resources on behalf of a process but is not itself a process).
 *
 * Calls `hook(reason)` (or `hook.processExited(reason)`, for an
 * `ExitListener`) once when the process behind `pid` stops, after its links
 * and monitors were told. For a pid that already stopped, the hook runs on
 * the next microtask with reason `'noproc'`. Returns an unsubscribe
 * function. Hooks must be quick and must not throw (errors are logged).
 * The same hook registered twice for one pid runs once.
 */
export function onExit(pid: Pid, hook: ExitHook): () => void {
  const p = procOf(pid)
  if (p === null) {
    let live = true
    queueMicrotask(() => {
      if (live) callHook(hook, 'noproc')
    })
    return () => {
      live = false
    }
  }
  p.hooks = fewAdd(p.hooks, hook)
  return () => {
    p.hooks = fewDelete(p.hooks, hook)
  }
}

/**
 * @internal Removes `hook`, added by `onExit` for a process then alive, so a holder of many
 * subscriptions keeps the hook it added rather than a closure per process to remove it.
 */
export function removeExitHook(pid: Pid, hook: ExitHook): void {
  const p = procOf(pid)
  if (p !== null) p.hooks = fewDelete(p.hooks, hook)
}

function callHook(hook: ExitHook, reason: ExitReason): void {
  if (typeof hook === 'function') hook(reason)
  else hook.processExited(reason)
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
