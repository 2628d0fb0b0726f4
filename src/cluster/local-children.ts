/**
 * The children a cluster supervisor runs on this node, each with the record this node owns in
 * the store (supervisor.ts decides when they start, stop and move; this keeps them).
 *
 * Every write of a child's record is conditional on the revision this node last wrote, and
 * the writes of one child run one after the other. A write that loses (another node took the
 * child over) fences the child: its later saves fail with CINDER_ERR_CLUSTER_NOT_OWNER, and
 * the supervisor process is told (`Fenced`) so it stops this stale copy.
 */
import { CinderError, describe } from '../errors.ts'
import { isAlive, link, Pid, send } from '../process/index.ts'
import { shutdownChild } from '../process/shutdown.ts'
import { type ChildRecord, stateJson } from './child-record.ts'
import type { ClusterStore, Revision } from './store.ts'
import {
  type ClusterChild,
  type ClusterChildStart,
  Fenced,
  type Local,
} from './supervisor-types.ts'

/** What the children need of their supervisor. */
export interface ChildrenSide {
  /** The supervisor's space in the store (its cluster's name and its own). */
  readonly space: string
  readonly store: ClusterStore
  /** This node's name. */
  node(): string
  /** The start function of each child type. */
  readonly starts: Readonly<Record<string, ClusterChildStart>>
  readonly maxStateBytes: number
  /** The supervisor's process, told when a child is fenced (undefined before its init). */
  pid(): Pid | undefined
  /** Names the supervisor in errors and log lines. */
  label(): string
}

/** The children running on this node, by key. */
export class LocalChildren {
  readonly #side: ChildrenSide
  readonly #local = new Map<string, Local>()
  #generations = 0

  constructor(side: ChildrenSide) {
    this.#side = side
  }

  get(key: string): Local | undefined {
    return this.#local.get(key)
  }

  has(key: string): boolean {
    return this.#local.has(key)
  }

  /** Forgets a child here (the caller stops it, or it stopped). */
  delete(key: string): void {
    this.#local.delete(key)
  }

  clear(): void {
    this.#local.clear()
  }

  values(): Local[] {
    return [...this.#local.values()]
  }

  byPid(pid: Pid): Local | undefined {
    return this.values().find((local) => local.pid === pid)
  }

  /** Runs the child's start function here for a record this node owns at `revision`. */
  async launch(
    key: string,
    record: ChildRecord,
    revision: Revision,
    origin: ClusterChild['origin'],
  ): Promise<Pid> {
    const local: Local = {
      key,
      record,
      revision,
      pid: undefined,
      chain: Promise.resolve(),
      fenced: false,
      generation: ++this.#generations,
    }
    this.#local.set(key, local)
    let pid: unknown
    try {
      const start = this.#side.starts[record.type] as ClusterChildStart
      pid = await start(this.#context(local, origin) as ClusterChild<never, never>)
      if (!(pid instanceof Pid) || !isAlive(pid))
        throw new Error(`it gave ${describe(pid)}, not a live Pid`)
    } catch (err) {
      this.#local.delete(key)
      throw new CinderError(
        'CINDER_ERR_START_FAILED',
        `${this.#side.label()}: child ${describe(key)} (${record.type}) failed to start: ${err instanceof Error ? err.message : describe(err)}`,
        { cause: err },
      )
    }
    link(pid)
    local.pid = pid
    this.#write(local, (current) => current).catch(() => {}) // records the pid
    return pid
  }

  /** Stops a child's process (as its shutdown says), after its pending writes. */
  async shutdown(local: Local): Promise<void> {
    if (local.pid === undefined || !isAlive(local.pid)) return
    await shutdownChild(local.pid, local.record.shutdown, this.#side.label())
    await local.chain
  }

  /** Handing off: the record stays, owned by nobody, with the state last saved. */
  async release(local: Local): Promise<void> {
    if (local.fenced) return
    await this.#write(local, (current) => ({ ...current, owner: null, pid: null })).catch(() => {})
  }

  #context(local: Local, origin: ClusterChild['origin']): ClusterChild {
    const { key, record } = local
    return {
      key,
      type: record.type,
      args: record.args,
      state: record.saved ? record.state : undefined,
      node: this.#side.node(),
      origin,
      save: (state) => {
        if (this.#local.get(key) !== local) return Promise.reject(this.#notOwner(key))
        try {
          // A copy taken now: the child may change the object before the write runs.
          const copy: unknown = JSON.parse(stateJson(state, this.#side.maxStateBytes, key))
          return this.#write(local, (current) => ({ ...current, state: copy, saved: true }))
        } catch (err) {
          return Promise.reject(err)
        }
      },
    }
  }

  /** A conditional write after the child's previous ones; a lost race fences the child. */
  #write(local: Local, next: (current: ChildRecord) => ChildRecord): Promise<void> {
    const { store, space } = this.#side
    const write = local.chain.then(async () => {
      if (local.fenced) throw this.#notOwner(local.key)
      const updated = next(local.record)
      // Owned records name the running process, even if an earlier write of it failed.
      const pid = updated.owner !== null && local.pid !== undefined ? String(local.pid) : null
      const record = { ...updated, pid: updated.owner === null ? null : (pid ?? updated.pid) }
      const json = JSON.stringify(record)
      const revision = await store.update(space, local.key, json, local.revision)
      if (revision === undefined) {
        local.fenced = true
        const supervisor = this.#side.pid()
        if (supervisor !== undefined) send(supervisor, new Fenced(local.key, local.generation))
        throw this.#notOwner(local.key)
      }
      local.revision = revision
      local.record = record
    })
    local.chain = write.catch(() => {})
    return write
  }

  #notOwner(key: string): CinderError {
    return new CinderError(
      'CINDER_ERR_CLUSTER_NOT_OWNER',
      `child ${describe(key)} of ${this.#side.label()} is no longer this node's (another node took it over); this copy is stopped`,
    )
  }
}
