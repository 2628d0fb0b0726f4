/**
 * Lists in templates. A plain array renders as a comprehension keyed by position;
 * `each` adds keys, so that entries that move are sent as moves (`"km"`) and not
 * re-rendered:
 *
 * ```ts
 * html`<ul>${each(todos, (t) => t.id, (t) => html`<li>${t.title}</li>`)}</ul>`
 * ```
 */

import { CinderError, describe } from '../errors.ts'
import { isLiveStream, type LiveStream, type StreamInsert } from './stream.ts'

const LIST: unique symbol = Symbol('cinder.list')

/** What `each` returns: the entries of a comprehension and their keys. */
export interface List {
  readonly [LIST]: true
  /** null: keyed by position. */
  readonly keys: readonly unknown[] | null
  readonly items: readonly unknown[]
}

export function isList(value: unknown): value is List {
  return typeof value === 'object' && value !== null && LIST in value
}

const STREAM_LIST: unique symbol = Symbol('cinder.streamList')

/** What `each(stream, render)` returns: the pending operations of a stream, rendered. */
export interface StreamList {
  readonly [STREAM_LIST]: true
  readonly ref: string
  readonly inserts: readonly Omit<StreamInsert<unknown>, 'item'>[]
  readonly items: readonly unknown[]
  readonly deletes: readonly string[]
  readonly reset: boolean
}

export function isStreamList(value: unknown): value is StreamList {
  return typeof value === 'object' && value !== null && STREAM_LIST in value
}

/**
 * Renders the pending inserts of a stream; each must render one element whose
 * `id` is the `domId` it is given.
 */
export function each<T>(
  stream: LiveStream<T>,
  render: (item: T, domId: string) => unknown,
): StreamList
/** Renders `items` through `render`, keyed by position. */
export function each<T>(items: Iterable<T>, render: (item: T, index: number) => unknown): List
/** Renders `items` through `render`, keyed by `key` (unique within the list). */
export function each<T>(
  items: Iterable<T>,
  key: (item: T, index: number) => unknown,
  render: (item: T, index: number) => unknown,
): List
export function each<T>(
  items: Iterable<T> | LiveStream<T>,
  keyOrRender: (item: T, second: never) => unknown,
  render?: (item: T, index: number) => unknown,
): List | StreamList {
  if (typeof keyOrRender !== 'function' || (render !== undefined && typeof render !== 'function')) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_VALUE',
      `each(items, render) or each(items, key, render) expects functions, got ${describe(keyOrRender)}`,
    )
  }
  if (isLiveStream(items)) return streamList(items as LiveStream<T>, keyOrRender)
  const call = keyOrRender as (item: T, index: number) => unknown
  const keyFn = render === undefined ? undefined : call
  const renderFn = render ?? call
  const keys: unknown[] | null = keyFn === undefined ? null : []
  const out: unknown[] = []
  let index = 0
  for (const item of items as Iterable<T>) {
    keys?.push(keyFn?.(item, index))
    out.push(renderFn(item, index))
    index++
  }
  return { [LIST]: true, keys, items: out }
}

function streamList<T>(
  stream: LiveStream<T>,
  render: (item: T, domId: never) => unknown,
): StreamList {
  return {
    [STREAM_LIST]: true,
    ref: stream.ref,
    inserts: stream.inserts.map(({ domId, at, limit, updateOnly }) => ({
      domId,
      at,
      limit,
      updateOnly,
    })),
    items: stream.inserts.map(({ item, domId }) => render(item, domId as never)),
    deletes: [...stream.deletes],
    reset: stream.resetting,
  }
}
