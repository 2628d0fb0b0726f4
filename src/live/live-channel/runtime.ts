/**
 * What every `lv:*` join of one live socket shares: the configuration, the
 * router that serves live routes, the mounted views by channel socket, and
 * which process runs each view (a nested view finds its parent by it). One
 * per `liveChannel`; the channel's callbacks take it as their context, so a
 * mounted view adds no closure of its own.
 */
import type { ChannelSocket } from '../../channel/channel-socket.ts'
import { CinderError, describe } from '../../errors.ts'
import type { Router } from '../../http/router/router.ts'
import type { NoReply, Reply, Stop } from '../../process/behaviour.ts'
import type { Pid } from '../../process/pid.ts'
import { currentPid } from '../../process/process.ts'
import type { LiveConfig } from '../live-config.ts'
import { type ResolvedRoute, resolveLiveRoute } from '../live-route.ts'
import type { LiveProcess } from './live-process.ts'

export type LvSocket = ChannelSocket<Record<string, unknown>>

/** What a callback of the live channel answers. */
export type Outcome = Reply<LvSocket> | NoReply<LvSocket> | Stop<LvSocket>

export class LiveRuntime {
  readonly config: LiveConfig
  readonly router: Router
  readonly #processes = new WeakMap<LvSocket, LiveProcess>()
  /** Which process runs the view of each container id (parents of nested views). */
  readonly #pids = new Map<string, Pid>()
  /** Snapshots being saved, by container id: a rejoin to this node waits for its own. */
  readonly #saving = new Map<string, Promise<void>>()

  constructor(config: LiveConfig, router: Router) {
    this.config = config
    this.router = router
  }

  /** The live route serving `href` (a URL the client sent), if any. */
  resolve(href: unknown): ResolvedRoute | undefined {
    const url = typeof href === 'string' ? parseUrl(href) : undefined
    return url === undefined ? undefined : resolveLiveRoute(this.router, url)
  }

  /** The route of a URL the server built (relative ones are resolved by the caller). */
  resolveUrl(url: URL): ResolvedRoute | undefined {
    return resolveLiveRoute(this.router, url)
  }

  processOf(socket: LvSocket): LiveProcess {
    const proc = this.#processes.get(socket)
    if (proc === undefined) {
      throw new CinderError(
        'CINDER_ERR_LIVE_BAD_EVENT',
        `no LiveView is mounted on ${describe(socket.topic)}`,
      )
    }
    return proc
  }

  /** A view is mounted on `socket`: its events find it, its nested views find its process. */
  register(socket: LvSocket, proc: LiveProcess): void {
    this.#processes.set(socket, proc)
    // Outside a process (cinder/testing's mountLive) there is nothing to register.
    const pid = currentPid()
    if (pid !== undefined) this.#pids.set(proc.socket.id, pid)
  }

  /** Runs `save` for container `id`; `saved(id)` waits for it meanwhile. */
  async saving(id: string, save: () => Promise<void>): Promise<void> {
    const running = save().finally(() => {
      if (this.#saving.get(id) === running) this.#saving.delete(id)
    })
    this.#saving.set(id, running)
    await running
  }

  /** Resolves once no snapshot of container `id` is being saved on this node. */
  async saved(id: string): Promise<void> {
    await this.#saving.get(id)
  }

  /** The process running the view of container `id`, if it is mounted. */
  pidOf(id: string): Pid | undefined {
    return this.#pids.get(id)
  }

  /** Forgets the view mounted on `socket` (the channel stopped) and returns it. */
  unregister(socket: LvSocket): LiveProcess | undefined {
    const proc = this.#processes.get(socket)
    if (proc === undefined) return undefined
    this.#processes.delete(socket)
    const { id } = proc.socket
    if (this.#pids.get(id) === currentPid()) this.#pids.delete(id)
    return proc
  }
}

function parseUrl(href: string): URL | undefined {
  try {
    return new URL(href)
  } catch {
    return undefined
  }
}
