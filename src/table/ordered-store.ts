/**
 * The `ordered_set` kind: records kept sorted by key in the total term order
 * (see term.ts), one record per key. The sorted structure is `LeafTree`
 * (leaf-tree.ts), the walks are in leaf-walk.ts; this class checks keys and
 * speaks the `Store` contract.
 */
import { LeafTree } from './leaf-tree.ts'
import { AscendingWalk, DescendingWalk } from './leaf-walk.ts'
import type { RangeBounds, Store } from './store.ts'
import { checkOrderedKey, type Row, termEquals } from './term.ts'

export class OrderedStore<R extends Row> implements Store<R> {
  // One tree for the store's lifetime (`clear` empties it): walks hold on to it.
  readonly #tree = new LeafTree()
  readonly #keyPos: number

  constructor(keyPos: number) {
    this.#keyPos = keyPos
  }

  get size(): number {
    return this.#tree.size
  }

  get(key: unknown): R | undefined {
    checkOrderedKey(key)
    return this.#tree.get(key) as R | undefined
  }

  lookup(key: unknown): R[] {
    const record = this.get(key)
    return record === undefined ? [] : [record]
  }

  has(key: unknown): boolean {
    return this.get(key) !== undefined
  }

  insert(record: R): void {
    this.#tree.insert(record[this.#keyPos], record)
  }

  delete(key: unknown): number {
    checkOrderedKey(key)
    const at = this.#tree.find(key)
    if (at === undefined) return 0
    this.#tree.removeAt(at[0], at[1])
    return 1
  }

  deleteObject(record: R): number {
    const stored = this.get(record[this.#keyPos])
    if (stored === undefined || !termEquals(stored, record)) return 0
    return this.delete(record[this.#keyPos])
  }

  clear(): void {
    this.#tree.clear()
  }

  first(): unknown {
    return this.#tree.keyAt(0, 0)
  }

  last(): unknown {
    const [li, j] = this.#tree.lastPosition()
    return this.#tree.keyAt(li, j)
  }

  next(key: unknown): unknown {
    checkOrderedKey(key)
    const [li, j] = this.#tree.seekForward(key, true)
    return this.#tree.keyAt(li, j)
  }

  prev(key: unknown): unknown {
    checkOrderedKey(key)
    const [li, j] = this.#tree.seekBackward(key, true)
    return this.#tree.keyAt(li, j)
  }

  values(): IterableIterator<R> {
    return this.range({})
  }

  /** Records within the bounds, in key order (or reverse order); live and lazy. */
  range(bounds: RangeBounds): IterableIterator<R> {
    return bounds.reverse === true
      ? new DescendingWalk<R>(this.#tree, bounds)
      : new AscendingWalk<R>(this.#tree, bounds)
  }
}
