/**
 * `sendAfter`: a message delivered to a process's `handleInfo` after a delay,
 * on the runtime clock. A timer belongs to its target process: it is
 * cancelled when that process stops, so a stopped tree leaves no timer behind.
 */
import { CinderError, describe } from '../errors.ts'
import { type Clock, getClock, type TimerHandle } from './clock.ts'
import type { Pid } from './pid.ts'
import { deliverInfo, disownTimer, ownTimer, type ProcessTarget, resolveTarget } from './process.ts'

/** A pending `sendAfter`; cancel it with `cancelTimer(ref)` or `ref.cancel()`. */
export class TimerRef {
  #clock: Clock | null = null
  #handle: TimerHandle = undefined
  #pid: Pid | null = null
  #due = 0

  /** @internal */
  arm(pid: Pid, message: unknown, ms: number): void {
    const clock = getClock()
    this.#clock = clock
    this.#pid = pid
    this.#due = clock.now() + ms
    this.#handle = clock.setTimeout(() => this.#fire(message), ms)
  }

  #fire(message: unknown): void {
    const pid = this.#pid
    if (pid === null) return
    this.#pid = null
    disownTimer(pid, this)
    deliverInfo(pid, message)
  }

  /** True while the timer has neither fired nor been cancelled. */
  get pending(): boolean {
    return this.#pid !== null
  }

  /** Milliseconds left before it fires, or undefined when it is no longer pending. */
  remaining(): number | undefined {
    if (this.#pid === null || this.#clock === null) return undefined
    return Math.max(0, this.#due - this.#clock.now())
  }

  /** Cancels the timer. Returns false when it already fired or was cancelled. */
  cancel(): boolean {
    const pid = this.#pid
    if (pid === null) return false
    this.#pid = null
    this.#clock?.clearTimeout(this.#handle)
    disownTimer(pid, this)
    return true
  }
}

/**
 * Delivers `message` to `target`'s `handleInfo` after `ms` milliseconds (on
 * the runtime clock). A name is resolved now: throws `CINDER_ERR_NOPROC` when
 * nobody holds it. For a pid that already stopped the timer is inert.
 */
export function sendAfter(target: ProcessTarget, message: unknown, ms: number): TimerRef {
  if (!(ms >= 0) || ms === Number.POSITIVE_INFINITY) {
    throw new CinderError(
      'CINDER_ERR_PROCESS_BAD_ARG',
      `sendAfter expects a delay in ms (a finite number >= 0); got ${describe(ms)}`,
    )
  }
  const p = resolveTarget(target, 'sendAfter')
  const ref = new TimerRef()
  if (p === null) {
    if (typeof target === 'string') {
      throw new CinderError(
        'CINDER_ERR_NOPROC',
        `sendAfter: no process is registered under the name ${describe(target)}`,
      )
    }
    return ref
  }
  if (ownTimer(p.pid, ref)) ref.arm(p.pid, message, ms)
  return ref
}

/** Cancels a `sendAfter` timer. Returns false when it already fired or was cancelled. */
export function cancelTimer(ref: TimerRef): boolean {
  return ref.cancel()
}
