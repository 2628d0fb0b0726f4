/**
 * The argument checks of the Table API. Each throws `CINDER_ERR_TABLE_BAD_ARG`
 * with what was expected and what came.
 */
import { CinderError, describe } from '../errors.ts'
import type { RangeBounds } from './store.ts'
import { checkOrderedKey } from './term.ts'

/** @internal */
export function badArg(message: string): CinderError {
  return new CinderError('CINDER_ERR_TABLE_BAD_ARG', message)
}

/** @internal A record: an array with a defined key at `keyPos` (an orderable one for `ordered_set`). */
export function checkRecord(record: unknown, what: string, keyPos: number, ordered: boolean): void {
  if (!Array.isArray(record) || record.length <= keyPos) {
    throw badArg(
      `${what} expected a record: an array with its key at index ${keyPos}, got: ${describe(record)}`,
    )
  }
  const key: unknown = record[keyPos]
  if (key === undefined) {
    throw badArg(
      `${what} expected a record whose key (index ${keyPos}) is not undefined, got: ${describe(record)}`,
    )
  }
  if (ordered) checkOrderedKey(key)
}

/** @internal An array of records. */
export function checkRecords(
  records: unknown,
  what: string,
  keyPos: number,
  ordered: boolean,
): void {
  if (!Array.isArray(records))
    throw badArg(`${what} expected an array of records, got: ${describe(records)}`)
  for (const record of records) checkRecord(record, what, keyPos, ordered)
}

/** @internal A position in `record` other than the key's. */
export function checkPos(
  what: string,
  pos: unknown,
  record: readonly unknown[],
  keyPos: number,
): void {
  if (typeof pos !== 'number' || !Number.isInteger(pos) || pos < 0 || pos >= record.length) {
    throw badArg(
      `${what} expected a position from 0 to ${record.length - 1}, got: ${describe(pos)}`,
    )
  }
  if (pos === keyPos) throw badArg(`${what} cannot change the key (position ${pos})`)
}

/** @internal */
export function checkBounds(bounds: RangeBounds): void {
  if (typeof bounds !== 'object' || bounds === null) {
    throw badArg(
      `range() expected bounds { gt | gte, lt | lte, reverse? }, got: ${describe(bounds)}`,
    )
  }
  if ('gt' in bounds && 'gte' in bounds) throw badArg('range() expected at most one of gt and gte')
  if ('lt' in bounds && 'lte' in bounds) throw badArg('range() expected at most one of lt and lte')
  for (const k of ['gt', 'gte', 'lt', 'lte'] as const) if (k in bounds) checkOrderedKey(bounds[k])
}
