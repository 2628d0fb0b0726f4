/**
 * Registered names: a process may hold one name, and every API that takes a
 * `ProcessTarget` accepts it in place of the pid. A name is freed when its
 * process stops.
 */
import { CinderError, describe } from '../errors.ts'
import { noproc } from './failures.ts'
import { Pid, procOf } from './pid.ts'
import type { Proc } from './proc.ts'

/** A process by pid, or by the name it was registered under. */
export type ProcessTarget = Pid | string

const names = new Map<string, Proc>()

/** @internal The process registered under `name`, if any. */
export function nameHolder(name: string): Proc | undefined {
  return names.get(name)
}

/** @internal Registers `p` under a free `name`. */
export function claimName(name: string, p: Proc): void {
  names.set(name, p)
  p.name = name
}

/** @internal Frees the name of a process that stopped. */
export function forgetName(p: Proc): void {
  if (p.name !== undefined && names.get(p.name) === p) names.delete(p.name)
}

/** @internal The error for a name that is already registered. */
export function nameTaken(name: string, holder: Pid): CinderError {
  return new CinderError(
    'CINDER_ERR_NAME_TAKEN',
    `the name ${describe(name)} is already registered to ${holder}`,
  )
}

function badTarget(what: string, target: unknown): CinderError {
  return new CinderError(
    'CINDER_ERR_PROCESS_BAD_ARG',
    `${what} expects a Pid or a registered name (string); got ${describe(target)}`,
  )
}

/** @internal The live process behind a target, or null; throws for a target of the wrong type. */
export function resolveTarget(target: ProcessTarget, what: string): Proc | null {
  if (target instanceof Pid) return procOf(target)
  if (typeof target === 'string') return names.get(target) ?? null
  throw badTarget(what, target)
}

/** Registers `pid` under `name`. Throws `CINDER_ERR_NAME_TAKEN` or `CINDER_ERR_NOPROC`. */
export function register(name: string, pid: Pid): void {
  if (typeof name !== 'string' || name === '') {
    throw new CinderError(
      'CINDER_ERR_PROCESS_BAD_ARG',
      `register expects a non-empty string name; got ${describe(name)}`,
    )
  }
  const p = procOf(pid)
  if (p === null) throw noproc(pid, `register(${describe(name)})`)
  const holder = names.get(name)
  if (holder !== undefined) throw nameTaken(name, holder.pid)
  if (p.name !== undefined) {
    throw new CinderError(
      'CINDER_ERR_PROCESS_BAD_ARG',
      `register(${describe(name)}): ${p.label} is already registered as ${describe(p.name)}`,
    )
  }
  claimName(name, p)
}

/** Removes a name. Returns false when it was not registered. */
export function unregister(name: string): boolean {
  const p = names.get(name)
  if (p === undefined) return false
  names.delete(name)
  p.name = undefined
  return true
}

/** The pid registered under `name`, or undefined. */
export function whereis(name: string): Pid | undefined {
  return names.get(name)?.pid
}

/** Every registered name. */
export function registeredNames(): string[] {
  return [...names.keys()]
}
