/**
 * Remote monitors and remote sends: a process watches a process on another node, as `monitor`
 * does locally, and gets the same `{ type: 'DOWN', ref, pid, reason }` once:
 * - with the process's exit reason when it stops (an Error arrives as an Error with its name,
 *   message and code; other reasons as JSON), or `'noproc'` if it was already gone;
 * - with `'noconnection'` when its node goes down (timeout, clean stop, worker exit, restart)
 *   or was not up when the monitor was set, as Erlang says it.
 *
 * How it works: the watcher's node keeps the monitor and asks the target's node (`mon`),
 * which hooks the process's exit and answers `down`. A watcher that stops, or `demonitor`,
 * cancels it there (`demon`); a node that goes down drops what it asked of others. Local
 * targets use the runtime's own `monitor`.
 */
import {
  type DownMessage,
  demonitor,
  monitor,
  onExit,
  type Pid,
  Ref,
  self,
  send,
} from '../process/index.ts'
import { livePid } from '../process/process.ts'
import type { ClusterLink } from './link.ts'
import { isLocal, type PidLike, toPid } from './pids.ts'
import { type ClusterMessage, decodeReason, encodeReason } from './wire.ts'

interface Watch {
  readonly ref: Ref
  readonly watcher: Pid
  readonly pid: Pid
}

/** The remote monitors of one node, both ways. */
export class RemoteMonitors {
  readonly #link: ClusterLink
  /** Monitors this node's processes hold on remote ones, by ref id. */
  readonly #watching = new Map<number, Watch>()
  /** Per watching process: its remote monitors and what cancels its exit hook. */
  readonly #watchers = new Map<Pid, { readonly refs: Set<number>; readonly off: () => void }>()
  /** Monitors other nodes hold on this node's processes: `node\0ref` → unhook. */
  readonly #watched = new Map<string, () => void>()

  constructor(link: ClusterLink) {
    this.#link = link
  }

  /** See `Cluster.monitor`. */
  monitor(target: PidLike): Ref {
    const watcher = self()
    const pid = toPid(target)
    if (isLocal(pid)) return monitor(pid)
    const ref = new Ref()
    this.#watching.set(ref.id, { ref, watcher, pid })
    this.#hookWatcher(watcher, ref.id)
    if (this.#link.isUp(pid.node))
      this.#link.sendTo(pid.node, { t: 'mon', ref: ref.id, pid: pid.id })
    else this.#fire(ref.id, 'noconnection')
    return ref
  }

  /** See `Cluster.demonitor`. */
  demonitor(ref: Ref): boolean {
    const watch = this.#watching.get(ref.id)
    if (watch === undefined || watch.ref !== ref) return demonitor(ref)
    this.#forget(ref.id)
    this.#link.sendTo(watch.pid.node, { t: 'demon', ref: ref.id })
    return true
  }

  /** See `Cluster.send`. */
  send(target: PidLike, message: unknown): void {
    const pid = toPid(target)
    if (isLocal(pid)) send(pid, message)
    else if (this.#link.isUp(pid.node)) {
      this.#link.sendTo(pid.node, { t: 'send', pid: pid.id, msg: message })
    }
  }

  /** Handles `mon`, `demon`, `down` and `send`; false for other messages. */
  receive(message: ClusterMessage): boolean {
    switch (message.t) {
      case 'mon':
        this.#watch(message.from, message.ref, message.pid)
        return true
      case 'demon':
        this.#unwatch(`${message.from}\u0000${message.ref}`)
        return true
      case 'down': {
        const watch = this.#watching.get(message.ref)
        if (watch?.pid.node === message.from) this.#fire(message.ref, decodeReason(message.reason))
        return true
      }
      case 'send': {
        const pid = livePid(message.pid)
        if (pid !== undefined) send(pid, message.msg)
        return true
      }
      default:
        return false
    }
  }

  /** `node` went down: its processes' watchers get `noconnection`; its requests are dropped. */
  nodeDown(node: string): void {
    for (const [id, watch] of this.#watching)
      if (watch.pid.node === node) this.#fire(id, 'noconnection')
    const prefix = `${node}\u0000`
    for (const key of this.#watched.keys()) if (key.startsWith(prefix)) this.#unwatch(key)
  }

  /** The cluster stops: every hook is removed (watchers get nothing more). */
  clear(): void {
    for (const { off } of this.#watchers.values()) off()
    for (const off of this.#watched.values()) off()
    this.#watchers.clear()
    this.#watched.clear()
    this.#watching.clear()
  }

  /** How many remote monitors this node holds, and how many others hold on its processes. */
  get counts(): { watching: number; watched: number } {
    return { watching: this.#watching.size, watched: this.#watched.size }
  }

  #watch(from: string, ref: number, id: number): void {
    const key = `${from}\u0000${ref}`
    const pid = livePid(id)
    if (pid === undefined) {
      this.#link.sendTo(from, { t: 'down', ref, reason: encodeReason('noproc') })
      return
    }
    this.#unwatch(key)
    const off = onExit(pid, (reason) => {
      this.#watched.delete(key)
      this.#link.sendTo(from, { t: 'down', ref, reason: encodeReason(reason) })
    })
    this.#watched.set(key, off)
  }

  #unwatch(key: string): void {
    this.#watched.get(key)?.()
    this.#watched.delete(key)
  }

  #fire(id: number, reason: unknown): void {
    const watch = this.#watching.get(id)
    if (watch === undefined) return
    this.#forget(id)
    const down: DownMessage = { type: 'DOWN', ref: watch.ref, pid: watch.pid, reason }
    send(watch.watcher, down)
  }

  #forget(id: number): void {
    const watch = this.#watching.get(id)
    if (watch === undefined) return
    this.#watching.delete(id)
    const hooks = this.#watchers.get(watch.watcher)
    hooks?.refs.delete(id)
    if (hooks !== undefined && hooks.refs.size === 0) {
      hooks.off()
      this.#watchers.delete(watch.watcher)
    }
  }

  /** One exit hook per watching process: its monitors are cancelled on the far side when it stops. */
  #hookWatcher(watcher: Pid, id: number): void {
    const hooks = this.#watchers.get(watcher)
    if (hooks !== undefined) {
      hooks.refs.add(id)
      return
    }
    const refs = new Set([id])
    const off = onExit(watcher, () => {
      this.#watchers.delete(watcher)
      for (const ref of refs) {
        const watch = this.#watching.get(ref)
        this.#watching.delete(ref)
        if (watch !== undefined) this.#link.sendTo(watch.pid.node, { t: 'demon', ref })
      }
    })
    this.#watchers.set(watcher, { refs, off })
  }
}
