/**
 * The `ordered_set` kind: records kept sorted by key in the total term order
 * (see term.ts), one record per key.
 *
 * How it works. Records sit in a list of sorted leaves of at most `LEAF_MAX`
 * records (each leaf a pair of parallel arrays: keys and records), with the
 * last key of each leaf kept in `#maxKeys` (a one-level
 * B+tree, as Python's sortedcontainers does). Finding a key is two binary
 * searches, O(log n); inserting or deleting also moves at most `LEAF_MAX`
 * references inside one contiguous array (a memmove), and splits or merges a
 * leaf now and then. That beats pointer-chasing trees on a JS heap: leaves are
 * dense arrays, so scans are sequential reads.
 *
 * Walks (`values`, `range`) remember the last key they returned and the
 * store's version: when the store changed under them they find their place
 * again by key, so they never skip or repeat a record that stayed.
 */
import type { RangeBounds, Store } from './store.ts'
import { checkOrderedKey, compareTerms, type Row, termEquals } from './term.ts'

const LEAF_MAX = 256
/** A leaf shorter than this after a delete is merged with a neighbour if they fit in one. */
const LEAF_MIN = LEAF_MAX / 4

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true })

export class OrderedStore<R extends Row> implements Store<R> {
  // Leaf i holds records #records[i] and their keys #keys[i] (parallel arrays, so a
  // binary search reads one dense array instead of chasing a pointer per probe).
  #keys: unknown[][] = []
  #records: R[][] = []
  #maxKeys: unknown[] = []
  #size = 0
  #version = 0
  readonly #keyPos: number

  constructor(keyPos: number) {
    this.#keyPos = keyPos
  }

  get size(): number {
    return this.#size
  }

  // --- searching -----------------------------------------------------------

  /** Index of the first entry of `sorted` that is >= key (or > key when `strict`). */
  #search(sorted: readonly unknown[], key: unknown, strict: boolean): number {
    let lo = 0
    let hi = sorted.length
    if (typeof key === 'number') {
      // Numbers first: the common key type, compared without a call.
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        const k = sorted[mid]
        const c = typeof k === 'number' ? (k < key ? -1 : k > key ? 1 : 0) : compareTerms(k, key)
        if (c < 0 || (strict && c === 0)) lo = mid + 1
        else hi = mid
      }
      return lo
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const c = compareTerms(sorted[mid], key)
      if (c < 0 || (strict && c === 0)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Position of the first record with key >= key (> key when strict): [leaf, index], or [leaves, 0]. */
  #seekForward(key: unknown, strict: boolean): [number, number] {
    const li = this.#search(this.#maxKeys, key, strict)
    const keys = this.#keys[li]
    return keys === undefined ? [li, 0] : [li, this.#search(keys, key, strict)]
  }

  /** Position of the last record with key <= key (< key when strict): [leaf, index], or [-1, -1]. */
  #seekBackward(key: unknown, strict: boolean): [number, number] {
    const [li, j] = this.#seekForward(key, !strict)
    if (j > 0) return [li, j - 1]
    const before = this.#keys[li - 1]
    return before === undefined ? [-1, -1] : [li - 1, before.length - 1]
  }

  #recordAt(li: number, j: number): R | undefined {
    return this.#records[li]?.[j]
  }

  #keyAt(li: number, j: number): unknown {
    return this.#keys[li]?.[j]
  }

  get(key: unknown): R | undefined {
    checkOrderedKey(key)
    const li = this.#search(this.#maxKeys, key, false)
    const keys = this.#keys[li]
    if (keys === undefined) return undefined
    const j = this.#search(keys, key, false)
    // The leaf's last key is >= key, so j is inside the leaf.
    return compareTerms(keys[j], key) === 0 ? this.#records[li]?.[j] : undefined
  }

  lookup(key: unknown): R[] {
    const record = this.get(key)
    return record === undefined ? [] : [record]
  }

  has(key: unknown): boolean {
    return this.get(key) !== undefined
  }

  // --- changing ------------------------------------------------------------

  insert(record: R): void {
    const key = record[this.#keyPos]
    this.#version++
    const n = this.#keys.length
    if (n === 0) {
      this.#keys.push([key])
      this.#records.push([record])
      this.#maxKeys.push(key)
      this.#size = 1
      return
    }
    // A key past every leaf goes at the end of the last one.
    const li = Math.min(this.#search(this.#maxKeys, key, false), n - 1)
    const keys = this.#keys[li] as unknown[]
    const records = this.#records[li] as R[]
    const j = this.#search(keys, key, false)
    if (j < keys.length && compareTerms(keys[j], key) === 0) {
      // Equal keys may still be distinct objects: keep the key the record carries.
      keys[j] = key
      records[j] = record
      if (j === keys.length - 1) this.#maxKeys[li] = key
      return
    }
    if (j === keys.length) {
      keys.push(key)
      records.push(record)
      this.#maxKeys[li] = key
    } else {
      keys.splice(j, 0, key)
      records.splice(j, 0, record)
    }
    this.#size++
    if (keys.length > LEAF_MAX) this.#split(li, keys, records)
  }

  #split(li: number, keys: unknown[], records: R[]): void {
    const half = keys.length >>> 1
    const rightKeys = keys.splice(half)
    this.#keys.splice(li + 1, 0, rightKeys)
    this.#records.splice(li + 1, 0, records.splice(half))
    this.#maxKeys[li] = keys[keys.length - 1]
    this.#maxKeys.splice(li + 1, 0, rightKeys[rightKeys.length - 1])
  }

  delete(key: unknown): number {
    checkOrderedKey(key)
    const [li, j] = this.#seekForward(key, false)
    const at = this.#keyAt(li, j)
    if (at === undefined || compareTerms(at, key) !== 0) return 0
    this.#removeAt(li, j)
    return 1
  }

  deleteObject(record: R): number {
    const stored = this.get(record[this.#keyPos])
    if (stored === undefined || !termEquals(stored, record)) return 0
    return this.delete(record[this.#keyPos])
  }

  #removeAt(li: number, j: number): void {
    const keys = this.#keys[li] as unknown[]
    keys.splice(j, 1)
    ;(this.#records[li] as R[]).splice(j, 1)
    this.#size--
    this.#version++
    if (keys.length === 0) {
      this.#keys.splice(li, 1)
      this.#records.splice(li, 1)
      this.#maxKeys.splice(li, 1)
      return
    }
    if (j === keys.length) this.#maxKeys[li] = keys[j - 1]
    if (keys.length < LEAF_MIN) this.#mergeSmall(li)
  }

  /** Merges leaf `li` into a neighbour when both fit in one leaf (keeps leaves dense). */
  #mergeSmall(li: number): void {
    for (const left of [li - 1, li]) {
      const a = this.#keys[left]
      const b = this.#keys[left + 1]
      if (a === undefined || b === undefined || a.length + b.length > LEAF_MAX) continue
      const ra = this.#records[left] as R[]
      for (const k of b) a.push(k)
      for (const r of this.#records[left + 1] as R[]) ra.push(r)
      this.#keys.splice(left + 1, 1)
      this.#records.splice(left + 1, 1)
      this.#maxKeys.splice(left, 1)
      return
    }
  }

  clear(): void {
    this.#keys = []
    this.#records = []
    this.#maxKeys = []
    this.#size = 0
    this.#version++
  }

  // --- walking -------------------------------------------------------------

  first(): unknown {
    return this.#keys[0]?.[0]
  }

  last(): unknown {
    return this.#maxKeys[this.#maxKeys.length - 1]
  }

  next(key: unknown): unknown {
    checkOrderedKey(key)
    const [li, j] = this.#seekForward(key, true)
    return this.#keyAt(li, j)
  }

  prev(key: unknown): unknown {
    checkOrderedKey(key)
    const [li, j] = this.#seekBackward(key, true)
    return this.#keyAt(li, j)
  }

  values(): IterableIterator<R> {
    return this.range({})
  }

  /**
   * Records within the bounds, in key order (or reverse order). A hand-made
   * iterator rather than a generator: a scan is then about as cheap as an
   * indexed loop.
   */
  range(bounds: RangeBounds): IterableIterator<R> {
    const next = bounds.reverse === true ? this.#walkDown(bounds) : this.#walkUp(bounds)
    let finished = false
    const iterator: IterableIterator<R> = {
      // Once done, stay done (even if records arrive later).
      next: () => {
        if (finished) return DONE
        const r = next()
        if (r.done === true) finished = true
        return r
      },
      [Symbol.iterator]: () => iterator,
    }
    return iterator
  }

  #walkUp(bounds: RangeBounds): () => IteratorResult<R> {
    const hasLt = 'lt' in bounds
    const stop = hasLt ? bounds.lt : bounds.lte
    const hasStop = hasLt || 'lte' in bounds
    let li = -1
    let j = 0
    let version = -1
    let lastSeen: unknown
    const start = (): void => {
      ;[li, j] =
        'gt' in bounds
          ? this.#seekForward(bounds.gt, true)
          : 'gte' in bounds
            ? this.#seekForward(bounds.gte, false)
            : [0, 0]
      version = this.#version
    }
    return () => {
      if (version !== this.#version) {
        // First call, or the store changed since the last record: find our place by key.
        if (li === -1) start()
        else [li, j] = this.#seekForward(lastSeen, true)
        version = this.#version
      }
      let keys = this.#keys[li]
      if (keys !== undefined && j >= keys.length) {
        li++
        j = 0
        keys = this.#keys[li]
      }
      if (keys === undefined) return DONE
      const key = keys[j]
      if (hasStop) {
        const c = compareTerms(key, stop)
        if (c > 0 || (hasLt && c === 0)) return DONE
      }
      const record = (this.#records[li] as R[])[j] as R
      j++
      lastSeen = key
      return { value: record, done: false }
    }
  }

  #walkDown(bounds: RangeBounds): () => IteratorResult<R> {
    const hasGt = 'gt' in bounds
    const stop = hasGt ? bounds.gt : bounds.gte
    const hasStop = hasGt || 'gte' in bounds
    let li = -2
    let j = 0
    let version = -1
    let lastSeen: unknown
    const start = (): void => {
      ;[li, j] =
        'lt' in bounds
          ? this.#seekBackward(bounds.lt, true)
          : 'lte' in bounds
            ? this.#seekBackward(bounds.lte, false)
            : this.#lastPosition()
    }
    return () => {
      if (version !== this.#version) {
        if (li === -2) start()
        else [li, j] = this.#seekBackward(lastSeen, true)
        version = this.#version
      }
      if (j < 0 && li > 0) {
        li--
        j = (this.#keys[li] as unknown[]).length - 1
      }
      const record = this.#recordAt(li, j)
      if (record === undefined) return DONE
      const key = this.#keyAt(li, j)
      if (hasStop) {
        const c = compareTerms(key, stop)
        if (c < 0 || (hasGt && c === 0)) return DONE
      }
      j--
      lastSeen = key
      return { value: record, done: false }
    }
  }

  #lastPosition(): [number, number] {
    const li = this.#keys.length - 1
    return li < 0 ? [-1, -1] : [li, (this.#keys[li] as unknown[]).length - 1]
  }
}
