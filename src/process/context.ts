/**
 * Which process is running, for `self()`: inside a handler and after an
 * `await` in one. A module variable covers the synchronous part; V8's
 * promise hooks carry it across awaits: a promise made while a process runs
 * is tagged with it, and the promise's reactions run with it current again.
 *
 * Why not AsyncLocalStorage: on Node 20 one active store turns on
 * async_hooks for every resource of the program (each socket write, timer
 * and tick), about 3 µs per HTTP request that never touches a process.
 * Promise hooks cost only where promises are made. The difference: a timer
 * or event callback set up inside a handler is not a message of the process
 * and no longer runs as it; send the process a message from it instead.
 */
import { promiseHooks } from 'node:v8'
import type { Proc } from './proc.ts'

const OWNER: unique symbol = Symbol('cinder.process')

type Tagged = Promise<unknown> & { [OWNER]?: Proc }

let current: Proc | null = null
/** The current process of each promise reaction running below this one (they may nest). */
const outer: (Proc | null)[] = []

promiseHooks.createHook({
  init(promise) {
    if (current !== null) (promise as Tagged)[OWNER] = current
  },
  before(promise) {
    outer.push(current)
    current = (promise as Tagged)[OWNER] ?? null
  },
  after() {
    current = outer.pop() ?? null
  },
})

/** @internal Makes `p` the current process; returns the previous one, for `leave`. */
export function enter(p: Proc): Proc | null {
  const prev = current
  current = p
  return prev
}

/** @internal Restores the current process that `enter` returned. */
export function leave(prev: Proc | null): void {
  current = prev
}

/** @internal The current process (also after an await inside a handler), or null. */
export function currentProc(): Proc | null {
  return current
}
