/**
 * The `ordered_set` kind: records kept sorted by key in the total term order
 * (see term.ts), one record per key.
 *
 * How it works. Records sit in a list of sorted leaves of at most `LEAF_MAX`
 * records, with the last key of each leaf kept in `#maxKeys` (a one-level
 * B+tree, as Python's sortedcontainers does). A leaf is one flat array of
 * key, record pairs: `[k0, r0, k1, r1, …]`. Finding a key is two binary
 * searches, O(log n); inserting or deleting also moves at most `LEAF_MAX`
 * pairs inside one contiguous array (a memmove), and splits or merges a leaf
 * now and then. That beats pointer-chasing trees on a JS heap: leaves are
 * dense arrays, so scans are sequential reads.
 *
 * Keys and records share one array (rather than two parallel arrays) so that
 * an insert or a delete is one `splice` instead of two, and a scan reads a
 * record next to its key.
 *
 * Walks (`values`, `range`) remember the last key they returned and the
 * store's version: when the store changed under them they find their place
 * again by key, so they never skip or repeat a record that stayed.
 */
import type { RangeBounds, Store } from './store.ts'
import { checkOrderedKey, compareTerms, type Row, termEquals } from './term.ts'

/** Records per leaf, at most. */
const LEAF_MAX = 256
/** A leaf shorter than this after a delete is merged with a neighbour if they fit in one. */
const LEAF_MIN = LEAF_MAX / 4
/** Array slots per record in a leaf: its key, then the record. */
const PAIR = 2

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true })

/**
 * Index of the first entry of `sorted` (read every `step` slots: 1 for a
 * list of keys, `PAIR` for a leaf) whose key is >= key, or > key when
 * `strict`. Counts entries, not slots.
 */
function search(sorted: readonly unknown[], step: number, key: unknown, strict: boolean): number {
  let lo = 0
  let hi = sorted.length / step
  if (typeof key === 'number') {
    // Numbers first: the common key type, compared inline rather than through
    // compareTerms (a call per probe when it is not inlined).
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const k = sorted[mid * step]
      const c = typeof k === 'number' ? (k < key ? -1 : k > key ? 1 : 0) : compareTerms(k, key)
      if (c < 0 || (strict && c === 0)) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const c = compareTerms(sorted[mid * step], key)
    if (c < 0 || (strict && c === 0)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Slot of the first pair in `leaf` whose key is >= key (> key when strict); `leaf.length` if none. */
function searchLeaf(leaf: readonly unknown[], key: unknown, strict: boolean): number {
  return search(leaf, PAIR, key, strict) * PAIR
}

export class OrderedStore<R extends Row> implements Store<R> {
  // Leaf i is `#leaves[i]`, key/record pairs sorted by key; `#maxKeys[i]` is its last key.
  #leaves: unknown[][] = []
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

  /** Position of the first record with key >= key (> key when strict): [leaf, slot], or [leaves, 0]. */
  #seekForward(key: unknown, strict: boolean): [number, number] {
    const li = search(this.#maxKeys, 1, key, strict)
    const leaf = this.#leaves[li]
    // The leaf's last key is >= key (> key when strict), so the slot is inside the leaf.
    return leaf === undefined ? [li, 0] : [li, searchLeaf(leaf, key, strict)]
  }

  /** Position of the last record with key <= key (< key when strict): [leaf, slot], or [-1, -1]. */
  #seekBackward(key: unknown, strict: boolean): [number, number] {
    const [li, j] = this.#seekForward(key, !strict)
    if (j > 0) return [li, j - PAIR]
    const before = this.#leaves[li - 1]
    return before === undefined ? [-1, -1] : [li - 1, before.length - PAIR]
  }

  #keyAt(li: number, j: number): unknown {
    return this.#leaves[li]?.[j]
  }

  get(key: unknown): R | undefined {
    checkOrderedKey(key)
    const leaf = this.#leaves[search(this.#maxKeys, 1, key, false)]
    if (leaf === undefined) return undefined
    const j = searchLeaf(leaf, key, false)
    return compareTerms(leaf[j], key) === 0 ? (leaf[j + 1] as R) : undefined
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
    const leaves = this.#leaves
    const n = leaves.length
    if (n === 0) {
      leaves.push([key, record])
      this.#maxKeys.push(key)
      this.#size = 1
      return
    }
    // A key past every leaf goes at the end of the last one.
    const li = Math.min(search(this.#maxKeys, 1, key, false), n - 1)
    const leaf = leaves[li] as unknown[]
    const j = searchLeaf(leaf, key, false)
    if (j === leaf.length) {
      leaf.push(key, record)
      this.#maxKeys[li] = key
    } else if (compareTerms(leaf[j], key) === 0) {
      // Equal keys may still be distinct objects: keep the key the record carries.
      leaf[j] = key
      leaf[j + 1] = record
      if (j === leaf.length - PAIR) this.#maxKeys[li] = key
      return
    } else {
      leaf.splice(j, 0, key, record)
    }
    this.#size++
    if (leaf.length > LEAF_MAX * PAIR) this.#split(li, leaf)
  }

  #split(li: number, leaf: unknown[]): void {
    const right = leaf.splice(((leaf.length / PAIR) >>> 1) * PAIR)
    this.#leaves.splice(li + 1, 0, right)
    this.#maxKeys[li] = leaf[leaf.length - PAIR]
    this.#maxKeys.splice(li + 1, 0, right[right.length - PAIR])
  }

  delete(key: unknown): number {
    checkOrderedKey(key)
    const [li, j] = this.#seekForward(key, false)
    const leaf = this.#leaves[li]
    if (leaf === undefined || compareTerms(leaf[j], key) !== 0) return 0
    this.#removeAt(li, leaf, j)
    return 1
  }

  deleteObject(record: R): number {
    const stored = this.get(record[this.#keyPos])
    if (stored === undefined || !termEquals(stored, record)) return 0
    return this.delete(record[this.#keyPos])
  }

  #removeAt(li: number, leaf: unknown[], j: number): void {
    leaf.splice(j, PAIR)
    this.#size--
    this.#version++
    if (leaf.length === 0) {
      this.#leaves.splice(li, 1)
      this.#maxKeys.splice(li, 1)
      return
    }
    if (j === leaf.length) this.#maxKeys[li] = leaf[j - PAIR]
    if (leaf.length < LEAF_MIN * PAIR) this.#mergeSmall(li)
  }

  /** Merges leaf `li` into a neighbour when both fit in one leaf (keeps leaves dense). */
  #mergeSmall(li: number): void {
    for (const left of [li - 1, li]) {
      const a = this.#leaves[left]
      const b = this.#leaves[left + 1]
      if (a === undefined || b === undefined || a.length + b.length > LEAF_MAX * PAIR) continue
      for (const slot of b) a.push(slot)
      this.#leaves.splice(left + 1, 1)
      this.#maxKeys.splice(left, 1) // leaf `left` now ends with b's last key
      return
    }
  }

  clear(): void {
    this.#leaves = []
    this.#maxKeys = []
    this.#size = 0
    this.#version++
  }

  // --- walking -------------------------------------------------------------

  first(): unknown {
    return this.#leaves[0]?.[0]
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
   * indexed loop. Once done it stays done, even if records arrive later.
   */
  range(bounds: RangeBounds): IterableIterator<R> {
    const next = bounds.reverse === true ? this.#walkDown(bounds) : this.#walkUp(bounds)
    const iterator: IterableIterator<R> = { next, [Symbol.iterator]: () => iterator }
    return iterator
  }

  /**
   * An ascending walk. Its position is a leaf and a slot in it; `end` is the
   * slot where the walk leaves that leaf: the leaf's length, or, in the leaf
   * that holds the upper bound, the first slot past the bound. Working that
   * out once per leaf means the records in between cost no key comparison.
   */
  #walkUp(bounds: RangeBounds): () => IteratorResult<R> {
    const hasLt = 'lt' in bounds
    const stop = hasLt ? bounds.lt : bounds.lte
    const hasStop = hasLt || 'lte' in bounds
    let leaf: unknown[] | undefined
    let li = 0
    let j = 0
    let end = 0
    let version = -1
    let started = false
    let finished = false
    let lastSeen: unknown

    const enter = (at: number, slot: number): void => {
      li = at
      j = slot
      leaf = this.#leaves[at]
      if (leaf === undefined) end = 0
      else if (!hasStop) end = leaf.length
      else {
        const c = compareTerms(leaf[leaf.length - PAIR], stop)
        // Past the bound at c > 0 (lte) or c >= 0 (lt): stop inside this leaf.
        end = c < 0 || (c === 0 && !hasLt) ? leaf.length : searchLeaf(leaf, stop, !hasLt)
      }
    }
    const seek = (): void => {
      // First call, or the store changed since the last record: find our place by key.
      const [at, slot] = started
        ? this.#seekForward(lastSeen, true)
        : 'gt' in bounds
          ? this.#seekForward(bounds.gt, true)
          : 'gte' in bounds
            ? this.#seekForward(bounds.gte, false)
            : [0, 0]
      started = true
      enter(at, slot)
      version = this.#version
    }

    return () => {
      if (finished) return DONE
      if (version !== this.#version) seek()
      while (j >= end) {
        // Past the last leaf, or the bound lies inside this one: the walk is over.
        if (leaf === undefined || end < leaf.length) {
          finished = true
          return DONE
        }
        enter(li + 1, 0)
      }
      const current = leaf as unknown[]
      lastSeen = current[j]
      const record = current[j + 1] as R
      j += PAIR
      return { value: record, done: false }
    }
  }

  /** A descending walk: as `#walkUp`, with `end` the lowest slot it may visit in the leaf. */
  #walkDown(bounds: RangeBounds): () => IteratorResult<R> {
    const hasGt = 'gt' in bounds
    const stop = hasGt ? bounds.gt : bounds.gte
    const hasStop = hasGt || 'gte' in bounds
    let leaf: unknown[] | undefined
    let li = 0
    let j = 0
    let end = 0
    let version = -1
    let started = false
    let finished = false
    let lastSeen: unknown

    const enter = (at: number, slot: number): void => {
      li = at
      j = slot
      leaf = this.#leaves[at]
      if (leaf === undefined || !hasStop) end = 0
      else {
        const c = compareTerms(leaf[0], stop)
        end = c > 0 || (c === 0 && !hasGt) ? 0 : searchLeaf(leaf, stop, hasGt)
      }
    }
    const seek = (): void => {
      const [at, slot] = started
        ? this.#seekBackward(lastSeen, true)
        : 'lt' in bounds
          ? this.#seekBackward(bounds.lt, true)
          : 'lte' in bounds
            ? this.#seekBackward(bounds.lte, false)
            : this.#lastPosition()
      started = true
      enter(at, slot)
      version = this.#version
    }

    return () => {
      if (finished) return DONE
      if (version !== this.#version) seek()
      while (j < end || leaf === undefined) {
        // Before the first leaf, or the bound lies inside this one: the walk is over.
        if (leaf === undefined || end > 0 || li === 0) {
          finished = true
          return DONE
        }
        const below = this.#leaves[li - 1] as unknown[]
        enter(li - 1, below.length - PAIR)
      }
      const current = leaf as unknown[]
      lastSeen = current[j]
      const record = current[j + 1] as R
      j -= PAIR
      return { value: record, done: false }
    }
  }

  #lastPosition(): [number, number] {
    const li = this.#leaves.length - 1
    const leaf = this.#leaves[li]
    return leaf === undefined ? [-1, -1] : [li, leaf.length - PAIR]
  }
}
