/**
 * Work in slices: a task that can stop and resume runs until its deadline,
 * then lets the event loop serve everyone else (`setImmediate`, after I/O)
 * before it goes on. A task that finishes within its first slice returns its
 * result synchronously: no promise, no extra turn, for the common small case.
 */
import { setImmediate as nextTurn } from 'node:timers/promises'

/** A task that works in steps until `deadline` (a `performance.now()` time). */
export interface SlicedTask<T> {
  /** Works until done (true) or past `deadline` (false, to be called again later). */
  run(deadline: number): boolean
  /** The outcome, once `run` returned true. */
  readonly result: T
}

/** Most milliseconds one slice of body parsing holds the event loop (a step may overrun a little). */
export const SLICE_MS = 2

/** Runs `task` to completion, one slice per turn of the event loop. */
export function runSliced<T>(task: SlicedTask<T>, sliceMs = SLICE_MS): T | Promise<T> {
  if (task.run(performance.now() + sliceMs)) return task.result
  return rest(task, sliceMs)
}

async function rest<T>(task: SlicedTask<T>, sliceMs: number): Promise<T> {
  do await nextTurn()
  while (!task.run(performance.now() + sliceMs))
  return task.result
}
