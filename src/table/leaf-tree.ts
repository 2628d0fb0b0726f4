/**
 * The sorted structure behind `ordered_set`: records kept in key order (the
 * total term order of term.ts), one per key.
 *
 * How it works. Records sit in a list of sorted leaves of at most `LEAF_MAX`
 * records, with the last key of each leaf kept in `maxKeys` (a one-level
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
 * A position is a leaf index and a slot in that leaf (the slot of the key;
 * the record is in the next one).
 */
import { compareTerms } from './term.ts'

/** Records per leaf, at most. */
const LEAF_MAX = 256
/** A leaf shorter than this after a delete is merged with a neighbour if they fit in one. */
const LEAF_MIN = LEAF_MAX / 4
/** Array slots per record in a leaf: its key, then the record. */
export const PAIR = 2

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
export function searchLeaf(leaf: readonly unknown[], key: unknown, strict: boolean): number {
  return search(leaf, PAIR, key, strict) * PAIR
}

/**
 * The leaves and their index. Owned by one `OrderedStore`, which does every
 * change through the methods here; walks read `leaves` and `version`
 * directly (their hot loop), and never change them.
 */
export class LeafTree {
  /** Leaf i: key/record pairs sorted by key, never empty. */
  leaves: unknown[][] = []
  /** The last key of each leaf. */
  maxKeys: unknown[] = []
  size = 0
  /** Bumped on every change: a walk that sees it move finds its place again by key. */
  version = 0

  /** The key/record pair for `key`: [leaf, slot], or undefined. */
  find(key: unknown): [number, number] | undefined {
    const li = search(this.maxKeys, 1, key, false)
    const leaf = this.leaves[li]
    if (leaf === undefined) return undefined
    const j = searchLeaf(leaf, key, false)
    // The leaf's last key is >= key, so the slot is inside the leaf.
    return compareTerms(leaf[j], key) === 0 ? [li, j] : undefined
  }

  /** The record stored with `key`, or undefined (as `find`, without allocating a position). */
  get(key: unknown): unknown {
    const leaf = this.leaves[search(this.maxKeys, 1, key, false)]
    if (leaf === undefined) return undefined
    const j = searchLeaf(leaf, key, false)
    return compareTerms(leaf[j], key) === 0 ? leaf[j + 1] : undefined
  }

  /** Position of the first record with key >= key (> key when strict), or [leaves, 0]. */
  seekForward(key: unknown, strict: boolean): [number, number] {
    const li = search(this.maxKeys, 1, key, strict)
    const leaf = this.leaves[li]
    return leaf === undefined ? [li, 0] : [li, searchLeaf(leaf, key, strict)]
  }

  /** Position of the last record with key <= key (< key when strict), or [-1, -1]. */
  seekBackward(key: unknown, strict: boolean): [number, number] {
    const [li, j] = this.seekForward(key, !strict)
    if (j > 0) return [li, j - PAIR]
    const before = this.leaves[li - 1]
    return before === undefined ? [-1, -1] : [li - 1, before.length - PAIR]
  }

  /** Position of the last record, or [-1, -1]. */
  lastPosition(): [number, number] {
    const li = this.leaves.length - 1
    const leaf = this.leaves[li]
    return leaf === undefined ? [-1, -1] : [li, leaf.length - PAIR]
  }

  keyAt(li: number, j: number): unknown {
    return this.leaves[li]?.[j]
  }

  /** Stores the record under `key`, replacing the record with an equal key. */
  insert(key: unknown, record: unknown): void {
    this.version++
    const leaves = this.leaves
    const n = leaves.length
    if (n === 0) {
      leaves.push([key, record])
      this.maxKeys.push(key)
      this.size = 1
      return
    }
    // A key past every leaf goes at the end of the last one.
    const li = Math.min(search(this.maxKeys, 1, key, false), n - 1)
    const leaf = leaves[li] as unknown[]
    const j = searchLeaf(leaf, key, false)
    if (j === leaf.length) {
      leaf.push(key, record)
      this.maxKeys[li] = key
    } else if (compareTerms(leaf[j], key) === 0) {
      // Equal keys may still be distinct objects: keep the key the record carries.
      leaf[j] = key
      leaf[j + 1] = record
      if (j === leaf.length - PAIR) this.maxKeys[li] = key
      return
    } else {
      leaf.splice(j, 0, key, record)
    }
    this.size++
    if (leaf.length > LEAF_MAX * PAIR) this.#split(li, leaf)
  }

  #split(li: number, leaf: unknown[]): void {
    const right = leaf.splice(((leaf.length / PAIR) >>> 1) * PAIR)
    this.leaves.splice(li + 1, 0, right)
    this.maxKeys[li] = leaf[leaf.length - PAIR]
    this.maxKeys.splice(li + 1, 0, right[right.length - PAIR])
  }

  /** Removes the pair at a position `find` returned. */
  removeAt(li: number, j: number): void {
    const leaf = this.leaves[li] as unknown[]
    leaf.splice(j, PAIR)
    this.size--
    this.version++
    if (leaf.length === 0) {
      this.leaves.splice(li, 1)
      this.maxKeys.splice(li, 1)
      return
    }
    if (j === leaf.length) this.maxKeys[li] = leaf[j - PAIR]
    if (leaf.length < LEAF_MIN * PAIR) this.#mergeSmall(li)
  }

  /** Merges leaf `li` into a neighbour when both fit in one leaf (keeps leaves dense). */
  #mergeSmall(li: number): void {
    for (const left of [li - 1, li]) {
      const a = this.leaves[left]
      const b = this.leaves[left + 1]
      if (a === undefined || b === undefined || a.length + b.length > LEAF_MAX * PAIR) continue
      for (const slot of b) a.push(slot)
      this.leaves.splice(left + 1, 1)
      this.maxKeys.splice(left, 1) // leaf `left` now ends with b's last key
      return
    }
  }

  clear(): void {
    this.leaves = []
    this.maxKeys = []
    this.size = 0
    this.version++
  }
}
