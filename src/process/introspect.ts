/**
 * What the runtime can tell about its live processes, for dashboards and
 * metrics: Erlang's `processes()` and `process_info/1`. Reading costs a walk
 * of the live processes; the runtime keeps nothing extra for it beyond two
 * list fields and a message count per process.
 */
import { DEAD, EXITING, INIT } from './codes.ts'
import { fewSize } from './few.ts'
import { type Pid, procOf } from './pid.ts'
import { eachProc, type Proc } from './proc.ts'

/** One live process, as `processes()` and `processInfo()` see it. */
export interface ProcessInfo {
  readonly pid: Pid
  /** Its registered name, if any. */
  readonly registeredName: string | undefined
  /** Its behaviour's `name` (a channel's names its topic), if any. */
  readonly behaviour: string | undefined
  readonly status: 'starting' | 'running' | 'exiting'
  /** Messages waiting in its mailbox. */
  readonly mailbox: number
  /** Messages handled since it started. */
  readonly handled: number
  readonly links: number
  /** Monitors others hold on it. */
  readonly monitoredBy: number
  readonly trapExit: boolean
  /** The process that started it linked (its supervisor, usually). */
  readonly parent: Pid | undefined
}

/** Every live process on this node, newest first. */
export function processes(): ProcessInfo[] {
  const out: ProcessInfo[] = []
  eachProc((p) => {
    out.push(infoOf(p))
  })
  return out
}

/** What the runtime knows of `pid`, or undefined once it stopped. */
export function processInfo(pid: Pid): ProcessInfo | undefined {
  const p = procOf(pid)
  return p === null || p.status === DEAD ? undefined : infoOf(p)
}

/**
 * @internal Calls `visit` with each live process's pid and state (for
 * metrics and the dashboard, which recognise sockets and channels by their
 * state's class), without building an info object per process.
 */
export function eachProcessState(visit: (pid: Pid, state: unknown) => void): void {
  eachProc((p) => visit(p.pid, p.state))
}

/** @internal A live process's state (the dashboard estimates its size), or undefined. */
export function processState(pid: Pid): unknown {
  return procOf(pid)?.state
}

function infoOf(p: Proc): ProcessInfo {
  return {
    pid: p.pid,
    registeredName: p.name,
    behaviour: behaviourName(p),
    status: p.status === INIT ? 'starting' : p.status === EXITING ? 'exiting' : 'running',
    mailbox: p.queue === null ? 0 : (p.queue.length - p.head) / 2,
    handled: p.handled,
    links: fewSize(p.links),
    monitoredBy: p.monitors?.size ?? 0,
    trapExit: p.trapExit,
    parent: p.parent?.pid,
  }
}

function behaviourName(p: Proc): string | undefined {
  const name = p.behaviour.name
  return typeof name === 'string' ? name : undefined
}
