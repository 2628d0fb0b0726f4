/**
 * Child specifications: how a supervisor starts, restarts and stops a child.
 * Validated at run time so a JS caller (or a cast through `any`) gets an
 * error naming what was expected and what came.
 */
import { CinderError, describe } from '../errors.ts'
import type { Behaviour } from './behaviour.ts'
import type { Pid } from './pid.ts'
import { spawn } from './process.ts'

/** `permanent`: always restarted; `transient`: restarted after a crash only; `temporary`: never. */
export type RestartType = 'permanent' | 'transient' | 'temporary'

/** How long a child gets to stop after `'shutdown'` before it is killed (ms), or `'brutal_kill'`, or `'infinity'`. */
export type Shutdown = number | 'brutal_kill' | 'infinity'

/** A worker, or a supervisor (which gets `shutdown: 'infinity'` by default). */
export type ChildType = 'worker' | 'supervisor'

/** How a supervisor runs one child. */
export interface ChildSpec {
  /** Unique among the supervisor's children (optional under a DynamicSupervisor). */
  readonly id: string
  /** Starts the child and resolves to its pid (spawn with `link: true`; the supervisor links it anyway). */
  readonly start: () => Promise<Pid>
  /** Default `'permanent'`. */
  readonly restart?: RestartType
  /** Default 5000 ms for a worker, `'infinity'` for a supervisor. */
  readonly shutdown?: Shutdown
  /** Default `'worker'`. */
  readonly type?: ChildType
}

/** @internal A spec with every default filled in. */
export interface FullSpec {
  readonly id: string
  readonly start: () => Promise<Pid>
  readonly restart: RestartType
  readonly shutdown: Shutdown
  readonly type: ChildType
}

const EXPECTED =
  "{ id: string, start: () => Promise<Pid>, restart?: 'permanent' | 'transient' | 'temporary', shutdown?: ms >= 0 | 'brutal_kill' | 'infinity', type?: 'worker' | 'supervisor' }"

/** @internal Checks a spec and fills in defaults; throws `CINDER_ERR_BAD_CHILD_SPEC` listing every problem. */
export function checkChildSpec(spec: unknown, where: string, defaultId?: string): FullSpec {
  const problems: string[] = []
  if (typeof spec !== 'object' || spec === null) {
    problems.push('it is not an object')
  } else {
    const s = spec as Record<string, unknown>
    if (s.id === undefined && defaultId === undefined) problems.push('id is missing')
    else if (s.id !== undefined && (typeof s.id !== 'string' || s.id === '')) {
      problems.push(`id must be a non-empty string, got ${describe(s.id)}`)
    }
    if (typeof s.start !== 'function')
      problems.push(`start must be a function returning Promise<Pid>, got ${describe(s.start)}`)
    if (
      s.restart !== undefined &&
      !['permanent', 'transient', 'temporary'].includes(s.restart as string)
    ) {
      problems.push(
        `restart must be 'permanent', 'transient' or 'temporary', got ${describe(s.restart)}`,
      )
    }
    const sd = s.shutdown
    if (
      sd !== undefined &&
      sd !== 'brutal_kill' &&
      sd !== 'infinity' &&
      !(typeof sd === 'number' && sd >= 0 && Number.isFinite(sd))
    ) {
      problems.push(`shutdown must be ms >= 0, 'brutal_kill' or 'infinity', got ${describe(sd)}`)
    }
    if (s.type !== undefined && s.type !== 'worker' && s.type !== 'supervisor') {
      problems.push(`type must be 'worker' or 'supervisor', got ${describe(s.type)}`)
    }
  }
  if (problems.length > 0) {
    throw new CinderError(
      'CINDER_ERR_BAD_CHILD_SPEC',
      `${where}: bad child spec (${problems.join('; ')}); expected ${EXPECTED}, got ${describe(spec)}`,
    )
  }
  const s = spec as ChildSpec
  const type = s.type ?? 'worker'
  return {
    id: s.id ?? (defaultId as string),
    start: s.start,
    restart: s.restart ?? 'permanent',
    shutdown: s.shutdown ?? (type === 'supervisor' ? 'infinity' : 5000),
    type,
  }
}

/** Options of `childSpec`. */
export interface WorkerOptions {
  readonly restart?: RestartType
  readonly shutdown?: Shutdown
  /** Register the child under this name. */
  readonly name?: string
  readonly trapExit?: boolean
}

/**
 * A child spec that spawns `behaviour` with `args`, linked to the supervisor.
 *
 * @example
 * startSupervisor([childSpec('cache', cacheBehaviour, { size: 100 }, { name: 'cache' })])
 */
export function childSpec<State, Args>(
  id: string,
  behaviour: Behaviour<State, Args>,
  args: Args,
  options: WorkerOptions = {},
): ChildSpec {
  const { restart, shutdown, name, trapExit } = options
  return {
    id,
    start: () =>
      spawn(behaviour, args, {
        link: true,
        ...(name === undefined ? {} : { name }),
        ...(trapExit === undefined ? {} : { trapExit }),
      }),
    ...(restart === undefined ? {} : { restart }),
    ...(shutdown === undefined ? {} : { shutdown }),
  }
}
