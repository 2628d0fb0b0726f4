/**
 * A cluster supervisor's child as it is kept in the store (JSON), and the checks of what an
 * application hands in (specs, saved states).
 */
import { CinderError, describe } from '../errors.ts'
import type { RestartType, Shutdown } from '../process/index.ts'

/** What a cluster supervisor is asked to start. Everything but `key` and `type` is optional. */
export interface ClusterChildSpec {
  /** The child's name in the supervisor, unique across the cluster (a room id …). */
  readonly key: string
  /** Names the start function (the supervisor's `children`), the same on every node. */
  readonly type: string
  /** Handed to the start function on every start, on any node: JSON. Default null. */
  readonly args?: unknown
  /** As for any supervisor. Default `'permanent'`. */
  readonly restart?: RestartType
  /** As for any supervisor. Default 5000 ms. */
  readonly shutdown?: Shutdown
}

/** Who runs a child: a node and its incarnation, or nobody (released, waiting for adoption). */
export interface Owner {
  readonly node: string
  readonly inc: string
}

/** The stored form of a child. */
export interface ChildRecord {
  readonly type: string
  readonly args: unknown
  readonly restart: RestartType
  readonly shutdown: Shutdown
  readonly owner: Owner | null
  /** The running process, as `<node.id>`, once started. */
  readonly pid: string | null
  /** The last state the child saved (null until it saves). */
  readonly state: unknown
  readonly saved: boolean
}

/** A spec checked and completed into a new record owned by `owner`. */
export function newRecord(
  spec: ClusterChildSpec,
  types: ReadonlySet<string>,
  owner: Owner,
): ChildRecord {
  const problems: string[] = []
  if (typeof spec?.key !== 'string' || spec.key === '')
    problems.push('key must be a non-empty string')
  if (typeof spec?.type !== 'string' || !types.has(spec.type)) {
    problems.push(`type must be one of ${describe([...types])}`)
  }
  if (
    spec?.restart !== undefined &&
    !['permanent', 'transient', 'temporary'].includes(spec.restart)
  ) {
    problems.push(`restart must be 'permanent', 'transient' or 'temporary'`)
  }
  const sd = spec?.shutdown
  if (sd !== undefined && sd !== 'brutal_kill' && sd !== 'infinity' && !(Number(sd) >= 0)) {
    problems.push(`shutdown must be ms >= 0, 'brutal_kill' or 'infinity'`)
  }
  if (!encodable(spec?.args ?? null)) problems.push('args must be JSON')
  if (problems.length > 0) {
    throw new CinderError(
      'CINDER_ERR_CLUSTER_BAD_ARG',
      `expected a cluster child spec { key, type, args?, restart?, shutdown? }: ${problems.join('; ')}; got ${describe(spec)}`,
    )
  }
  return {
    type: spec.type,
    args: spec.args ?? null,
    restart: spec.restart ?? 'permanent',
    shutdown: spec.shutdown ?? 5000,
    owner,
    pid: null,
    state: null,
    saved: false,
  }
}

/** A stored value read back; undefined when it is not a child record (logged by the caller). */
export function parseRecord(value: string): ChildRecord | undefined {
  try {
    const record = JSON.parse(value) as ChildRecord
    const owner = record?.owner
    const ownerOk =
      owner === null ||
      (typeof owner === 'object' && typeof owner.node === 'string' && typeof owner.inc === 'string')
    return typeof record?.type === 'string' && ownerOk ? record : undefined
  } catch {
    return undefined
  }
}

/**
 * The JSON of a state a child saves; throws CINDER_ERR_CLUSTER_BAD_ARG when it is not JSON
 * and CINDER_ERR_CLUSTER_STATE_TOO_LARGE past `maxBytes`.
 */
export function stateJson(state: unknown, maxBytes: number, key: string): string {
  let json: string | undefined
  try {
    json = JSON.stringify(state)
  } catch (err) {
    throw new CinderError(
      'CINDER_ERR_CLUSTER_BAD_ARG',
      `expected child ${describe(key)} to save a JSON state, got one that fails: ${(err as Error).message}`,
    )
  }
  if (json === undefined) {
    throw new CinderError(
      'CINDER_ERR_CLUSTER_BAD_ARG',
      `expected child ${describe(key)} to save a JSON state, got ${describe(state)}`,
    )
  }
  const bytes = Buffer.byteLength(json)
  if (bytes > maxBytes) {
    throw new CinderError(
      'CINDER_ERR_CLUSTER_STATE_TOO_LARGE',
      `expected child ${describe(key)} to save at most maxStateBytes (${maxBytes} bytes) of state, got ${bytes} bytes`,
    )
  }
  return json
}

function encodable(value: unknown): boolean {
  try {
    return JSON.stringify(value) !== undefined
  } catch {
    return false
  }
}
