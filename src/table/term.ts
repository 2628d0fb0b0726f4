/**
 * Terms: the values a table stores and compares. ETS compares Erlang terms;
 * a table compares JavaScript values the same way, by value:
 *
 * - `null`, booleans, numbers, bigints and strings are compared by value;
 * - arrays and plain objects (prototype `Object.prototype` or `null`) are
 *   compared structurally, element by element and key by key;
 * - any other object (a `Pid`, a `Date`, a class instance) and functions are
 *   compared by identity.
 *
 * The total order used by `ordered_set` (see `compareTerms`):
 *
 *     undefined < null < false < true < numbers < strings < arrays < plain objects < other objects
 *
 * Numbers and bigints compare numerically; at equal value a number comes
 * before a bigint (`1 < 1n`), so the order agrees with equality. Strings
 * compare by UTF-16 code units (JavaScript's `<`). Arrays compare element by
 * element, a proper prefix first. Plain objects compare by their sorted key
 * lists first, then by their values in key order. Other objects are ordered
 * by when the table first saw them (stable for their lifetime).
 */
import { CinderError, describe } from '../errors.ts'

/** A record: a tuple whose element at the table's `keyPos` is its key. */
export type Row = readonly unknown[]

const MAX_DEPTH = 64

/** Identity numbers for non-plain objects, assigned on first sight (weakly held). */
const identities = new WeakMap<object, number>()
let nextIdentity = 1

function identityOf(value: object): number {
  let id = identities.get(value)
  if (id === undefined) {
    id = nextIdentity++
    identities.set(value, id)
  }
  return id
}

/** True for `{}` literals and `Object.create(null)`: compared structurally. */
export function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** True for arrays and plain objects: values that are compared structurally. */
export function isCompound(value: unknown): value is object {
  return (
    typeof value === 'object' && value !== null && (Array.isArray(value) || isPlainObject(value))
  )
}

// Ranks of the type classes in the total order.
const RANK_UNDEFINED = 0
const RANK_NULL = 1
const RANK_BOOLEAN = 2
const RANK_NUMBER = 3
const RANK_STRING = 4
const RANK_ARRAY = 5
const RANK_OBJECT = 6
const RANK_OTHER = 7

function rankOf(value: unknown): number {
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return RANK_NUMBER
    case 'string':
      return RANK_STRING
    case 'boolean':
      return RANK_BOOLEAN
    case 'undefined':
      return RANK_UNDEFINED
    case 'object':
      if (value === null) return RANK_NULL
      if (Array.isArray(value)) return RANK_ARRAY
      return isPlainObject(value) ? RANK_OBJECT : RANK_OTHER
    default:
      return RANK_OTHER
  }
}

/** The total order over terms: negative, zero or positive like `Array#sort` comparators. */
export function compareTerms(a: unknown, b: unknown): number {
  // Fast paths for the keys tables use most.
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  const ra = rankOf(a)
  const rb = rankOf(b)
  if (ra !== rb) return ra - rb
  return compareSameRank(ra, a, b)
}

function compareSameRank(rank: number, a: unknown, b: unknown): number {
  switch (rank) {
    case RANK_NUMBER:
      return compareNumeric(a as number | bigint, b as number | bigint)
    case RANK_BOOLEAN:
      return a === b ? 0 : a ? 1 : -1
    case RANK_ARRAY:
      return compareArrays(a as readonly unknown[], b as readonly unknown[])
    case RANK_OBJECT:
      return compareObjects(a as Record<string, unknown>, b as Record<string, unknown>)
    case RANK_OTHER:
      return a === b ? 0 : identityOf(a as object) - identityOf(b as object)
    default:
      return 0 // undefined, null: one value each
  }
}

function compareNumeric(a: number | bigint, b: number | bigint): number {
  if (a < b) return -1
  if (a > b) return 1
  if (typeof a === typeof b) return 0
  return typeof a === 'number' ? -1 : 1
}

function compareArrays(a: readonly unknown[], b: readonly unknown[]): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const c = compareTerms(a[i], b[i])
    if (c !== 0) return c
  }
  return a.length - b.length
}

function compareObjects(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const ka = Object.keys(a).sort()
  const kb = Object.keys(b).sort()
  const c = compareArrays(ka, kb)
  if (c !== 0) return c
  for (const k of ka) {
    const v = compareTerms(a[k], b[k])
    if (v !== 0) return v
  }
  return 0
}

/** Equality of terms (agrees with `compareTerms(a, b) === 0`; NaN equals NaN). */
export function termEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return Number.isNaN(a) && Number.isNaN(b)
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!termEquals(a[i], b[i])) return false
    return true
  }
  if (Array.isArray(b) || !isPlainObject(a) || !isPlainObject(b)) return false
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  for (const k of ka) {
    if (!Object.hasOwn(b, k) || !termEquals(a[k], b[k])) return false
  }
  return true
}

/**
 * A canonical string for a compound key, equal for equal terms and different
 * otherwise: hash-based kinds use it to give arrays and plain objects value
 * semantics in a `Map`.
 */
export function encodeTerm(value: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw badKey(value, `nested deeper than ${MAX_DEPTH} levels (a cycle?)`)
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      return `n${value}` // String(-0) is "0", as -0 equals 0
    case 'bigint':
      return `b${value}`
    case 'boolean':
      return value ? 't' : 'f'
    case 'undefined':
      return 'u'
    case 'symbol':
      throw badKey(value, 'symbols cannot be part of a key')
    case 'function':
      return `o${identityOf(value)}`
  }
  if (typeof value !== 'object' || value === null) return 'z'
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) {
      out += (i === 0 ? '' : ',') + encodeTerm(value[i], depth + 1)
    }
    return `${out}]`
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort()
    let out = '{'
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string
      out += `${i === 0 ? '' : ','}${JSON.stringify(k)}:${encodeTerm(value[k], depth + 1)}`
    }
    return `${out}}`
  }
  return `o${identityOf(value)}`
}

/**
 * Checks a key for an ordered table: a term with a place in the total order.
 * NaN has none (it equals nothing under `<`), symbols have none either.
 */
export function checkOrderedKey(key: unknown, depth = 0): void {
  if (depth > MAX_DEPTH) throw badKey(key, `nested deeper than ${MAX_DEPTH} levels (a cycle?)`)
  if (typeof key === 'number') {
    if (Number.isNaN(key)) throw badKey(key, 'NaN has no place in the order of an ordered_set')
    return
  }
  if (typeof key === 'symbol') throw badKey(key, 'symbols cannot be part of a key')
  if (typeof key !== 'object' || key === null) return
  if (Array.isArray(key)) {
    for (const item of key) checkOrderedKey(item, depth + 1)
  } else if (isPlainObject(key)) {
    for (const k of Object.keys(key)) checkOrderedKey(key[k], depth + 1)
  }
}

function badKey(key: unknown, why: string): CinderError {
  return new CinderError(
    'CINDER_ERR_TABLE_BAD_ARG',
    `expected a key made of null, booleans, numbers, bigints, strings, arrays, plain objects or objects compared by identity; ${why}, got: ${describe(key)}`,
  )
}
