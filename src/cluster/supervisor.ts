/**
 * The cluster-wide DynamicSupervisor: a child started under a key runs on exactly one node of
 * the cluster; it saves its state to the cluster's store (`child.save(state)`), and when its
 * node dies it starts again on a surviving node from the last state it saved.
 *
 * How it works (one supervisor process per node, under the same name on every node):
 * - `startChild` writes the child's record (type, args, restart, owner = this node and its
 *   incarnation) to the store, refused if the key exists, then calls the start function of its
 *   type, here. Start functions are registered by type on every node, so any node can start
 *   any child from its record.
 * - Every write is conditional on the revision this node last wrote: `save` after another
 *   node took the child over fails (CINDER_ERR_CLUSTER_NOT_OWNER) and stops the stale copy.
 *   The children running here and their records are kept by `LocalChildren`
 *   (local-children.ts); this file decides when they start, restart, move and stop.
 * - A child that stops is restarted here as by a DynamicSupervisor (restart type, restart
 *   intensity), from its last saved state; one that is done (`temporary`, or `transient` that
 *   stopped normally) has its record removed.
 * - When a node goes down, every survivor lists the records and adopts the orphans (owner down,
 *   or an older incarnation, or released) that rendezvous hashing over the nodes running this
 *   supervisor gives it: a conditional write makes it the owner (at most one node wins), it
 *   starts the child from the saved state and tells the others (`adopted`), so a stale owner
 *   that was only slow stops its copy.
 * - A clean stop hands the children off: stopped here (their `terminate` may save), released
 *   in the store (owner null), and adopted at once by the other nodes.
 */
import { CinderError, describe } from '../errors.ts'
import {
  type Behaviour,
  type ChildSpec,
  call,
  getLogger,
  isAlive,
  isNormalExit,
  noreply,
  type Pid,
  reply,
  send,
  sendAfter,
  spawn,
  stop,
  stopProcess,
  type TimerRef,
} from '../process/index.ts'
import { Intensity, MAX_RESTART_INTENSITY } from '../process/supervisor.ts'
import {
  type ChildRecord,
  type ClusterChildSpec,
  newRecord,
  type Owner,
  parseRecord,
} from './child-record.ts'
import type { Cluster } from './cluster.ts'
import { LocalChildren } from './local-children.ts'
import { toPid } from './pids.ts'
import { rendezvous } from './placement.ts'
import type { ClusterStore, StoredEntry } from './store.ts'
import {
  CALL_TIMEOUT_MS,
  type ClusterChildInfo,
  type ClusterSupervisorOptions,
  checkOptions,
  DEFAULT_MAX_STATE_BYTES,
  Failure,
  Fenced,
  isExit,
  type Local,
  Op,
  SETTLED,
  Stopped,
  SWEEP,
  Verify,
} from './supervisor-types.ts'

export type {
  ClusterChild,
  ClusterChildInfo,
  ClusterChildStart,
  ClusterSupervisorOptions,
} from './supervisor-types.ts'

/** Builds a ClusterSupervisor without starting it: `supervisor.childSpec()` or `start()` runs it. */
export function createClusterSupervisor(options: ClusterSupervisorOptions): ClusterSupervisor {
  return new ClusterSupervisor(options)
}

/** Builds and starts a ClusterSupervisor on this node; resolves once its process runs. */
export async function startClusterSupervisor(
  options: ClusterSupervisorOptions,
): Promise<ClusterSupervisor> {
  const supervisor = new ClusterSupervisor(options)
  await supervisor.start()
  return supervisor
}

/** A cluster-wide DynamicSupervisor, on this node. See docs/cluster.md. */
export class ClusterSupervisor {
  readonly name: string
  /** Where its records live in the store: `<cluster name>/<name>`. */
  readonly space: string
  readonly cluster: Cluster
  readonly store: ClusterStore
  readonly #options: ClusterSupervisorOptions
  readonly #types: ReadonlySet<string>
  readonly #local: LocalChildren
  #intensity: Intensity
  #pid: Pid | undefined
  #offs: (() => void)[] = []
  /** Heard every live node since start: records of nodes never heard of are orphans. */
  #settled = false
  #handingOff = false
  /** A sweep planned for later (after a store failure, or while orphans wait). */
  #resweep: TimerRef | undefined

  constructor(options: ClusterSupervisorOptions) {
    checkOptions(options)
    this.#options = options
    this.name = options.name
    // Two clusters sharing one Redis or NATS must never adopt each other's children.
    this.space = `${options.cluster.name}/${options.name}`
    this.cluster = options.cluster
    this.store = options.store
    this.#types = new Set(Object.keys(options.children))
    this.#local = new LocalChildren({
      space: this.space,
      store: this.store,
      node: () => this.cluster.node,
      starts: options.children,
      maxStateBytes: options.maxStateBytes ?? DEFAULT_MAX_STATE_BYTES,
      pid: () => this.#pid,
      label: () => this.#label(),
    })
    this.#intensity = new Intensity(options, 'a cluster supervisor')
  }

  /** The supervisor's process on this node (after `start`). */
  get pid(): Pid | undefined {
    return this.#pid
  }

  /** Starts the process on this node; it adopts orphans once it has heard the cluster. */
  async start(): Promise<Pid> {
    if (this.#pid !== undefined && isAlive(this.#pid)) {
      throw new CinderError(
        'CINDER_ERR_CLUSTER_NOT_RUNNING',
        `expected a cluster supervisor that is not running to start, got ${this.#label()} running`,
      )
    }
    if (!this.cluster.running) {
      throw new CinderError(
        'CINDER_ERR_CLUSTER_NOT_RUNNING',
        `expected a running cluster under ${this.#label()}, got one that is not running (start the cluster first)`,
      )
    }
    this.#intensity = new Intensity(this.#options, 'a cluster supervisor')
    this.#settled = false
    this.#handingOff = false
    this.#pid = await spawn(supervisorBehaviour, this, { trapExit: true })
    return this.#pid
  }

  /** Hands this node's children off to the others (stopped here, adopted there), then stops. */
  async stop(): Promise<void> {
    const pid = this.#pid
    if (pid === undefined || !isAlive(pid)) return
    await stopProcess(pid, 'shutdown').catch(() => {}) // already gone
  }

  /** The supervisor as a child of an application's tree (after the Cluster). */
  childSpec(id = `cluster supervisor ${this.name}`): ChildSpec {
    return { id, type: 'supervisor', shutdown: 'infinity', start: () => this.start() }
  }

  /**
   * Starts a child on this node under `spec.key`. Rejects with
   * CINDER_ERR_CLUSTER_CHILD_EXISTS when the key runs (or waits) anywhere in the cluster,
   * CINDER_ERR_START_FAILED when its start function fails (nothing is kept).
   */
  startChild(spec: ClusterChildSpec): Promise<Pid> {
    return this.#call((sup) => sup.#startNew(spec))
  }

  /** Stops a child wherever it runs and forgets it. Resolves false for an unknown key. */
  terminateChild(key: string): Promise<boolean> {
    return this.#call((sup) => sup.#terminate(key))
  }

  /** Where a child runs now (from the store), or undefined (unknown, or waiting to be adopted). */
  async whereis(key: string): Promise<{ node: string; pid: Pid } | undefined> {
    const entry = await this.store.get(this.space, key)
    const record = entry === undefined ? undefined : parseRecord(entry.value)
    if (record?.owner == null || record.pid === null) return undefined
    return { node: record.owner.node, pid: toPid(record.pid) }
  }

  /** Every child of the supervisor in the cluster (from the store). */
  async children(): Promise<ClusterChildInfo[]> {
    const entries = await this.store.list(this.space)
    return entries.flatMap(({ key, value }) => {
      const record = parseRecord(value)
      if (record === undefined) return []
      const pid = record.pid === null ? null : toPid(record.pid)
      return [
        { key, type: record.type, node: record.owner?.node ?? null, pid, saved: record.saved },
      ]
    })
  }

  /** The children running on this node. */
  localChildren(): { key: string; pid: Pid }[] {
    return this.#local.values().flatMap(({ key, pid }) => (pid ? [{ key, pid }] : []))
  }

  // --- The process ------------------------------------------------------------------------

  /** @internal From the process's init. */
  init(pid: Pid): void {
    this.#pid = pid
    const { cluster } = this
    this.#offs = [
      cluster.attachSupervisor(this.name, {
        receive: (message) => {
          if (message.op === 'released') send(pid, SWEEP)
          else if (message.op === 'adopted') send(pid, new Verify(message.key))
          else send(pid, new Stopped(message.key))
        },
        resync: () => send(pid, new Verify()),
      }),
      cluster.onNodeEvent((event) => {
        if (event.type === 'down') send(pid, SWEEP)
      }),
    ]
    // Once every live node has been heard, records of nodes never heard are orphans too.
    sendAfter(pid, SETTLED, cluster.downAfter)
  }

  /** @internal One message of the process. */
  async handle(message: unknown): Promise<boolean> {
    if (message === SWEEP) await this.#sweep()
    else if (message === SETTLED) {
      this.#settled = true
      await this.#sweep()
    } else if (message instanceof Verify) await this.#verify(message.key)
    else if (message instanceof Fenced) await this.#fenced(message)
    else if (message instanceof Stopped)
      await this.#stopHere(message.key, 'stopped by another node')
    else if (isExit(message)) return this.#exited(message.pid, message.reason)
    return true
  }

  /** @internal From the process's terminate. */
  async terminate(reason: unknown): Promise<void> {
    for (const off of this.#offs) off()
    this.#offs = []
    const running = this.#local.values()
    this.#handingOff = true
    await Promise.all(running.map((local) => this.#local.shutdown(local)))
    // A clean stop hands off; after a crash loop the records stay ours until this node goes.
    if (reason === 'shutdown' || reason === 'normal') {
      await Promise.all(running.map((local) => this.#local.release(local)))
      this.cluster.link.broadcast({ t: 'sup', sup: this.name, op: 'released', key: '' })
    }
    this.#local.clear()
  }

  // --- Starting ---------------------------------------------------------------------------

  async #startNew(spec: ClusterChildSpec): Promise<Pid> {
    const record = newRecord(spec, this.#types, this.#owner())
    const revision = await this.store.create(this.space, spec.key, JSON.stringify(record))
    if (revision === undefined) throw await this.#exists(spec.key)
    try {
      return await this.#local.launch(spec.key, record, revision, 'start')
    } catch (err) {
      await this.store.delete(this.space, spec.key, revision).catch(() => {})
      throw err
    }
  }

  // --- Children that stop -----------------------------------------------------------------

  /** Returns false to stop the supervisor (restart intensity reached). */
  async #exited(pid: Pid, reason: unknown): Promise<boolean> {
    const local = this.#local.byPid(pid)
    if (local === undefined) return true
    const { restart } = local.record
    if (local.fenced || this.#handingOff) {
      this.#local.delete(local.key)
      return true
    }
    if (restart === 'temporary' || (restart === 'transient' && isNormalExit(reason))) {
      this.#local.delete(local.key)
      await local.chain
      await this.store
        .delete(this.space, local.key, local.revision)
        .catch((err) => this.#storeFailed(err))
      return true
    }
    if (!this.#intensity.record()) {
      this.#log('error', `${this.#label()} reached its maximum restart intensity; stopping`)
      return false
    }
    await this.#restart(local)
    return true
  }

  /** Starts a child again here, from the store, if this node still owns it. */
  async #restart(local: Local): Promise<void> {
    await local.chain
    this.#local.delete(local.key)
    let entry: StoredEntry | undefined
    try {
      entry = await this.store.get(this.space, local.key)
    } catch (err) {
      this.#storeFailed(err)
      this.#sweepLater(this.cluster.heartbeatInterval) // the record is still ours: a sweep takes it back
      return
    }
    const record = entry === undefined ? undefined : parseRecord(entry.value)
    if (entry === undefined || record === undefined || entry.revision !== local.revision) {
      this.#log(
        'warn',
        `${this.#label()}: child ${describe(local.key)} stopped and is no longer this node's; not restarted here`,
      )
      return
    }
    await this.#local.launch(local.key, record, entry.revision, 'restart').catch((err) => {
      this.#log('error', (err as Error).message)
      send(this.#pid as Pid, SWEEP) // the record is ours: a later sweep tries again
    })
  }

  async #fenced({ key, generation }: Fenced): Promise<void> {
    const local = this.#local.get(key)
    if (local?.generation !== generation) return
    await this.#stopHere(key, 'taken over by another node')
  }

  /** Stops the local copy of `key` without touching the store (it is someone else's now). */
  async #stopHere(key: string, why: string): Promise<void> {
    const local = this.#local.get(key)
    if (local === undefined) return
    local.fenced = true
    this.#local.delete(key)
    this.#log('warn', `${this.#label()}: child ${describe(key)} ${why}; stopping it here`)
    await this.#local.shutdown(local)
  }

  // --- Adopting orphans -------------------------------------------------------------------

  async #sweep(): Promise<void> {
    if (this.#handingOff) return
    let entries: StoredEntry[]
    try {
      entries = await this.store.list(this.space)
    } catch (err) {
      this.#storeFailed(err)
      this.#sweepLater(this.cluster.heartbeatInterval)
      return
    }
    const candidates = this.cluster.nodesRunning(this.name)
    let waiting = 0
    for (const entry of entries) {
      const record = parseRecord(entry.value)
      if (record === undefined || !this.#orphan(entry.key, record)) continue
      // What this node held before (an older incarnation, a supervisor that stopped) it takes
      // back; the rest goes where rendezvous hashing says.
      const here =
        record.owner?.node === this.cluster.node ||
        rendezvous(entry.key, candidates) === this.cluster.node
      if (here) await this.#adopt(entry, record)
      else waiting++
    }
    // Left to another node: look again later, in case its view of the cluster differed.
    if (waiting > 0) this.#sweepLater(this.cluster.downAfter)
  }

  #sweepLater(ms: number): void {
    if (this.#pid === undefined || this.#resweep?.pending) return
    this.#resweep = sendAfter(this.#pid, SWEEP, ms)
  }

  #orphan(key: string, record: ChildRecord): boolean {
    if (this.#local.has(key)) return false
    const owner = record.owner
    if (owner === null) return true
    if (owner.node === this.cluster.node) return true // a previous incarnation or supervisor here
    const incarnation = this.cluster.incarnationOf(owner.node)
    return incarnation === undefined ? this.#settled : incarnation !== owner.inc
  }

  async #adopt(entry: StoredEntry, record: ChildRecord): Promise<void> {
    const mine: ChildRecord = { ...record, owner: this.#owner(), pid: null }
    const revision = await this.store
      .update(this.space, entry.key, JSON.stringify(mine), entry.revision)
      .catch((err) => this.#storeFailed(err))
    if (revision === undefined) return // another node was first, or the store failed
    this.cluster.link.broadcast({ t: 'sup', sup: this.name, op: 'adopted', key: entry.key })
    const from = record.owner === null ? 'released' : `from ${record.owner.node}`
    this.#log('info', `${this.#label()}: adopted child ${describe(entry.key)} (${from})`)
    await this.#local.launch(entry.key, mine, revision, 'failover').catch((err) => {
      this.#log('error', (err as Error).message)
    })
  }

  /** After a possible false down of this node: stop the copies another node took over. */
  async #verify(only: string | undefined): Promise<void> {
    const locals = only === undefined ? this.#local.values() : [this.#local.get(only)]
    for (const local of locals) {
      if (local === undefined) continue
      await local.chain
      let entry: StoredEntry | undefined
      try {
        entry = await this.store.get(this.space, local.key)
      } catch (err) {
        this.#storeFailed(err) // cannot tell: its next save will
        continue
      }
      if (entry?.revision !== local.revision && this.#local.get(local.key) === local) {
        await this.#stopHere(local.key, 'taken over by another node')
      }
    }
  }

  // --- Terminating ------------------------------------------------------------------------

  async #terminate(key: string): Promise<boolean> {
    const local = this.#local.get(key)
    if (local !== undefined) {
      this.#local.delete(key)
      local.fenced = true
      await this.#local.shutdown(local)
      return this.store.delete(this.space, key, local.revision)
    }
    const entry = await this.store.get(this.space, key)
    if (entry === undefined || !(await this.store.delete(this.space, key, entry.revision))) {
      return false
    }
    const owner = parseRecord(entry.value)?.owner
    if (owner != null)
      this.cluster.link.sendTo(owner.node, { t: 'sup', sup: this.name, op: 'stop', key })
    return true
  }

  // --- Plumbing ---------------------------------------------------------------------------

  async #call<T>(run: (sup: ClusterSupervisor) => Promise<T>): Promise<T> {
    const pid = this.#pid
    if (pid === undefined || !isAlive(pid)) {
      throw new CinderError(
        'CINDER_ERR_CLUSTER_NOT_RUNNING',
        `expected a running cluster supervisor, got ${this.#label()} that is not running`,
      )
    }
    const result = await call<unknown>(
      pid,
      new Op(run as (sup: ClusterSupervisor) => Promise<unknown>),
      CALL_TIMEOUT_MS,
    )
    if (result instanceof Failure) throw result.error
    return result as T
  }

  /** @internal Runs a call's operation inside the process; errors travel back as a Failure. */
  async answer(op: Op): Promise<unknown> {
    try {
      return await op.run(this)
    } catch (err) {
      return new Failure(err)
    }
  }

  async #exists(key: string): Promise<CinderError> {
    const entry = await this.store.get(this.space, key).catch(() => undefined)
    const owner = entry === undefined ? undefined : parseRecord(entry.value)?.owner
    const where = owner == null ? 'waiting to be adopted' : `on ${owner.node}`
    return new CinderError(
      'CINDER_ERR_CLUSTER_CHILD_EXISTS',
      `expected a key no child of ${this.#label()} uses, got ${describe(key)}, already ${where}`,
    )
  }

  #owner(): Owner {
    return { node: this.cluster.node, inc: this.cluster.incarnation }
  }

  #storeFailed(err: unknown): undefined {
    this.#log('warn', `${this.#label()}: ${err instanceof Error ? err.message : describe(err)}`)
    return undefined
  }

  #log(level: 'info' | 'warn' | 'error', line: string): void {
    const logger = this.#options.logger ?? getLogger()
    logger[level](line)
  }

  #label(): string {
    return `cluster supervisor ${this.name} on ${this.cluster.node}`
  }
}

const supervisorBehaviour: Behaviour<ClusterSupervisor, ClusterSupervisor> = {
  name: 'cluster supervisor',
  init(sup, { self }) {
    sup.init(self)
    return sup
  },
  async handleCall(request, _from, sup) {
    if (!(request instanceof Op))
      return reply(new Failure(new Error('not a supervisor request')), sup)
    return reply(await sup.answer(request), sup)
  },
  async handleInfo(message, sup) {
    return (await sup.handle(message)) ? noreply(sup) : stop(MAX_RESTART_INTENSITY, sup)
  },
  terminate: (reason, sup) => sup.terminate(reason),
}
