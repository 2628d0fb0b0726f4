/**
 * The `set` kind: one record per key, a thin wrapper over a `Map` so a lookup
 * costs about what `Map#get` costs. Order (for `first`/`next` and walks) is
 * the order in which keys were first inserted, as a `Map` keeps it; like ETS,
 * `last`/`prev` are the same as `first`/`next` for unordered kinds.
 */
import { HashIndex } from './hash-index.ts'
import type { Store } from './store.ts'
import { type Row, termEquals } from './term.ts'

export class HashStore<R extends Row> implements Store<R> {
  readonly #index: HashIndex<R>
  readonly #map: Map<unknown, R>
  readonly #keyPos: number

  constructor(keyPos: number) {
    this.#keyPos = keyPos
    this.#index = new HashIndex<R>((record) => record[keyPos])
    this.#map = this.#index.map
  }

  get size(): number {
    return this.#map.size
  }

  get(key: unknown): R | undefined {
    // Primitive keys skip the interning step entirely.
    if (typeof key !== 'object' || key === null) return this.#map.get(key)
    return this.#map.get(this.#index.find(key))
  }

  lookup(key: unknown): R[] {
    const record = this.get(key)
    return record === undefined ? [] : [record]
  }

  has(key: unknown): boolean {
    return this.get(key) !== undefined
  }

  insert(record: R): void {
    const key = record[this.#keyPos]
    if (typeof key !== 'object' || key === null) {
      if (typeof key !== 'symbol') {
        this.#map.set(key, record)
        return
      }
    }
    this.#map.set(this.#index.intern(key), record)
  }

  delete(key: unknown): number {
    const mapKey = this.#index.find(key)
    if (!this.#map.has(mapKey)) return 0
    this.#index.remove(mapKey, key)
    return 1
  }

  deleteObject(record: R): number {
    const key = record[this.#keyPos]
    const stored = this.get(key)
    if (stored === undefined || !termEquals(stored, record)) return 0
    return this.delete(key)
  }

  clear(): void {
    this.#index.clear()
  }

  first(): unknown {
    return this.#index.first()
  }

  last(): unknown {
    return this.#index.first()
  }

  next(key: unknown): unknown {
    return this.#index.next(key)
  }

  prev(key: unknown): unknown {
    return this.#index.next(key)
  }

  values(): IterableIterator<R> {
    return this.#map.values()
  }
}
