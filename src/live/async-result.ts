/**
 * `AsyncResult`: the state of a value loaded in the background with
 * `socket.assignAsync` (Phoenix.LiveView.AsyncResult). It starts loading,
 * then holds the value (`ok`) or why it could not be had (`failed`); a
 * reload keeps the last value while it loads, so the page need not blank out.
 *
 * ```ts
 * render: ({ org }) => html`<div>${org.match({
 *   loading: () => html`<p>Loading…</p>`,
 *   failed: (reason) => html`<p>Could not load: ${String(reason)}</p>`,
 *   ok: (o) => html`<h1>${o.name}</h1>`,
 * })}</div>`
 * ```
 */
import type { Template } from './html.ts'

/** What `match` renders in each state; a missing branch renders nothing. */
export interface AsyncBranches<T> {
  readonly loading?: () => Template | string
  readonly failed?: (reason: unknown) => Template | string
  readonly ok?: (value: T) => Template | string
}

/** A value loaded in the background: loading, then ok with a result or failed with a reason. */
export class AsyncResult<T = unknown> {
  /** Whether a load is running. */
  readonly loading: boolean
  /** Whether a value was ever loaded (it stays while a reload runs or after one failed). */
  readonly ok: boolean
  /** The last value loaded, if any. */
  readonly result: T | undefined
  /** Why the last load failed (a thrown error, or the reason of a cancel); undefined if it did not. */
  readonly failed: unknown

  private constructor(loading: boolean, ok: boolean, result: T | undefined, failed: unknown) {
    this.loading = loading
    this.ok = ok
    this.result = result
    this.failed = failed
    Object.freeze(this)
  }

  /** Loading; keeps the value of `previous`, if any. */
  static loading<T>(previous?: AsyncResult<T>): AsyncResult<T> {
    return new AsyncResult<T>(true, previous?.ok ?? false, previous?.result, undefined)
  }

  static ok<T>(value: T): AsyncResult<T> {
    return new AsyncResult<T>(false, true, value, undefined)
  }

  /** Failed with `reason`; keeps the value of `previous`, if any. */
  static failed<T>(reason: unknown, previous?: AsyncResult<T>): AsyncResult<T> {
    return new AsyncResult<T>(false, previous?.ok ?? false, previous?.result, reason ?? 'failed')
  }

  /**
   * Renders the state as Phoenix's `<.async_result>` does: `loading` while
   * loading, `failed` after a failure, else `ok` with the value.
   */
  match(branches: AsyncBranches<T>): Template | string {
    if (this.loading) return branches.loading?.() ?? ''
    if (this.failed !== undefined) return branches.failed?.(this.failed) ?? ''
    if (this.ok) return branches.ok?.(this.result as T) ?? ''
    return ''
  }
}

export function isAsyncResult(value: unknown): value is AsyncResult {
  return value instanceof AsyncResult
}
