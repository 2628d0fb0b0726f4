/**
 * The types of the cluster supervisor (supervisor.ts): what applications hand in and get, what
 * it keeps per running child, and the messages of its process.
 */
import { CinderError } from '../errors.ts'
import type { Logger, Pid } from '../process/index.ts'
import type { ChildRecord } from './child-record.ts'
import type { Cluster } from './cluster.ts'
import type { ClusterStore, Revision } from './store.ts'
import type { ClusterSupervisor } from './supervisor.ts'

/** What a start function receives: who the child is, what it last saved, and how to save. */
export interface ClusterChild<State = unknown, Args = unknown> {
  readonly key: string
  readonly type: string
  readonly args: Args
  /** The last state saved (on any node), or undefined if it never saved. */
  readonly state: State | undefined
  /** This node. */
  readonly node: string
  /** `start`: first start; `restart`: after it stopped here; `failover`: adopted from a node that went. */
  readonly origin: 'start' | 'restart' | 'failover'
  /**
   * Saves `state` (JSON, at most `maxStateBytes`) to the store; the next start, on any node,
   * gets it. Rejects with CINDER_ERR_CLUSTER_NOT_OWNER once another node took the child over
   * (this copy is then stopped), CINDER_ERR_CLUSTER_STORE when the store fails.
   */
  save(state: State): Promise<void>
}

/** Starts one child (spawned linked, as any supervisor child) and resolves to its pid. */
export type ClusterChildStart = (child: ClusterChild<never, never>) => Promise<Pid>

/** Options of a ClusterSupervisor. */
export interface ClusterSupervisorOptions {
  readonly cluster: Cluster
  /** The supervisor's name, the same on every node; with the cluster's name, it names its space in the store (`<cluster>/<name>`). */
  readonly name: string
  /** Where children are kept: Redis or NATS for a cluster (memory: one node). */
  readonly store: ClusterStore
  /** The start function of each child type. Register the same types on every node. */
  readonly children: Readonly<Record<string, ClusterChildStart>>
  /** Restart intensity on this node, as for any supervisor. Default 3 restarts in 5 s. */
  readonly maxRestarts?: number
  readonly maxSeconds?: number
  /** The largest state a child may save, in bytes of JSON. Default 524,288 (512 KiB). */
  readonly maxStateBytes?: number
  /** Where log lines go. Default: the runtime's logger. */
  readonly logger?: Logger
}

/** A child as `children()` lists it (from the store). */
export interface ClusterChildInfo {
  readonly key: string
  readonly type: string
  /** The node that runs it, or null while it waits to be adopted. */
  readonly node: string | null
  readonly pid: Pid | null
  /** Whether it ever saved a state. */
  readonly saved: boolean
}

/** A child running on this node. */
export interface Local {
  readonly key: string
  record: ChildRecord
  revision: Revision
  pid: Pid | undefined
  /** Writes of this child, one after the other. */
  chain: Promise<unknown>
  fenced: boolean
  readonly generation: number
}

// Messages of the supervisor process.
export class Op {
  readonly run: (sup: ClusterSupervisor) => Promise<unknown>
  constructor(run: (sup: ClusterSupervisor) => Promise<unknown>) {
    this.run = run
  }
}
export class Failure {
  readonly error: unknown
  constructor(error: unknown) {
    this.error = error
  }
}
export class Fenced {
  readonly key: string
  readonly generation: number
  constructor(key: string, generation: number) {
    this.key = key
    this.generation = generation
  }
}
export class Stopped {
  readonly key: string
  constructor(key: string) {
    this.key = key
  }
}
export class Verify {
  readonly key: string | undefined
  constructor(key?: string) {
    this.key = key
  }
}
export const SWEEP = Symbol('cinder.cluster.sweep')
export const SETTLED = Symbol('cinder.cluster.settled')

export const CALL_TIMEOUT_MS = 30_000
export const DEFAULT_MAX_STATE_BYTES = 512 * 1024

export function isExit(message: unknown): message is { type: 'EXIT'; pid: Pid; reason: unknown } {
  return (message as { type?: unknown })?.type === 'EXIT'
}

export function checkOptions(options: ClusterSupervisorOptions): void {
  const { cluster, name, store, children, maxStateBytes } = options ?? {}
  const problems: string[] = []
  if (typeof cluster?.attachSupervisor !== 'function') problems.push('cluster must be a Cluster')
  if (typeof name !== 'string' || name === '') problems.push('name must be a non-empty string')
  if (typeof store?.update !== 'function') problems.push('store must be a ClusterStore')
  if (
    typeof children !== 'object' ||
    children === null ||
    !Object.values(children).every((start) => typeof start === 'function')
  ) {
    problems.push('children must map each type to a start function')
  }
  if (maxStateBytes !== undefined && !(Number.isInteger(maxStateBytes) && maxStateBytes > 0)) {
    problems.push('maxStateBytes must be a positive integer')
  }
  if (problems.length > 0) {
    throw new CinderError(
      'CINDER_ERR_CLUSTER_BAD_ARG',
      `expected cluster supervisor options { cluster, name, store, children, … }: ${problems.join('; ')}`,
    )
  }
}
