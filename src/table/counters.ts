/**
 * `updateCounter`'s ops: an increment or a `CounterOp`, checked against the
 * record, then applied to a copy of it.
 */
import { describe } from '../errors.ts'
import { badArg, checkPos } from './args.ts'

/**
 * An update of a numeric element: add `incr` to element `pos`. With a
 * `threshold`, a result past it (above for positive increments, below for
 * negative ones) is replaced by `setValue`, as ETS's `update_counter` does.
 */
export interface CounterOp {
  readonly pos: number
  readonly incr: number
  readonly threshold?: number
  readonly setValue?: number
}

/** @internal The full op for `op` (a number increments the element after the key). */
export function toCounterOp(
  what: string,
  op: unknown,
  record: unknown[],
  keyPos: number,
): CounterOp {
  const full = typeof op === 'number' ? { pos: keyPos + 1, incr: op } : op
  if (typeof full !== 'object' || full === null || typeof (full as CounterOp).incr !== 'number') {
    throw badArg(
      `${what} expected an increment (a number) or { pos, incr, threshold?, setValue? }, got: ${describe(op)}`,
    )
  }
  checkPos(what, (full as CounterOp).pos, record, keyPos)
  return full as CounterOp
}

/** @internal Applies `op` to `record` (a copy); returns the new value. */
export function applyCounterOp(what: string, record: unknown[], op: CounterOp): number {
  const current = record[op.pos]
  if (typeof current !== 'number') {
    throw badArg(`${what} expected a number at position ${op.pos}, got: ${describe(current)}`)
  }
  let value = current + op.incr
  if (op.threshold !== undefined) {
    const past = op.incr >= 0 ? value > op.threshold : value < op.threshold
    if (past) value = op.setValue ?? op.threshold
  }
  record[op.pos] = value
  return value
}
