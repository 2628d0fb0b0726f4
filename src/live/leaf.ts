/** Text for a value between tags that is not a template, list or component. */

import { CinderError, describe } from '../errors.ts'
import { escapeHtml, isRaw, rawHtml } from './escape.ts'

/**
 * `null`, `undefined`, `true` and `false` render nothing (so `${cond && html`…`}`
 * works); strings are escaped; numbers and bigints print; `raw()` passes through.
 */
export function leafText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return escapeHtml(value)
    case 'number':
    case 'bigint':
      return String(value)
    case 'boolean':
    case 'undefined':
      return ''
    case 'object':
      if (value === null) return ''
      if (isRaw(value)) return rawHtml(value)
  }
  throw new CinderError(
    'CINDER_ERR_LIVE_BAD_VALUE',
    `a value between tags must be a string, number, boolean, null, template, array, each(...), raw(...) or liveComponent(...), got ${describe(value)}`,
  )
}

/** Values whose identity means "unchanged": primitives, and frozen raw HTML. */
export function isStable(value: unknown): boolean {
  return (
    (typeof value !== 'object' && typeof value !== 'function') || value === null || isRaw(value)
  )
}
