/** What a table is created with (checked by `checkOptions`) and what it tells about itself. */
import { describe } from '../errors.ts'
import { Pid } from '../process/index.ts'
import { badArg } from './args.ts'
import type { Table } from './table.ts'
import type { Row } from './term.ts'

export type TableKind = 'set' | 'ordered_set' | 'bag' | 'duplicate_bag'
export type TableAccess = 'public' | 'protected' | 'private'

/** Options of `createTable`: kind, access, name, heir, key position and more (docs/table.md). */
export interface TableOptions {
  /** Default `'set'`. */
  readonly kind?: TableKind
  /** Index of the key in each record. Default 0. */
  readonly keyPos?: number
  /** Default `'protected'`: everyone reads, the owner writes. */
  readonly access?: TableAccess
  /** Registers the table under this name (see `whereisTable`); `CINDER_ERR_NAME_TAKEN` if taken. */
  readonly name?: string
  /** The process that takes the table over when the owner stops. */
  readonly heir?: Pid
  /** Sent to the heir in the `TABLE-TRANSFER` message. */
  readonly heirData?: unknown
}

export interface TableInfo {
  readonly id: number
  readonly name: string | undefined
  readonly kind: TableKind
  readonly keyPos: number
  readonly access: TableAccess
  readonly size: number
  /** The owning process, or undefined when the outside owns the table. */
  readonly owner: Pid | undefined
  readonly heir: Pid | undefined
}

/** Sent to a process's `handleInfo` when it inherits a table or is given one (`giveAway`). */
export interface TableTransfer<R extends Row = Row, K = R[0]> {
  readonly type: 'TABLE-TRANSFER'
  readonly table: Table<R, K>
  /** The previous owner (undefined when that was the outside). */
  readonly from: Pid | undefined
  /** `heirData`, or the data passed to `giveAway`. */
  readonly data: unknown
}

const KINDS: readonly TableKind[] = ['set', 'ordered_set', 'bag', 'duplicate_bag']
const ACCESSES: readonly TableAccess[] = ['public', 'protected', 'private']

/** @internal Throws `CINDER_ERR_TABLE_BAD_ARG` for options `createTable` cannot take. */
export function checkOptions(options: unknown): asserts options is TableOptions {
  if (typeof options !== 'object' || options === null) {
    throw badArg(`createTable expected an options object, got: ${describe(options)}`)
  }
  const o = options as Record<string, unknown>
  const fail = (field: string, expected: string): never => {
    throw badArg(`createTable option ${field} expected ${expected}, got: ${describe(o[field])}`)
  }
  if (o.kind !== undefined && !KINDS.includes(o.kind as TableKind)) fail('kind', KINDS.join(' | '))
  if (o.keyPos !== undefined && !(Number.isInteger(o.keyPos) && (o.keyPos as number) >= 0)) {
    fail('keyPos', 'an integer >= 0')
  }
  if (o.access !== undefined && !ACCESSES.includes(o.access as TableAccess)) {
    fail('access', ACCESSES.join(' | '))
  }
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name === ''))
    fail('name', 'a non-empty string')
  if (o.heir !== undefined && !(o.heir instanceof Pid)) fail('heir', 'a Pid')
}
