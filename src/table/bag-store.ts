/**
 * The `bag` and `duplicate_bag` kinds: many records per key, kept per key in
 * insertion order. A `bag` holds no two equal records (inserting an equal one
 * again changes nothing); a `duplicate_bag` keeps every copy.
 */
import { HashIndex } from './hash-index.ts'
import type { Store } from './store.ts'
import { type Row, termEquals } from './term.ts'

export class BagStore<R extends Row> implements Store<R> {
  readonly #index: HashIndex<R[]>
  readonly #map: Map<unknown, R[]>
  readonly #keyPos: number
  readonly #duplicates: boolean
  #size = 0

  constructor(keyPos: number, duplicates: boolean) {
    this.#keyPos = keyPos
    this.#duplicates = duplicates
    this.#index = new HashIndex<R[]>((records) => (records[0] as R)[keyPos])
    this.#map = this.#index.map
  }

  get size(): number {
    return this.#size
  }

  #records(key: unknown): R[] | undefined {
    if (typeof key !== 'object' || key === null) return this.#map.get(key)
    return this.#map.get(this.#index.find(key))
  }

  get(key: unknown): R | undefined {
    return this.#records(key)?.[0]
  }

  lookup(key: unknown): R[] {
    return this.#records(key)?.slice() ?? []
  }

  has(key: unknown): boolean {
    return this.#records(key) !== undefined
  }

  insert(record: R): void {
    const mapKey = this.#index.intern(record[this.#keyPos])
    const records = this.#map.get(mapKey)
    if (records === undefined) {
      this.#map.set(mapKey, [record])
    } else {
      if (!this.#duplicates && records.some((r) => termEquals(r, record))) return
      records.push(record)
    }
    this.#size++
  }

  delete(key: unknown): number {
    const mapKey = this.#index.find(key)
    const records = this.#map.get(mapKey)
    if (records === undefined) return 0
    this.#index.remove(mapKey, key)
    this.#size -= records.length
    return records.length
  }

  deleteObject(record: R): number {
    const key = record[this.#keyPos]
    const mapKey = this.#index.find(key)
    const records = this.#map.get(mapKey)
    if (records === undefined) return 0
    const kept = records.filter((r) => !termEquals(r, record))
    const removed = records.length - kept.length
    if (removed === 0) return 0
    if (kept.length === 0) this.#index.remove(mapKey, key)
    else this.#map.set(mapKey, kept)
    this.#size -= removed
    return removed
  }

  clear(): void {
    this.#index.clear()
    this.#size = 0
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

  *values(): IterableIterator<R> {
    for (const records of this.#map.values()) yield* records.slice()
  }
}
