/**
 * Match patterns, the TypeScript form of ETS match specs.
 *
 * A pattern is a term shaped like the records it matches, where `P._`
 * matches anything and `P.var(name)` matches anything and binds it (the same
 * variable twice must bind equal values). Arrays match arrays of the same
 * length element by element; plain objects match objects that have at least
 * the pattern's keys (like Erlang map patterns); anything else matches an
 * equal term.
 *
 * @example
 * // Every [name, score, team] record of team 'red' with a score over 10:
 * table.select({
 *   pattern: [P.var('name'), P.var('score'), 'red'],
 *   where: (b) => (b.score as number) > 10,
 *   result: (b) => b.name,
 * })
 */
import { CinderError, describe } from '../errors.ts'
import { isPlainObject, termEquals } from './term.ts'

/** The wildcard: matches any value, binds nothing. */
export const wildcard: unique symbol = Symbol('P._')
export type Wildcard = typeof wildcard

/** A pattern variable: binds the value it matches under `name`. */
export class PatternVar {
  readonly name: string

  constructor(name: string | number) {
    if ((typeof name !== 'string' || name === '') && !Number.isInteger(name)) {
      throw new CinderError(
        'CINDER_ERR_TABLE_BAD_ARG',
        `P.var expected a non-empty string or an integer name, got: ${describe(name)}`,
      )
    }
    this.name = String(name)
  }

  toString(): string {
    return `P.var(${JSON.stringify(this.name)})`
  }
}

/** Pattern builders: `P._` (wildcard) and `P.var(name)` (bound variable). */
export const P = {
  _: wildcard,
  var: (name: string | number): PatternVar => new PatternVar(name),
} as const

/** What the variables of a pattern bound: variable name → value. */
export type Bindings = Readonly<Record<string, unknown>>

/** A pattern: a term in which `P._` and `P.var(…)` may appear at any depth. */
export type Pattern = unknown

/**
 * One clause of a select: records matching `pattern` for which `where`
 * (if given) returns true produce `result(bindings, record)` (the record
 * itself when `result` is omitted).
 */
export interface MatchClause<R, T = R> {
  readonly pattern: Pattern
  readonly where?: (bindings: Bindings, record: R) => boolean
  readonly result?: (bindings: Bindings, record: R) => T
}

/** Tests a value against a pattern, filling `bindings`. */
type Matcher = (value: unknown, bindings: Record<string, unknown>) => boolean

/** Compiles a pattern once per call into a matcher closure tree. */
export function compilePattern(pattern: Pattern): Matcher {
  if (pattern === wildcard) return () => true
  if (pattern instanceof PatternVar) return bindVar(pattern.name)
  if (isExact(pattern)) return (value) => termEquals(pattern, value)
  if (Array.isArray(pattern)) return matchArray(pattern.map(compilePattern))
  const obj = pattern as Record<string, unknown>
  return matchObject(Object.keys(obj).map((k) => [k, compilePattern(obj[k])] as const))
}

function bindVar(name: string): Matcher {
  return (value, bindings) => {
    if (!Object.hasOwn(bindings, name)) {
      bindings[name] = value
      return true
    }
    return termEquals(bindings[name], value)
  }
}

function matchArray(items: Matcher[]): Matcher {
  return (value, bindings) => {
    if (!Array.isArray(value) || value.length !== items.length) return false
    for (let i = 0; i < items.length; i++) {
      if (!(items[i] as Matcher)(value[i], bindings)) return false
    }
    return true
  }
}

function matchObject(entries: ReadonlyArray<readonly [string, Matcher]>): Matcher {
  return (value, bindings) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
    if (!isPlainObject(value)) return false
    for (const [k, m] of entries) {
      if (!Object.hasOwn(value, k) || !m(value[k], bindings)) return false
    }
    return true
  }
}

/**
 * True when the pattern matches exactly one term: it holds no wildcard, no
 * variable and no plain object (object patterns are partial: they match
 * objects with more keys too).
 */
export function isExact(pattern: Pattern): boolean {
  if (pattern === wildcard || pattern instanceof PatternVar) return false
  if (typeof pattern !== 'object' || pattern === null) return true
  if (Array.isArray(pattern)) return pattern.every(isExact)
  return !isPlainObject(pattern)
}

/** A clause ready to run: its matcher and callbacks, and its key if the pattern fixes it. */
export interface CompiledClause<R, T> {
  readonly test: (record: R) => Bindings | undefined
  readonly where: ((bindings: Bindings, record: R) => boolean) | undefined
  readonly result: ((bindings: Bindings, record: R) => T) | undefined
  /** The one key this clause can match (when the pattern fixes the key exactly), else `noKey`. */
  readonly key: unknown
}

/** Marks a clause whose key is not fixed by its pattern. */
export const noKey: unique symbol = Symbol('noKey')

export function compileClauses<R, T>(
  clauses: MatchClause<R, T> | ReadonlyArray<MatchClause<R, T>>,
  keyPos: number,
  what: string,
): Array<CompiledClause<R, T>> {
  const list = Array.isArray(clauses) ? clauses : [clauses]
  if (list.length === 0) throw badSpec(what, clauses)
  return list.map((clause: unknown) => compileClause<R, T>(clause, keyPos, what))
}

function compileClause<R, T>(clause: unknown, keyPos: number, what: string): CompiledClause<R, T> {
  if (typeof clause !== 'object' || clause === null || !('pattern' in clause)) {
    throw badSpec(what, clause)
  }
  const { pattern, where, result } = clause as MatchClause<R, T>
  if (where !== undefined && typeof where !== 'function') throw badSpec(what, clause)
  if (result !== undefined && typeof result !== 'function') throw badSpec(what, clause)
  const matcher = compilePattern(pattern)
  const test = (record: R): Bindings | undefined => {
    const bindings: Record<string, unknown> = {}
    return matcher(record, bindings) ? bindings : undefined
  }
  const keyPattern = Array.isArray(pattern) ? pattern[keyPos] : wildcard
  const key = Array.isArray(pattern) && isExact(keyPattern) ? keyPattern : noKey
  return { test, where, result, key }
}

function badSpec(what: string, got: unknown): CinderError {
  return new CinderError(
    'CINDER_ERR_TABLE_BAD_ARG',
    `${what} expected a clause { pattern, where?, result? } (or a non-empty array of them) with where and result functions, got: ${describe(got)}`,
  )
}
