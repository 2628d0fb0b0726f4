/**
 * Decoding the `event` push of the official client (protocol notes §4.2):
 *
 *     {"type":"click","event":"inc","value":{"step":"1","value":""}}
 *     {"type":"form","event":"validate","value":"user%5Bname%5D=Jo&user%5B_unused_email%5D=",
 *      "meta":{"_target":"user[name]"},"uploads":{}}
 *     {"type":"hook","event":"ping","value":<any JSON>}
 *
 * Only `form` changes how the value reads: it is urlencoded and decoded the
 * Plug way (`a[b][c]=`, `a[]=`), then `meta` is merged in and `_target`
 * becomes a path (`"user[name]"` → `["user", "name"]`). Every other type
 * passes its value through; a value that is not an object is given as
 * `{value: …}`.
 */
import { CinderError, describe } from '../errors.ts'
import { decodeQuery, splitKey } from '../http/query.ts'
import { isRecord } from './live-session.ts'
import type { EventValue } from './live-view.ts'

/** One decoded `event` push. */
export interface LiveEvent {
  readonly type: string
  readonly event: string
  readonly value: EventValue
  /** The component the event targets (`phx-target`), if any. */
  readonly cid: number | undefined
}

export function decodeEvent(payload: unknown, maxSize: number): LiveEvent {
  if (!isRecord(payload) || typeof payload.event !== 'string' || payload.event === '') {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_EVENT',
      `an event push is {type, event, value}, with event a non-empty string; got: ${describe(payload)}`,
    )
  }
  const type = typeof payload.type === 'string' ? payload.type : 'unknown'
  const cid = typeof payload.cid === 'number' ? payload.cid : undefined
  const value = type === 'form' ? formValue(payload, maxSize) : plainValue(payload.value)
  return { type, event: payload.event, value, cid }
}

function formValue(payload: Record<string, unknown>, maxSize: number): EventValue {
  const { value, meta } = payload
  if (typeof value !== 'string') {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_EVENT',
      `a form event's value is an urlencoded string; got: ${describe(value)}`,
    )
  }
  if (value.length > maxSize) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_EVENT',
      `the form event ${describe(payload.event)} carries ${value.length} bytes, more than maxEventSize (${maxSize})`,
    )
  }
  const params: EventValue = decodeQuery(value)
  if (isRecord(meta)) Object.assign(params, meta)
  if (typeof params._target === 'string') params._target = splitKey(params._target)
  return params
}

function plainValue(value: unknown): EventValue {
  return isRecord(value) ? value : { value }
}

/**
 * Whether the user has touched the field `name` of a form event (the client
 * sends `_unused_<field>` for those not typed into yet): show a field's errors
 * only once it is used.
 *
 * ```ts
 * usedInput(value.user, 'name')   // for user[name]
 * ```
 */
export function usedInput(params: unknown, name: string): boolean {
  if (!isRecord(params)) return false
  return name in params && !(`_unused_${name}` in params)
}
