/**
 * A token bucket: `capacity` actions at once, refilled at `perSecond`. The
 * caller passes the time (`getClock().now()` or a test's), so one bucket
 * costs two numbers and no timer.
 */
export class TokenBucket {
  readonly capacity: number
  readonly perSecond: number
  #tokens: number
  #at: number

  constructor(capacity: number, perSecond: number, now: number) {
    this.capacity = capacity
    this.perSecond = perSecond
    this.#tokens = capacity
    this.#at = now
  }

  /** Whether the bucket was full at the last `take` (the caller has kept under the rate since). */
  get wasFull(): boolean {
    return this.#tokens >= this.capacity - 1
  }

  /** Takes one token if there is one; false means the action is over the limit. */
  take(now: number): boolean {
    if (now > this.#at) {
      this.#tokens = Math.min(
        this.capacity,
        this.#tokens + ((now - this.#at) / 1000) * this.perSecond,
      )
      this.#at = now
    }
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }
}
