/**
 * The processes subscribed on one node and their topics, so that a process
 * that stops is unsubscribed from all of them. Each process's record is
 * itself its exit hook (an `ExitListener`): at one subscribed process per
 * joined socket, a closure and its context each would be about a hundred
 * bytes per socket. A process's last unsubscribe removes the hook too, so
 * churn leaves nothing behind.
 */
import { type Few, fewAdd, fewDelete, fewMembers } from '../process/few.ts'
import { type ExitListener, onExit, type Pid } from '../process/index.ts'
import { removeExitHook } from '../process/signals.ts'

/** Told of a subscribed process that stopped, with the topics it was still subscribed to. */
export type ProcessStopped = (pid: Pid, topics: readonly string[]) => void

export class SubscribedProcesses {
  readonly #records = new Map<Pid, SubscribedProcess>()
  readonly #stopped: ProcessStopped

  constructor(stopped: ProcessStopped) {
    this.#stopped = stopped
  }

  /** `pid` subscribed to `topic`; the first topic of a process adds its exit hook. */
  add(pid: Pid, topic: string): void {
    const record = this.#records.get(pid)
    if (record !== undefined) {
      record.topics = fewAdd(record.topics, topic)
      return
    }
    const fresh = new SubscribedProcess(this, pid, topic)
    onExit(pid, fresh)
    this.#records.set(pid, fresh)
  }

  /** `pid` has no subscription to `topic` any more; its last topic removes its exit hook. */
  remove(pid: Pid, topic: string): void {
    const record = this.#records.get(pid)
    if (record === undefined) return
    record.topics = fewDelete(record.topics, topic)
    if (record.topics !== null) return
    removeExitHook(pid, record)
    this.#records.delete(pid)
  }

  /** Forgets every process and removes their exit hooks. */
  clear(): void {
    for (const [pid, record] of this.#records) removeExitHook(pid, record)
    this.#records.clear()
  }

  /** A record's process stopped. */
  exited(record: SubscribedProcess): void {
    if (this.#records.get(record.pid) !== record) return
    this.#records.delete(record.pid)
    this.#stopped(record.pid, fewMembers(record.topics))
  }
}

class SubscribedProcess implements ExitListener {
  readonly owner: SubscribedProcesses
  readonly pid: Pid
  topics: Few<string>

  constructor(owner: SubscribedProcesses, pid: Pid, topic: string) {
    this.owner = owner
    this.pid = pid
    this.topics = topic
  }

  processExited(): void {
    this.owner.exited(this)
  }
}
