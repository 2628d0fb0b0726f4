/**
 * Table: an ETS-like in-memory store owned by a process.
 *
 * Records are tuples (arrays); the element at `keyPos` (default 0) is the
 * key. Four kinds: `set` (one record per key, a thin `Map` wrapper),
 * `ordered_set` (one per key, sorted, range scans), `bag` (many distinct
 * records per key) and `duplicate_bag` (many, duplicates kept).
 *
 * Ownership. The process that creates a table owns it; code outside any
 * process (module top level, tests) is the "outside" caller, and a table it
 * creates is owned by the outside and lives until `drop()`. Access is checked
 * against the calling process on every operation: `public` lets anyone read
 * and write, `protected` (the default, as in ETS) lets anyone read and only
 * the owner write, `private` lets only the owner in. When the owner stops the
 * table goes to its heir (who gets a `TABLE-TRANSFER` message) or, without a
 * live heir, is deleted.
 *
 * Records are stored by reference, as given: treat them as immutable.
 * `updateCounter` and `updateElement` store a new array rather than change
 * the old one, so a record you got from the table never changes under you.
 */
import { CinderError, describe } from '../errors.ts'
import { currentPid, isAlive, onExit, Pid, send } from '../process/index.ts'
import { badArg, checkBounds, checkPos, checkRecord, checkRecords } from './args.ts'
import { BagStore } from './bag-store.ts'
import { applyCounterOp, type CounterOp, toCounterOp } from './counters.ts'
import { HashStore } from './hash-store.ts'
import {
  checkOptions,
  type TableAccess,
  type TableInfo,
  type TableKind,
  type TableOptions,
  type TableTransfer,
} from './options.ts'
import { OrderedStore } from './ordered-store.ts'
import {
  type Bindings,
  type CompiledClause,
  compileClauses,
  type MatchClause,
  noKey,
  type Pattern,
} from './pattern.ts'
import type { RangeBounds, Store } from './store.ts'
import { type Row, termEquals } from './term.ts'

const named = new Map<string, Table>()
let nextId = 1

/** The live table registered under `name`, or undefined. */
export function whereisTable<R extends Row = Row, K = R[0]>(name: string): Table<R, K> | undefined {
  return named.get(name) as Table<R, K> | undefined
}

/**
 * Creates a table owned by the calling process (or by the outside).
 *
 * @example
 * const scores = createTable<[string, number]>({ kind: 'ordered_set', access: 'public' })
 * scores.insert(['ada', 3])
 * scores.updateCounter('ada', 1) // 4
 */
export function createTable<R extends Row = Row, K = R[0]>(
  options: TableOptions = {},
): Table<R, K> {
  return new Table<R, K>(options)
}

/**
 * An in-memory table owned by a process (an ETS table): `set`, `ordered_set`,
 * `bag` or `duplicate_bag` of tuples keyed by their first element. See docs/table.md.
 */
export class Table<R extends Row = Row, K = R[0]> {
  readonly id: number
  readonly kind: TableKind
  readonly keyPos: number
  readonly access: TableAccess
  readonly name: string | undefined
  readonly #store: Store<R>
  readonly #ordered: OrderedStore<R> | undefined
  #owner: Pid | undefined
  #heir: Pid | undefined
  #heirData: unknown
  #unwatch: (() => void) | undefined
  #dropped = false
  // The access check's fast path: true while anyone may read (write) without asking who calls.
  #openRead: boolean
  #openWrite: boolean

  /** Use `createTable`. */
  constructor(options: TableOptions) {
    checkOptions(options)
    this.id = nextId++
    this.kind = options.kind ?? 'set'
    this.keyPos = options.keyPos ?? 0
    this.access = options.access ?? 'protected'
    this.name = options.name
    this.#ordered = this.kind === 'ordered_set' ? new OrderedStore<R>(this.keyPos) : undefined
    this.#store = this.#ordered ?? makeStore<R>(this.kind, this.keyPos)
    this.#openRead = this.access !== 'private'
    this.#openWrite = this.access === 'public'
    this.#heir = options.heir
    this.#heirData = options.heirData
    if (this.name !== undefined) {
      if (named.has(this.name)) {
        throw new CinderError(
          'CINDER_ERR_NAME_TAKEN',
          `a table named ${describe(this.name)} exists already`,
        )
      }
      named.set(this.name, this as unknown as Table)
    }
    this.#takeOwnership(currentPid())
  }

  toString(): string {
    return this.name === undefined ? `Table<#${this.id}>` : `Table<${this.name}>`
  }

  // --- reading -------------------------------------------------------------

  /** The number of records. */
  get size(): number {
    this.#alive()
    return this.#store.size
  }

  /** The record with `key` (for bags, the first one inserted), or undefined. The fast path. */
  get(key: K): R | undefined {
    if (!this.#openRead) this.#checkRead('get')
    return this.#store.get(key)
  }

  /** Every record with `key`: at most one for set kinds, in insertion order for bags. */
  lookup(key: K): R[] {
    if (!this.#openRead) this.#checkRead('lookup')
    return this.#store.lookup(key)
  }

  /** True when a record with `key` exists. */
  member(key: K): boolean {
    if (!this.#openRead) this.#checkRead('member')
    return this.#store.has(key)
  }

  /** Every record, in the table's order (key order for `ordered_set`). */
  toList(): R[] {
    if (!this.#openRead) this.#checkRead('toList')
    return Array.from(this.#store.values())
  }

  /** Walks every record, in the table's order; safe against changes during the walk. */
  [Symbol.iterator](): IterableIterator<R> {
    if (!this.#openRead) this.#checkRead('iterate')
    return this.#store.values()
  }

  /** The first key, or undefined when the table is empty. */
  first(): K | undefined {
    if (!this.#openRead) this.#checkRead('first')
    return this.#store.first() as K | undefined
  }

  /** The last key (for unordered kinds, the same as `first`, as in ETS). */
  last(): K | undefined {
    if (!this.#openRead) this.#checkRead('last')
    return this.#store.last() as K | undefined
  }

  /**
   * The key after `key`, or undefined at the end. For `ordered_set` any key
   * works (the next greater one is returned); for unordered kinds `key` must
   * be in the table or be the key `first`/`next` returned last, so deleting
   * while walking is fine.
   */
  next(key: K): K | undefined {
    if (!this.#openRead) this.#checkRead('next')
    return this.#store.next(key) as K | undefined
  }

  /** The key before `key` (for unordered kinds, the same as `next`, as in ETS). */
  prev(key: K): K | undefined {
    if (!this.#openRead) this.#checkRead('prev')
    return this.#store.prev(key) as K | undefined
  }

  /**
   * Records of an `ordered_set` whose keys lie within the bounds, in key order
   * (or reverse order). Lazy, and safe against changes during the walk.
   *
   * @example
   * for (const [day, total] of sales.range({ gte: '2024-01-01', lt: '2024-02-01' })) …
   */
  range(bounds: RangeBounds<K> = {}): IterableIterator<R> {
    if (!this.#openRead) this.#checkRead('range')
    const ordered = this.#ordered
    if (ordered === undefined) {
      throw badArg(`range() expected an ordered_set table, got a ${this.kind} table (${this})`)
    }
    checkBounds(bounds)
    return ordered.range(bounds)
  }

  // --- matching ------------------------------------------------------------

  /** The bindings of every record matching `pattern` (see `P`). */
  match(pattern: Pattern): Bindings[] {
    return this.select<Bindings>({ pattern, result: (b) => b })
  }

  /** Every record matching `pattern`. */
  matchObject(pattern: Pattern): R[] {
    return this.select<R>({ pattern })
  }

  /**
   * For every record, the first clause whose pattern matches and whose
   * `where` accepts it gives `result(bindings, record)` (the record when no
   * `result`). `where` and `result` must not change the table.
   */
  select<T = R>(clauses: MatchClause<R, T> | ReadonlyArray<MatchClause<R, T>>): T[] {
    if (!this.#openRead) this.#checkRead('select')
    const out: T[] = []
    this.#scan(compileClauses(clauses, this.keyPos, 'select'), (record, value) => {
      out.push(value)
      return record
    })
    return out
  }

  /** How many records `select` would return. */
  selectCount(clauses: MatchClause<R, unknown> | ReadonlyArray<MatchClause<R, unknown>>): number {
    if (!this.#openRead) this.#checkRead('selectCount')
    let count = 0
    this.#scan(compileClauses(clauses, this.keyPos, 'selectCount'), () => {
      count++
    })
    return count
  }

  /** Deletes every record that a clause selects (pattern and `where`); returns how many. */
  selectDelete(clauses: MatchClause<R, unknown> | ReadonlyArray<MatchClause<R, unknown>>): number {
    if (!this.#openWrite) this.#checkWrite('selectDelete')
    const doomed: R[] = []
    this.#scan(compileClauses(clauses, this.keyPos, 'selectDelete'), (record) => {
      doomed.push(record)
    })
    let deleted = 0
    for (const record of doomed) deleted += this.#store.deleteObject(record)
    return deleted
  }

  /** Deletes every record matching `pattern`; returns how many. */
  matchDelete(pattern: Pattern): number {
    return this.selectDelete({ pattern })
  }

  #scan<T>(clauses: Array<CompiledClause<R, T>>, emit: (record: R, value: T) => void): void {
    for (const record of this.#candidates(clauses)) {
      for (const clause of clauses) {
        const bindings = clause.test(record)
        if (bindings === undefined) continue
        if (clause.where !== undefined && !clause.where(bindings, record)) continue
        emit(
          record,
          clause.result === undefined ? (record as unknown as T) : clause.result(bindings, record),
        )
        break
      }
    }
  }

  /** When every clause fixes the same key, only that key's records can match: a lookup, not a scan. */
  #candidates(clauses: Array<CompiledClause<R, unknown>>): Iterable<R> {
    const key = (clauses[0] as CompiledClause<R, unknown>).key
    if (key === noKey || !clauses.every((c) => c.key !== noKey && termEquals(c.key, key))) {
      return this.#store.values()
    }
    return this.#store.lookup(key)
  }

  // --- writing -------------------------------------------------------------

  /** Inserts a record; in set kinds it replaces the record with the same key. */
  insert(record: R): void {
    if (!this.#openWrite) this.#checkWrite('insert')
    this.#checkRecord(record, 'insert')
    this.#store.insert(record)
  }

  /** Inserts several records (all are checked before any is inserted). */
  insertMany(records: readonly R[]): void {
    if (!this.#openWrite) this.#checkWrite('insertMany')
    this.#checkRecords(records, 'insertMany')
    for (const record of records) this.#store.insert(record)
  }

  /** Inserts the record unless its key is present; returns whether it did. */
  insertNew(record: R): boolean {
    if (!this.#openWrite) this.#checkWrite('insertNew')
    this.#checkRecord(record, 'insertNew')
    if (this.#store.has(record[this.keyPos])) return false
    this.#store.insert(record)
    return true
  }

  /** Inserts all the records if none of their keys is present (else none); returns whether it did. */
  insertNewMany(records: readonly R[]): boolean {
    if (!this.#openWrite) this.#checkWrite('insertNewMany')
    this.#checkRecords(records, 'insertNewMany')
    if (records.some((r) => this.#store.has(r[this.keyPos]))) return false
    for (const record of records) this.#store.insert(record)
    return true
  }

  /** Deletes every record with `key`; returns whether any was there. */
  delete(key: K): boolean {
    if (!this.#openWrite) this.#checkWrite('delete')
    return this.#store.delete(key) > 0
  }

  /** Deletes the records equal to `record` (all copies in a duplicate_bag); returns how many. */
  deleteObject(record: R): number {
    if (!this.#openWrite) this.#checkWrite('deleteObject')
    this.#checkRecord(record, 'deleteObject')
    return this.#store.deleteObject(record)
  }

  /** Deletes every record (the table stays). */
  clear(): void {
    if (!this.#openWrite) this.#checkWrite('clear')
    this.#store.clear()
  }

  /**
   * Adds to a numeric element of the record with `key` and returns the new
   * value. `op` is an increment of element `keyPos + 1`, or a `CounterOp`.
   * When no record has the key, `defaultRecord` (with its key set to `key`) is
   * inserted first; without one that is `CINDER_ERR_TABLE_BAD_ARG`.
   * Set kinds only.
   */
  updateCounter(key: K, op: number | CounterOp, defaultRecord?: R): number {
    return this.#updateCounters('updateCounter', key, [op], defaultRecord)[0] as number
  }

  /** Several counter updates of one record at once; returns the new values in order. */
  updateCounters(key: K, ops: ReadonlyArray<number | CounterOp>, defaultRecord?: R): number[] {
    if (!Array.isArray(ops))
      throw badArg(`updateCounters expected an array of ops, got: ${describe(ops)}`)
    return this.#updateCounters('updateCounters', key, ops, defaultRecord)
  }

  #updateCounters(
    what: string,
    key: K,
    ops: ReadonlyArray<number | CounterOp>,
    defaultRecord: R | undefined,
  ): number[] {
    if (!this.#openWrite) this.#checkWrite(what)
    this.#requireSetKind(what)
    const next = this.#existingOrDefault(what, key, defaultRecord).slice()
    const results = ops.map((op) =>
      applyCounterOp(what, next, toCounterOp(what, op, next, this.keyPos)),
    )
    this.#store.insert(next as unknown as R)
    return results
  }

  #existingOrDefault(what: string, key: K, defaultRecord: R | undefined): R {
    const existing = this.#store.get(key)
    if (existing !== undefined) return existing
    if (defaultRecord === undefined) {
      throw badArg(
        `${what} expected a record with key ${describe(key)} in ${this}, or a default record`,
      )
    }
    this.#checkRecord(defaultRecord, `${what} (default record)`)
    const record = defaultRecord.slice()
    record[this.keyPos] = key
    return record as unknown as R
  }

  /**
   * Replaces elements of the record with `key`: one (`pos`, `value`) or a
   * list of `[pos, value]` pairs. The key cannot change. Returns false when
   * no record has the key. Set kinds only.
   */
  updateElement(key: K, pos: number, value: unknown): boolean
  updateElement(key: K, updates: ReadonlyArray<readonly [number, unknown]>): boolean
  updateElement(
    key: K,
    posOrUpdates: number | ReadonlyArray<readonly [number, unknown]>,
    value?: unknown,
  ): boolean {
    if (!this.#openWrite) this.#checkWrite('updateElement')
    this.#requireSetKind('updateElement')
    const updates =
      typeof posOrUpdates === 'number' ? [[posOrUpdates, value] as const] : posOrUpdates
    if (!Array.isArray(updates)) {
      throw badArg(
        `updateElement expected a position and a value, or [pos, value] pairs, got: ${describe(posOrUpdates)}`,
      )
    }
    const existing = this.#store.get(key)
    if (existing === undefined) return false
    const next = existing.slice()
    for (const update of updates) {
      if (!Array.isArray(update) || update.length !== 2) {
        throw badArg(`updateElement expected [pos, value] pairs, got: ${describe(update)}`)
      }
      checkPos('updateElement', update[0], next, this.keyPos)
      next[update[0] as number] = update[1]
    }
    this.#store.insert(next as unknown as R)
    return true
  }

  // --- ownership -----------------------------------------------------------

  /** Facts about the table. Allowed to every caller, whatever the access. */
  info(): TableInfo {
    this.#alive()
    return {
      id: this.id,
      name: this.name,
      kind: this.kind,
      keyPos: this.keyPos,
      access: this.access,
      size: this.#store.size,
      owner: this.#owner,
      heir: this.#heir,
    }
  }

  /** Sets (or clears, with undefined) the heir. Owner only. */
  setHeir(heir: Pid | undefined, data?: unknown): void {
    this.#checkOwner('setHeir')
    if (heir !== undefined && !(heir instanceof Pid)) {
      throw badArg(`setHeir expected a Pid or undefined, got: ${describe(heir)}`)
    }
    this.#heir = heir
    this.#heirData = data
  }

  /** Hands the table to a live process, which gets a `TABLE-TRANSFER` message. Owner only. */
  giveAway(pid: Pid, data?: unknown): void {
    this.#checkOwner('giveAway')
    if (!(pid instanceof Pid) || !isAlive(pid) || pid === this.#owner) {
      throw badArg(`giveAway expected a live process other than the owner, got: ${describe(pid)}`)
    }
    this.#transfer(pid, data)
  }

  /** Deletes the table: its records, its name, its owner's hook. Later use throws `CINDER_ERR_TABLE_DELETED`. */
  drop(): void {
    if (!this.#openWrite) this.#checkWrite('drop')
    this.#drop()
  }

  /** True until the table is dropped (or its owner stopped without an heir). */
  get alive(): boolean {
    return !this.#dropped
  }

  #takeOwnership(owner: Pid | undefined): void {
    this.#unwatch?.()
    this.#owner = owner
    this.#unwatch = owner === undefined ? undefined : onExit(owner, () => this.#ownerStopped())
  }

  #ownerStopped(): void {
    if (this.#dropped) return
    const heir = this.#heir
    if (heir !== undefined && heir !== this.#owner && isAlive(heir)) {
      this.#heir = undefined // as ETS: an heir inherits once
      this.#transfer(heir, this.#heirData)
    } else {
      this.#unwatch = undefined
      this.#drop()
    }
  }

  #transfer(to: Pid, data: unknown): void {
    const from = this.#owner
    this.#takeOwnership(to)
    const message: TableTransfer<R, K> = { type: 'TABLE-TRANSFER', table: this, from, data }
    send(to, message)
  }

  #drop(): void {
    if (this.#dropped) return
    this.#dropped = true
    this.#openRead = false
    this.#openWrite = false
    this.#unwatch?.()
    this.#unwatch = undefined
    if (this.name !== undefined && named.get(this.name) === (this as unknown as Table)) {
      named.delete(this.name)
    }
    this.#store.clear()
  }

  // --- checks --------------------------------------------------------------

  #alive(): void {
    if (this.#dropped) {
      throw new CinderError(
        'CINDER_ERR_TABLE_DELETED',
        `${this} was deleted (dropped, or its owner stopped without an heir)`,
      )
    }
  }

  #isOwnerCalling(): boolean {
    return currentPid() === this.#owner
  }

  #checkRead(what: string): void {
    this.#alive()
    if (this.access !== 'private' || this.#isOwnerCalling()) return
    throw this.#denied(what, 'only its owner may read or write it')
  }

  #checkWrite(what: string): void {
    this.#alive()
    if (this.access === 'public' || this.#isOwnerCalling()) return
    throw this.#denied(what, 'only its owner may write it')
  }

  #checkOwner(what: string): void {
    this.#alive()
    if (!this.#isOwnerCalling()) throw this.#denied(what, 'only its owner may do this')
  }

  #denied(what: string, rule: string): CinderError {
    const caller = currentPid()?.toString() ?? 'outside any process'
    const owner = this.#owner?.toString() ?? 'the outside (code outside any process)'
    return new CinderError(
      'CINDER_ERR_TABLE_ACCESS',
      `${what} on ${this.access} ${this}: ${rule} (owner: ${owner}); called from ${caller}`,
    )
  }

  #requireSetKind(what: string): void {
    if (this.kind !== 'set' && this.kind !== 'ordered_set') {
      throw badArg(
        `${what} expected a set or ordered_set table, got a ${this.kind} table (${this})`,
      )
    }
  }

  #checkRecord(record: unknown, what: string): void {
    checkRecord(record, what, this.keyPos, this.#ordered !== undefined)
  }

  #checkRecords(records: unknown, what: string): void {
    checkRecords(records, what, this.keyPos, this.#ordered !== undefined)
  }
}

function makeStore<R extends Row>(kind: TableKind, keyPos: number): Store<R> {
  if (kind === 'set') return new HashStore<R>(keyPos)
  return new BagStore<R>(keyPos, kind === 'duplicate_bag')
}
