/**
 * A node's membership in a cluster: which nodes are up, remote monitors, the cluster-wide
 * registry, and the hooks cluster supervisors use. One process per node drives it.
 *
 * How it works:
 * - Every `heartbeatInterval` the process broadcasts a heartbeat (its incarnation and the
 *   registry's change counter) on the PubSub topic `cinder.cluster:<name>`, over the same
 *   adapter as everything else, and marks down the peers silent for longer than
 *   `downAfter − 1.5 × heartbeatInterval`: a killed node is reported down between
 *   `downAfter − 2.5 × heartbeatInterval` and `downAfter − 0.5 × heartbeatInterval` after its
 *   death (2.5–4.5 s by default), within `downAfter` even when timers run late. A clean stop says
 *   `bye` (down at once, `shutdown`); with the `cluster` adapter the primary reports a dead
 *   worker at once (`worker_exit`).
 * - While this node's own link is down, or right after its own event loop stalled, it times
 *   nobody out: it cannot tell their silence from its own deafness. When the link returns,
 *   every peer gets a fresh allowance.
 * - Each event goes, in order, to the registry (names of a down node are freed), the remote
 *   monitors (`noconnection`), the presences given (`nodeDown`: their presences leave now),
 *   then the application's listeners.
 *
 * See docs/cluster.md for why the defaults (1 s, 5 s) are safe.
 */
import { randomBytes } from 'node:crypto'
import { CinderError, describe } from '../errors.ts'
import {
  type Behaviour,
  type ChildSpec,
  getClock,
  getLogger,
  type Logger,
  nodeName,
  noreply,
  onExit,
  type Pid,
  type Ref,
  send,
  sendAfter,
  setNodeName,
  spawn,
  stopProcess,
  type TimerRef,
} from '../process/index.ts'
import { indexPids } from '../process/process.ts'
import type { PubSub } from '../pubsub/index.ts'
import { Diagnostics } from './diagnostics.ts'
import type { ClusterLink } from './link.ts'
import { Membership, type NodeEvent } from './membership.ts'
import { RemoteMonitors } from './monitors.ts'
import { checkOptions } from './options.ts'
import type { PidLike } from './pids.ts'
import { ClusterRegistry } from './registry.ts'
import { type ClusterMessage, decode, encode, type Outgoing } from './wire.ts'

/** Something told at once when a node goes down: a `Presence` or a `Tracker` fits. */
export interface NodeDownListener {
  nodeDown(node: string): void
}

/** Options of a Cluster. Periods are in milliseconds. */
export interface ClusterOptions {
  /** The PubSub the nodes share; the cluster talks over it. */
  readonly pubsub: PubSub
  /** The cluster's name, the same on every node. Default `'cluster'`. */
  readonly name?: string
  /** How often a node says it is alive. Default 1,000. */
  readonly heartbeatInterval?: number
  /** A silent node is reported down within this period. At least 4 × heartbeatInterval. Default 5,000. */
  readonly downAfter?: number
  /** Told when a node goes down, so its presences leave now (not after the Tracker's 30 s). */
  readonly presences?: readonly NodeDownListener[]
  /** Where log lines go. Default: the runtime's logger. */
  readonly logger?: Logger
}

/** The defaults of `ClusterOptions`. */
export const CLUSTER_DEFAULTS = { heartbeatInterval: 1000, downAfter: 5000 } as const

/** @internal What a cluster supervisor hears from the cluster. */
export interface SupervisorPort {
  /** A `sup` message for it from another node. */
  receive(message: Extract<ClusterMessage, { t: 'sup' }>): void
  /** This node may have been reported down meanwhile (its link came back, or it stalled). */
  resync(): void
}

const TICK = Symbol('cinder.cluster.tick')
const LINK_UP = Symbol('cinder.cluster.link_up')
class WorkerExited {
  readonly node: string
  constructor(node: string) {
    this.node = node
  }
}

/**
 * Builds this node's Cluster without starting it: put `cluster.childSpec()` in the
 * application's tree after the PubSub and the Presences it watches (or call `start()`).
 */
export function createCluster(options: ClusterOptions): Cluster {
  return new Cluster(options)
}

/** Builds and starts a Cluster on this node; resolves once its process runs (its first heartbeat is out). */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const cluster = new Cluster(options)
  await cluster.start()
  return cluster
}

/** This node's view of the cluster, and the cluster-wide services built on it. See docs/cluster.md. */
export class Cluster {
  readonly name: string
  readonly pubsub: PubSub
  readonly heartbeatInterval: number
  readonly downAfter: number
  readonly #options: ClusterOptions
  readonly #topic: string
  readonly #listeners = new Set<(event: NodeEvent) => void>()
  readonly #supervisors = new Map<string, SupervisorPort>()
  readonly #diagnostics: Diagnostics
  #link: ClusterLink
  #membership: Membership
  #monitors: RemoteMonitors
  #registry: ClusterRegistry
  #incarnation = ''
  #pid: Pid | undefined
  #timer: TimerRef | undefined
  #lastTick: number | undefined
  #offs: (() => void)[] = []
  #state: 'new' | 'running' | 'stopped' | 'failed' = 'new'

  constructor(options: ClusterOptions) {
    const { heartbeatInterval, downAfter } = checkOptions(options)
    this.#options = options
    this.name = options.name ?? 'cluster'
    this.pubsub = options.pubsub
    this.heartbeatInterval = heartbeatInterval
    this.downAfter = downAfter
    this.#topic = `cinder.cluster:${this.name}`
    this.#diagnostics = new Diagnostics(
      () => this.#label(),
      (level, line) => this.#log(level, line),
    )
    this.#link = this.#newLink()
    this.#membership = new Membership(this.node, this.#silenceLimit)
    this.#monitors = new RemoteMonitors(this.#link)
    this.#registry = new ClusterRegistry(this.#link)
  }

  /** This node's name (the PubSub's). */
  get node(): string {
    return this.pubsub.node
  }

  /** This node's incarnation: fresh on every start, so a restart under the same name shows. */
  get incarnation(): string {
    return this.#incarnation
  }

  /** The cluster's process (after `start`). */
  get pid(): Pid | undefined {
    return this.#pid
  }

  /**
   * Silence after which a peer is down: its last heartbeat came up to an interval before its
   * death, and it is checked every interval, so it is reported at most `downAfter − 0.5 ×
   * heartbeatInterval` after dying; half an interval is left for timers that run late.
   */
  get #silenceLimit(): number {
    return this.downAfter - 1.5 * this.heartbeatInterval
  }

  /** Whether the cluster runs on this node. */
  get running(): boolean {
    return this.#state === 'running'
  }

  /** The cluster-wide registry. */
  get registry(): ClusterRegistry {
    return this.#registry
  }

  /** The nodes up, this one included, sorted by name. */
  listNodes(): string[] {
    return [this.node, ...this.#membership.peers()].sort()
  }

  /** Whether `node` is up (this node is, while the cluster runs). */
  isUp(node: string): boolean {
    return node === this.node || this.#membership.incarnationOf(node) !== undefined
  }

  /** The incarnation of an up node. */
  incarnationOf(node: string): string | undefined {
    return node === this.node ? this.#incarnation : this.#membership.incarnationOf(node)
  }

  /**
   * Calls `listener` with every node event (`up`: joined, recovered; `down`: timeout,
   * shutdown, worker_exit, restarted), after the registry, monitors and presences have acted.
   * Returns a function that removes it.
   */
  onNodeEvent(listener: (event: NodeEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /**
   * Monitors a process from the calling process, on this node or another (a `Pid`, or its
   * string `<node.id>` as it arrives in messages). The caller gets `{ type: 'DOWN', ref, pid,
   * reason }` once: the exit reason, `'noproc'`, or `'noconnection'` when the node goes down.
   */
  monitor(target: PidLike): Ref {
    this.#assertRunning('monitor')
    return this.#monitors.monitor(target)
  }

  /** Stops a monitor set with `monitor`; a DOWN not yet delivered is dropped. */
  demonitor(ref: Ref): boolean {
    return this.#monitors.demonitor(ref)
  }

  /**
   * Sends `message` to a process on any node (`handleInfo`). Like `send`: nothing happens for
   * a stopped process or a node that is down. Messages to other nodes must be JSON (plus
   * binary), as PubSub broadcasts; CINDER_ERR_PUBSUB_ENCODE otherwise.
   */
  send(target: PidLike, message: unknown): void {
    this.#assertRunning('send')
    this.#monitors.send(target, message)
  }

  /** Starts the cluster's process: it heartbeats at once. */
  async start(): Promise<void> {
    if (this.#state === 'running') {
      throw new CinderError(
        'CINDER_ERR_CLUSTER_NOT_RUNNING',
        `expected a cluster that is not running to start, got ${this.#label()} running`,
      )
    }
    if (this.#state !== 'new') this.#reset()
    this.#nameRuntime()
    indexPids()
    this.#incarnation = `${Date.now().toString(36)}.${randomBytes(4).toString('hex')}`
    this.#state = 'running'
    try {
      this.#pid = await spawn(clusterBehaviour, this, { link: false })
    } catch (err) {
      this.#state = 'failed'
      throw err
    }
  }

  /** Says goodbye (the others see this node down at once, `shutdown`) and stops. */
  async stop(): Promise<void> {
    const pid = this.#pid
    if (this.#state !== 'running' || pid === undefined) return
    await stopProcess(pid, 'shutdown').catch(() => {}) // already gone: nothing to stop
  }

  /**
   * The cluster as a child of an application's supervision tree (after the PubSub and the
   * Presence, before the Endpoint). A restart is a new incarnation: the other nodes see this
   * node restart (its names are freed, monitors of its processes fire).
   */
  childSpec(id = `cluster ${this.name}`): ChildSpec {
    return {
      id,
      shutdown: 5000,
      start: async () => {
        await this.start()
        const pid = this.#pid
        if (pid === undefined) throw new Error('the cluster started without a process')
        return pid
      },
    }
  }

  /** Remote monitors held here on other nodes' processes, and held elsewhere on this node's. */
  get monitorCounts(): { watching: number; watched: number } {
    return this.#monitors.counts
  }

  /** @internal How parts of the cluster reach the other nodes. */
  get link(): ClusterLink {
    return this.#link
  }

  /**
   * @internal Routes `sup` messages of supervisor `name` to `port`, and tells the other nodes
   * (in heartbeats) that this node runs it. Returns the detach function, after which the next
   * heartbeat, sent at once, says it no longer does.
   */
  attachSupervisor(name: string, port: SupervisorPort): () => void {
    if (this.#supervisors.has(name)) {
      throw new CinderError(
        'CINDER_ERR_CLUSTER_BAD_ARG',
        `expected one cluster supervisor per name on a node, got a second ${describe(name)}`,
      )
    }
    this.#supervisors.set(name, port)
    return () => {
      if (this.#supervisors.get(name) !== port) return
      this.#supervisors.delete(name)
      if (this.running && this.pubsub.connected) this.#heartbeat(undefined)
    }
  }

  /** @internal The up nodes that run supervisor `name` (as their heartbeats say), sorted. */
  nodesRunning(name: string): string[] {
    const key = supervisorDigestKey(name)
    const peers = this.#membership.peers().filter((node) => {
      return this.#membership.digestOf(node)?.[key] !== undefined
    })
    return (this.#supervisors.has(name) ? [this.node, ...peers] : peers).sort()
  }

  // --- The process ------------------------------------------------------------------------

  /** @internal From the process's init. */
  init(pid: Pid): void {
    this.#pid = pid
    const { pubsub } = this
    pubsub.subscribe(this.#topic, pid)
    this.#offs = [
      pubsub.onReconnect(() => send(pid, LINK_UP)),
      pubsub.onNodeDown((node) => send(pid, new WorkerExited(node))),
      onExit(pid, (reason) => this.#exited(reason)),
    ]
    this.#tick()
  }

  /** @internal One message of the process. */
  handle(message: unknown): void {
    if (message === TICK) this.#tick()
    else if (message === LINK_UP) this.#linkUp()
    else if (message instanceof WorkerExited) {
      this.#apply(this.#membership.left(message.node, 'worker_exit', getClock().now()))
    } else this.#receive(message)
  }

  /** @internal From the process's terminate: a clean stop says goodbye. */
  terminate(): void {
    if (this.pubsub.connected) this.#link.broadcast({ t: 'bye', inc: this.#incarnation })
  }

  #exited(reason: unknown): void {
    this.#timer?.cancel()
    for (const off of this.#offs) off()
    this.#offs = []
    this.#monitors.clear()
    this.#registry.clear()
    const clean = reason === 'shutdown' || reason === 'normal'
    this.#state = clean ? 'stopped' : 'failed'
    if (!clean) this.#log('error', `${this.#label()} stopped: ${describe(reason)}`)
  }

  #tick(): void {
    const now = getClock().now()
    const late = this.#lastTick === undefined ? 0 : now - this.#lastTick - this.heartbeatInterval
    this.#lastTick = now
    if (late > this.heartbeatInterval) this.#stalled(late, now)
    if (this.pubsub.connected) {
      this.#heartbeat(undefined)
      this.#apply(this.#membership.expire(now))
    }
    if (this.#pid !== undefined) this.#timer = sendAfter(this.#pid, TICK, this.heartbeatInterval)
  }

  /** This node did not run for `late` ms: it cannot judge the others' silence meanwhile. */
  #stalled(late: number, now: number): void {
    this.#membership.refresh(now)
    if (late <= this.#silenceLimit - this.heartbeatInterval) return
    this.#log(
      'warn',
      `${this.#label()}: this node stalled for ${(late / 1000).toFixed(1)} s (event loop or GC); the others may have reported it down`,
    )
    for (const port of this.#supervisors.values()) port.resync()
  }

  #linkUp(): void {
    this.#membership.refresh(getClock().now())
    this.#heartbeat(undefined)
    for (const port of this.#supervisors.values()) port.resync()
  }

  #heartbeat(to: string | undefined): void {
    const digest: Record<string, number> = { reg: this.#registry.seq }
    for (const name of this.#supervisors.keys()) digest[supervisorDigestKey(name)] = 1
    const message: Outgoing = { t: 'hb', inc: this.#incarnation, digest }
    if (to === undefined) this.#link.broadcast(message)
    else this.#link.sendTo(to, message)
  }

  #receive(data: unknown): void {
    const received = decode(data)
    if (received.kind !== 'message') this.#diagnostics.dropped(received)
    else if (received.message.from === this.node) {
      this.#diagnostics.namesake(received.message, this.#incarnation)
    } else this.#route(received.message)
  }

  #route(message: ClusterMessage): void {
    switch (message.t) {
      case 'hb':
        this.#heard(message)
        break
      case 'bye':
        this.#apply(this.#membership.left(message.from, 'shutdown', getClock().now(), message.inc))
        break
      case 'sup':
        this.#supervisors.get(message.sup)?.receive(message)
        break
      case 'reg':
      case 'unreg':
      case 'sync':
        // Only from a node heard to be up, so a late message never revives a dead node's names.
        if (this.isUp(message.from)) this.#registry.receive(message)
        break
      case 'syncreq':
        this.#registry.receive(message)
        break
      default:
        this.#monitors.receive(message)
    }
  }

  #heard(message: Extract<ClusterMessage, { t: 'hb' }>): void {
    const events = this.#membership.heard(
      message.from,
      message.inc,
      message.digest,
      getClock().now(),
    )
    // A newcomer hears from us now rather than within a heartbeat interval.
    if (events.some((e) => e.type === 'up' && e.reason === 'joined')) this.#heartbeat(message.from)
    this.#apply(events)
    this.#registry.heartbeat(message.from, message.digest.reg)
  }

  #apply(events: readonly NodeEvent[]): void {
    for (const event of events) {
      if (event.type === 'down') {
        this.#registry.nodeDown(event.node)
        this.#monitors.nodeDown(event.node)
        // A restart is the Tracker's own business (a new vsn replaces the old at once).
        if (event.reason !== 'restarted') this.#tellPresences(event.node)
        this.#log('warn', `${this.#label()}: ${event.node} is down (${event.reason})`)
      } else {
        this.#registry.nodeUp(event.node)
        this.#log('info', `${this.#label()}: ${event.node} is up (${event.reason})`)
      }
      for (const listener of this.#listeners) {
        try {
          listener(event)
        } catch (err) {
          this.#log('error', `${this.#label()}: an onNodeEvent listener threw: ${describe(err)}`)
        }
      }
    }
  }

  #tellPresences(node: string): void {
    for (const presence of this.#options.presences ?? []) {
      try {
        presence.nodeDown(node)
      } catch (err) {
        this.#log('error', `${this.#label()}: a presence's nodeDown threw: ${describe(err)}`)
      }
    }
  }

  #newLink(): ClusterLink {
    const cluster = this
    const publish = (publisher: () => void): void => {
      try {
        publisher()
      } catch (err) {
        // The PubSub stopped before the cluster: nothing can be said any more.
        if ((err as CinderError).code !== 'CINDER_ERR_PUBSUB_NOT_RUNNING') throw err
      }
    }
    return {
      get node() {
        return cluster.node
      },
      get logger() {
        return cluster.#options.logger ?? getLogger()
      },
      sendTo(node, message) {
        const framed = encode({ ...message, from: cluster.node } as ClusterMessage)
        publish(() => cluster.pubsub.directBroadcast(node, cluster.#topic, framed))
      },
      broadcast(message) {
        const framed = encode({ ...message, from: cluster.node } as ClusterMessage)
        const pid = cluster.#pid
        if (pid === undefined) return
        publish(() => cluster.pubsub.broadcastFrom(pid, cluster.#topic, framed))
      },
      isUp: (node) => cluster.isUp(node),
    }
  }

  /** A restart: fresh state, as a new node (its peers see a new incarnation). */
  #reset(): void {
    this.#membership = new Membership(this.node, this.#silenceLimit)
    this.#monitors = new RemoteMonitors(this.#link)
    this.#registry = new ClusterRegistry(this.#link)
    this.#lastTick = undefined
    this.#pid = undefined
  }

  /** Pids name the node other nodes reach: the runtime's node name must be the PubSub's. */
  #nameRuntime(): void {
    const runtime = nodeName()
    if (runtime === 'cinder') setNodeName(this.node)
    else if (runtime !== this.node) {
      this.#log(
        'warn',
        `${this.#label()}: pids of this process are named ${runtime} but the PubSub's node is ${this.node}; other nodes cannot reach them (set CINDER_NODE, or setNodeName before anything starts)`,
      )
    }
  }

  #assertRunning(action: string): void {
    if (this.#state !== 'running') {
      throw new CinderError(
        'CINDER_ERR_CLUSTER_NOT_RUNNING',
        `expected a running cluster to ${action}, got ${this.#label()} ${this.#state}`,
      )
    }
  }

  #log(level: 'info' | 'warn' | 'error', line: string): void {
    const logger = this.#options.logger ?? getLogger()
    logger[level](line)
  }

  #label(): string {
    return `cluster ${this.name} on ${this.node}`
  }
}

/** The heartbeat digest entry saying a node runs cluster supervisor `name`. */
function supervisorDigestKey(name: string): string {
  return `sup:${name}`
}

const clusterBehaviour: Behaviour<Cluster, Cluster> = {
  name: 'cluster',
  init(cluster, { self }) {
    cluster.init(self)
    return cluster
  },
  handleInfo(message, cluster) {
    cluster.handle(message)
    return noreply(cluster)
  },
  terminate(_reason, cluster) {
    cluster.terminate()
  },
}
