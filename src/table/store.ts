/**
 * The storage contract behind a table, one implementation per kind family:
 * `HashStore` (set), `BagStore` (bag, duplicate_bag) and `OrderedStore`
 * (ordered_set). Stores know nothing of owners or access; `Table` checks
 * those and validates arguments before it calls a store.
 */
import type { Row } from './term.ts'

/** Bounds of a range scan over an ordered table: at most one lower and one upper bound. */
export interface RangeBounds<K = unknown> {
  /** Start after this key. */
  readonly gt?: K
  /** Start at this key. */
  readonly gte?: K
  /** Stop before this key. */
  readonly lt?: K
  /** Stop after this key. */
  readonly lte?: K
  /** Walk from the upper bound down to the lower one. */
  readonly reverse?: boolean
}

export interface Store<R extends Row> {
  /** Number of records. */
  readonly size: number
  /** The record with this key (the first one, for bags), or undefined. */
  get(key: unknown): R | undefined
  /** Every record with this key, in the store's order. A fresh array. */
  lookup(key: unknown): R[]
  has(key: unknown): boolean
  /** Inserts a record; for set kinds it replaces the record with the same key. */
  insert(record: R): void
  /** Deletes every record with the key; returns how many went. */
  delete(key: unknown): number
  /** Deletes the records equal to this one; returns how many went. */
  deleteObject(record: R): number
  clear(): void
  first(): unknown
  last(): unknown
  /** The key after `key` in the store's order, or undefined at the end. */
  next(key: unknown): unknown
  prev(key: unknown): unknown
  /** Every record, in the store's order (live: safe against changes during the walk). */
  values(): IterableIterator<R>
}
