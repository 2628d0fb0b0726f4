/** A token bucket: `capacity` actions at once, refilled at `perSecond`. Time comes from outside. */
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

  /** Takes one token if there is one; false means the action is over the limit. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.#at) / 1000
    this.#tokens = Math.min(this.capacity, this.#tokens + elapsed * this.perSecond)
    this.#at = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }
}
