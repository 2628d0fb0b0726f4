/**
 * Streams: lists the server does not keep. Items are rendered once when inserted,
 * sent as a comprehension with a `"stream"` annotation, and forgotten; the client
 * keeps them in the DOM (`phx-update="stream"`), and deletes or moves them by DOM id.
 *
 * `LiveStream` is the pure op queue of one stream: the view calls `insert`,
 * `delete` and `reset`; the renderer sends what is pending; the view calls
 * `prune()` once that diff went out.
 *
 * ```ts
 * const messages = new LiveStream<Msg>('0', { domId: (m) => `messages-${m.id}` })
 * messages.reset(initial)
 * html`<ul id="messages" phx-update="stream">
 *   ${each(messages, (m, id) => html`<li id=${id}>${m.body}</li>`)}</ul>`
 * ```
 */

import { CinderError, describe } from '../errors.ts'

const STREAM: unique symbol = Symbol('cinder.stream')

export interface StreamInsert<T> {
  readonly domId: string
  readonly item: T
  /** -1 appends, 0 prepends, n inserts at index n. */
  readonly at: number
  /** Keep the first n (n > 0) or the last |n| (n < 0) children; null: no limit. */
  readonly limit: number | null
  /** true: only update an element already in the DOM. null for the initial items. */
  readonly updateOnly: boolean | null
}

export interface InsertOptions {
  at?: number
  limit?: number | null
  updateOnly?: boolean
}

/** A stream of items the client keeps and the server forgets (`socket.stream`, docs/liveview.md). */
export class LiveStream<T> {
  readonly [STREAM] = true as const
  /** The stream's id within its view (`"0"`, `"1"`, or `"<cid>-<n>"` in a component). */
  readonly ref: string
  readonly #domId: (item: T) => string
  #inserts: StreamInsert<T>[] = []
  #deletes: string[] = []
  #reset = false

  constructor(ref: string, options: { domId: (item: T) => string }) {
    if (typeof ref !== 'string' || typeof options?.domId !== 'function') {
      throw new CinderError(
        'CINDER_ERR_LIVE_BAD_VALUE',
        `new LiveStream(ref, { domId }) expects a string ref and a domId function, got ${describe(ref)}`,
      )
    }
    this.ref = ref
    this.#domId = options.domId
  }

  /** Inserts (or updates, if its DOM id is on the page) one item. */
  insert(item: T, options: InsertOptions = {}): this {
    return this.#push(item, options.at ?? -1, options.limit ?? null, options.updateOnly ?? false)
  }

  /** Inserts many items, like the items given to Phoenix's `stream/4`. */
  insertMany(items: Iterable<T>, options: { at?: number; limit?: number | null } = {}): this {
    for (const item of items) this.#push(item, options.at ?? -1, options.limit ?? null, null)
    return this
  }

  /** Removes an item (or a DOM id) from the page. */
  delete(itemOrDomId: T | string): this {
    const domId = typeof itemOrDomId === 'string' ? itemOrDomId : this.#domId(itemOrDomId)
    this.#inserts = this.#inserts.filter((insert) => insert.domId !== domId)
    this.#deletes.push(domId)
    return this
  }

  /** Removes every item of this stream from the page, then inserts `items`. */
  reset(items: Iterable<T> = []): this {
    this.#inserts = []
    this.#deletes = []
    this.#reset = true
    return this.insertMany(items)
  }

  get inserts(): readonly StreamInsert<T>[] {
    return this.#inserts
  }
  get deletes(): readonly string[] {
    return this.#deletes
  }
  get resetting(): boolean {
    return this.#reset
  }
  get hasPending(): boolean {
    return this.#inserts.length > 0 || this.#deletes.length > 0 || this.#reset
  }

  /** Forgets the pending operations: call once the diff carrying them was sent. */
  prune(): void {
    this.#inserts = []
    this.#deletes = []
    this.#reset = false
  }

  #push(item: T, at: number, limit: number | null, updateOnly: boolean | null): this {
    const domId = this.#domId(item)
    if (typeof domId !== 'string' || domId === '') {
      throw new CinderError(
        'CINDER_ERR_LIVE_BAD_VALUE',
        `a stream's domId function must return a non-empty string, got ${describe(domId)}`,
      )
    }
    // a second insert of the same item before a render wins over the first
    this.#inserts = this.#inserts.filter((insert) => insert.domId !== domId)
    this.#inserts.push({ domId, item, at, limit, updateOnly })
    return this
  }
}

export function isLiveStream(value: unknown): value is LiveStream<unknown> {
  return typeof value === 'object' && value !== null && STREAM in value
}
