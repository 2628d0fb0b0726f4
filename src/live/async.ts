/**
 * Background work of a view (Phoenix's `assign_async` / `start_async`).
 *
 * A task runs outside the view's mailbox: the view goes on handling events
 * while it runs. Its outcome comes back as a message (`AsyncDone`), handled
 * in turn with the others: `assignAsync` puts an `AsyncResult` in the
 * assigns, `startAsync` calls the view's `handleAsync(name, outcome)`. A
 * task that throws is reported to the view (`failed`, `{ ok: false }`), it
 * does not crash it. Starting a task under a name (or key) that is running
 * supersedes the older one, whose outcome is dropped; `cancelAsync` and the
 * view's stop abort them (each task gets an `AbortSignal`). Nothing starts
 * during the dead render: the page shows the loading state.
 *
 * The view keeps no state for this until it starts a task.
 */
import { CinderError, describe } from '../errors.ts'
import type { MaybePromise } from '../process/behaviour.ts'
import { AsyncResult } from './async-result.ts'
import { kLive, type LiveSocket } from './live-view.ts'

/** How a `startAsync` task ended: its value, or why it failed (a throw, or a cancel's reason). */
export type AsyncOutcome<T = unknown> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: unknown }

/** @internal One running task. */
export interface AsyncTask {
  readonly kind: 'assign' | 'start'
  /** The assign keys (assign) or the name (start). */
  readonly keys: readonly string[]
  readonly controller: AbortController
  cancelled: boolean
}

/** @internal A task's outcome, sent to the view's process. */
export class AsyncDone {
  readonly socket: LiveSocket<object>
  readonly task: AsyncTask
  readonly outcome: AsyncOutcome
  constructor(socket: LiveSocket<object>, task: AsyncTask, outcome: AsyncOutcome) {
    this.socket = socket
    this.task = task
    this.outcome = outcome
  }
}

/** The reason a cancel reports when none is given (Phoenix's `{:shutdown, :cancel}`). */
export const CANCELLED = 'cancel'

const taskKey = (kind: AsyncTask['kind'], key: string) => `${kind}:${key}`

/** `socket.assignAsync`: the keys become loading now, their values arrive later. */
export function assignAsync(
  socket: LiveSocket<object>,
  keys: readonly string[],
  fn: (signal: AbortSignal) => MaybePromise<unknown>,
  reset: boolean,
): void {
  if (keys.length === 0 || keys.some((k) => typeof k !== 'string' || k === '')) {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `assignAsync expects an assign key or a list of them, got: ${describe(keys)}`,
    )
  }
  checkFn(fn, 'assignAsync')
  const assigns = socket.assigns as Record<string, unknown>
  const loading: Record<string, AsyncResult> = {}
  for (const key of keys) {
    const previous = assigns[key]
    loading[key] = AsyncResult.loading(
      !reset && previous instanceof AsyncResult ? previous : undefined,
    )
  }
  socket.assign(loading)
  if (socket.connected) start(socket, 'assign', keys, fn)
}

/** `socket.startAsync`: `fn` runs now, `handleAsync(name, outcome)` gets what it came to. */
export function startAsync(
  socket: LiveSocket<object>,
  name: string,
  fn: (signal: AbortSignal) => MaybePromise<unknown>,
): void {
  if (typeof name !== 'string' || name === '') {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `startAsync expects a name, got: ${describe(name)}`,
    )
  }
  checkFn(fn, 'startAsync')
  if (socket.connected) start(socket, 'start', [name], fn)
}

/**
 * `socket.cancelAsync(name)`: aborts the task of an assign key (which then
 * reads failed with `reason`) or of a `startAsync` name (whose `handleAsync`
 * gets `{ ok: false, reason }`). Returns whether a task was running.
 */
export function cancelAsync(socket: LiveSocket<object>, name: string, reason: unknown): boolean {
  const tasks = socket[kLive].ext?.async
  const task = tasks?.get(taskKey('assign', name)) ?? tasks?.get(taskKey('start', name))
  if (tasks === undefined || task === undefined || task.cancelled) return false
  task.cancelled = true
  task.controller.abort(reason)
  if (task.kind === 'start') {
    // handled in turn like an outcome; the task's own outcome is dropped
    socket[kLive].host?.deliver(new AsyncDone(socket, task, { ok: false, reason }))
    return true
  }
  forget(socket, task)
  failKeys(socket, task.keys, reason)
  return true
}

/** Aborts every task (the view or component stops); their outcomes are dropped. */
export function cancelAllAsync(socket: LiveSocket<object>): void {
  const tasks = socket[kLive].ext?.async
  if (tasks === undefined) return
  for (const task of tasks.values()) {
    task.cancelled = true
    if (!task.controller.signal.aborted) task.controller.abort(CANCELLED)
  }
  tasks.clear()
}

/**
 * Applies an outcome in the view's process. Returns the `startAsync` name
 * and outcome for `handleAsync`, or undefined (an assign, or a stale task).
 */
export function settleAsync(
  message: AsyncDone,
): { readonly name: string; readonly outcome: AsyncOutcome } | undefined {
  const { socket, task, outcome } = message
  const tasks = socket[kLive].ext?.async
  // Only the keys this task still owns: a newer task may have taken some.
  const keys = task.keys.filter((key) => tasks?.get(taskKey(task.kind, key)) === task)
  if (keys.length === 0) return undefined
  forget(socket, task)
  if (task.kind === 'start') return { name: keys[0] as string, outcome }
  if (!outcome.ok) {
    failKeys(socket, keys, outcome.reason)
    return undefined
  }
  const values = valuesOf(task.keys, outcome.value)
  if (values instanceof CinderError) failKeys(socket, keys, values)
  else socket.assign(Object.fromEntries(keys.map((key) => [key, values[key]])))
  return undefined
}

function start(
  socket: LiveSocket<object>,
  kind: AsyncTask['kind'],
  keys: readonly string[],
  fn: (signal: AbortSignal) => MaybePromise<unknown>,
): void {
  const live = socket[kLive]
  const host = live.host
  if (host === undefined) return
  live.ext ??= {}
  live.ext.async ??= new Map()
  const tasks = live.ext.async
  const task: AsyncTask = { kind, keys, controller: new AbortController(), cancelled: false }
  for (const key of keys) {
    const older = tasks.get(taskKey(kind, key))
    if (older !== undefined && !older.cancelled) {
      older.cancelled = true
      older.controller.abort(CANCELLED)
    }
    tasks.set(taskKey(kind, key), task)
  }
  const done = (outcome: AsyncOutcome) => {
    if (!task.cancelled) host.deliver(new AsyncDone(socket, task, outcome))
  }
  // A microtask later, so that a synchronous throw is an outcome like a rejection.
  Promise.resolve()
    .then(() => fn(task.controller.signal))
    .then(
      (value) => done({ ok: true, value }),
      (reason: unknown) => done({ ok: false, reason }),
    )
}

function forget(socket: LiveSocket<object>, task: AsyncTask): void {
  const tasks = socket[kLive].ext?.async
  for (const key of task.keys) {
    if (tasks?.get(taskKey(task.kind, key)) === task) tasks.delete(taskKey(task.kind, key))
  }
}

function failKeys(socket: LiveSocket<object>, keys: readonly string[], reason: unknown): void {
  const assigns = socket.assigns as Record<string, unknown>
  const failed: Record<string, AsyncResult> = {}
  for (const key of keys) {
    const previous = assigns[key]
    failed[key] = AsyncResult.failed(reason, previous instanceof AsyncResult ? previous : undefined)
  }
  socket.assign(failed)
}

/** One key: the value itself. Several: an object with each of them. */
function valuesOf(keys: readonly string[], value: unknown): Record<string, unknown> | CinderError {
  if (keys.length === 1) return { [keys[0] as string]: AsyncResult.ok(value) }
  const out: Record<string, unknown> = {}
  for (const key of keys) {
    if (typeof value !== 'object' || value === null || !(key in value)) {
      return new CinderError(
        'CINDER_ERR_BAD_RETURN',
        `assignAsync([${keys.map((k) => describe(k)).join(', ')}], fn): fn must resolve with an object holding each key, got: ${describe(value)}`,
      )
    }
    out[key] = AsyncResult.ok((value as Record<string, unknown>)[key])
  }
  return out
}

function checkFn(fn: unknown, operation: string): void {
  if (typeof fn !== 'function') {
    throw new CinderError(
      'CINDER_ERR_LIVE_BAD_ARG',
      `${operation} expects a function (signal) => value or promise, got: ${describe(fn)}`,
    )
  }
}
