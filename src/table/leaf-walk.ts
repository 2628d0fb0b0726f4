/**
 * Walks over a `LeafTree` within range bounds, ascending or descending.
 *
 * Iterator objects of their own (a class per direction) rather than
 * generators or closures: `next` is then one monomorphic method that V8
 * inlines into a `for…of`, and a scan costs little more than an indexed
 * loop.
 *
 * A walk remembers the last key it returned and the tree's version: when the
 * tree changed under it, it finds its place again by key, so it never skips
 * or repeats a record that stayed. Once done it stays done, even if records
 * arrive later.
 */
import { type LeafTree, PAIR, searchLeaf } from './leaf-tree.ts'
import type { RangeBounds } from './store.ts'
import { compareTerms } from './term.ts'

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true })

/**
 * Ascending. The position is a leaf and a slot in it; `#end` is the slot
 * where the walk leaves that leaf: the leaf's length or, in the leaf that
 * holds the upper bound, the first slot past the bound. Working that out once
 * per leaf means the records in between cost no key comparison.
 */
export class AscendingWalk<R> implements IterableIterator<R> {
  readonly #tree: LeafTree
  readonly #bounds: RangeBounds
  readonly #hasStop: boolean
  readonly #stop: unknown
  /** Upper bound excluded (`lt`) rather than included (`lte`). */
  readonly #strictStop: boolean
  #leaf: unknown[] | undefined
  #li = 0
  #j = 0
  #end = 0
  #version = -1
  #started = false
  #finished = false
  #lastSeen: unknown

  constructor(tree: LeafTree, bounds: RangeBounds) {
    this.#tree = tree
    this.#bounds = bounds
    this.#strictStop = 'lt' in bounds
    this.#hasStop = this.#strictStop || 'lte' in bounds
    this.#stop = this.#strictStop ? bounds.lt : bounds.lte
  }

  [Symbol.iterator](): this {
    return this
  }

  next(): IteratorResult<R> {
    if (this.#finished) return DONE
    if (this.#version !== this.#tree.version) this.#seek()
    while (this.#j >= this.#end) {
      const leaf = this.#leaf
      // Past the last leaf, or the bound lies inside this one: the walk is over.
      if (leaf === undefined || this.#end < leaf.length) {
        this.#finished = true
        return DONE
      }
      this.#enter(this.#li + 1, 0)
    }
    const leaf = this.#leaf as unknown[]
    const j = this.#j
    this.#lastSeen = leaf[j]
    this.#j = j + PAIR
    return { value: leaf[j + 1] as R, done: false }
  }

  /** First call, or the tree changed since the last record: find the place by key. */
  #seek(): void {
    const tree = this.#tree
    const bounds = this.#bounds
    const [li, j] = this.#started
      ? tree.seekForward(this.#lastSeen, true)
      : 'gt' in bounds
        ? tree.seekForward(bounds.gt, true)
        : 'gte' in bounds
          ? tree.seekForward(bounds.gte, false)
          : [0, 0]
    this.#started = true
    this.#version = tree.version
    this.#enter(li, j)
  }

  #enter(li: number, j: number): void {
    const leaf = this.#tree.leaves[li]
    this.#leaf = leaf
    this.#li = li
    this.#j = j
    if (leaf === undefined) this.#end = 0
    else if (!this.#hasStop) this.#end = leaf.length
    else {
      const c = compareTerms(leaf[leaf.length - PAIR], this.#stop)
      const whole = c < 0 || (c === 0 && !this.#strictStop)
      this.#end = whole ? leaf.length : searchLeaf(leaf, this.#stop, !this.#strictStop)
    }
  }
}

/** Descending: as `AscendingWalk`, with `#end` the lowest slot the walk may visit in its leaf. */
export class DescendingWalk<R> implements IterableIterator<R> {
  readonly #tree: LeafTree
  readonly #bounds: RangeBounds
  readonly #hasStop: boolean
  readonly #stop: unknown
  /** Lower bound excluded (`gt`) rather than included (`gte`). */
  readonly #strictStop: boolean
  #leaf: unknown[] | undefined
  #li = 0
  #j = 0
  #end = 0
  #version = -1
  #started = false
  #finished = false
  #lastSeen: unknown

  constructor(tree: LeafTree, bounds: RangeBounds) {
    this.#tree = tree
    this.#bounds = bounds
    this.#strictStop = 'gt' in bounds
    this.#hasStop = this.#strictStop || 'gte' in bounds
    this.#stop = this.#strictStop ? bounds.gt : bounds.gte
  }

  [Symbol.iterator](): this {
    return this
  }

  next(): IteratorResult<R> {
    if (this.#finished) return DONE
    if (this.#version !== this.#tree.version) this.#seek()
    while (this.#j < this.#end || this.#leaf === undefined) {
      // Before the first leaf, or the bound lies inside this one: the walk is over.
      if (this.#leaf === undefined || this.#end > 0 || this.#li === 0) {
        this.#finished = true
        return DONE
      }
      const below = this.#tree.leaves[this.#li - 1] as unknown[]
      this.#enter(this.#li - 1, below.length - PAIR)
    }
    const leaf = this.#leaf
    const j = this.#j
    this.#lastSeen = leaf[j]
    this.#j = j - PAIR
    return { value: leaf[j + 1] as R, done: false }
  }

  #seek(): void {
    const tree = this.#tree
    const bounds = this.#bounds
    const [li, j] = this.#started
      ? tree.seekBackward(this.#lastSeen, true)
      : 'lt' in bounds
        ? tree.seekBackward(bounds.lt, true)
        : 'lte' in bounds
          ? tree.seekBackward(bounds.lte, false)
          : tree.lastPosition()
    this.#started = true
    this.#version = tree.version
    this.#enter(li, j)
  }

  #enter(li: number, j: number): void {
    const leaf = this.#tree.leaves[li]
    this.#leaf = leaf
    this.#li = li
    this.#j = j
    if (leaf === undefined || !this.#hasStop) this.#end = 0
    else {
      const c = compareTerms(leaf[0], this.#stop)
      const whole = c > 0 || (c === 0 && !this.#strictStop)
      this.#end = whole ? 0 : searchLeaf(leaf, this.#stop, this.#strictStop)
    }
  }
}
