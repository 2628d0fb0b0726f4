/**
 * A `Map` with term semantics for keys, shared by the hash kinds (set, bag,
 * duplicate_bag). Primitive keys and identity-compared objects are used as
 * map keys as they are, so the hot path is one `typeof` test and one
 * `Map#get`. Arrays and plain objects are compared by value: each distinct
 * compound key is interned to a token object through its canonical encoding.
 *
 * Walking with `first`/`next` keeps a cursor on a live `Map` iterator, so a
 * whole walk costs O(n) and survives deletions (even of the key it stands on).
 */
import { CinderError, describe } from '../errors.ts'
import { encodeTerm, isCompound, termEquals } from './term.ts'

export class HashIndex<V> {
  /** Map key (the key itself, or its interned token) → value. */
  readonly map = new Map<unknown, V>()
  readonly #tokens = new Map<string, object>()
  readonly #keyOf: (value: V) => unknown
  #cursor: Iterator<unknown> | undefined
  #cursorKey: unknown

  constructor(keyOf: (value: V) => unknown) {
    this.#keyOf = keyOf
  }

  /** The map key for a lookup: undefined (never stored) when a compound key was never interned. */
  find(key: unknown): unknown {
    if (typeof key !== 'object' || key === null || !isCompound(key)) return key
    return this.#tokens.get(encodeTerm(key))
  }

  /** The map key for an insert, interning compound keys. */
  intern(key: unknown): unknown {
    if (typeof key !== 'object' || key === null || !isCompound(key)) {
      if (typeof key === 'symbol') encodeTerm(key) // throws the bad-key error
      return key
    }
    const encoded = encodeTerm(key)
    let token = this.#tokens.get(encoded)
    if (token === undefined) {
      token = {}
      this.#tokens.set(encoded, token)
    }
    return token
  }

  /** Removes the entry under `mapKey` (from `find`) and its token. */
  remove(mapKey: unknown, key: unknown): void {
    this.map.delete(mapKey)
    if (typeof mapKey === 'object' && mapKey !== null && isCompound(key)) {
      this.#tokens.delete(encodeTerm(key))
    }
  }

  clear(): void {
    this.map.clear()
    this.#tokens.clear()
    this.#cursor = undefined
  }

  first(): unknown {
    this.#cursor = this.map.keys()
    return this.#advance()
  }

  next(key: unknown): unknown {
    const onCursor =
      this.#cursor !== undefined && (this.#cursorKey === key || termEquals(this.#cursorKey, key))
    if (!onCursor) this.#seek(key)
    return this.#advance()
  }

  /** Starts a cursor standing on `key` (O(n): only when a walk did not come from `first`). */
  #seek(key: unknown): void {
    const target = this.find(key)
    if (!this.map.has(target)) {
      throw new CinderError(
        'CINDER_ERR_TABLE_BAD_ARG',
        `next() on an unordered table expected a key in the table (or the key it last returned), got: ${describe(key)}`,
      )
    }
    const cursor = this.map.keys()
    for (let r = cursor.next(); !r.done && r.value !== target; r = cursor.next()) {}
    this.#cursor = cursor
  }

  #advance(): unknown {
    const cursor = this.#cursor
    const r = cursor?.next()
    if (r === undefined || r.done) {
      this.#cursor = undefined
      this.#cursorKey = undefined
      return undefined
    }
    this.#cursorKey = this.#keyOf(this.map.get(r.value) as V)
    return this.#cursorKey
  }
}
