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

  /** Seconds until a token is there (0 when one is). */
  secondsUntilNext(now: number): number {
    const elapsed = Math.max(0, now - this.#at) / 1000
    const tokens = Math.min(this.capacity, this.#tokens + elapsed * this.perSecond)
    return tokens >= 1 ? 0 : (1 - tokens) / this.perSecond
  }
}

export interface RateLimit {
  /** Actions at once. */
  readonly burst: number
  /** Actions a second after the burst (0.05: one every 20 s). */
  readonly perSecond: number
}

/**
 * A token bucket per key (a user id). At most `maxKeys` buckets are kept: past that the
 * longest-kept one is dropped, so a flood of new keys costs memory only up to the bound.
 */
export class RateLimiter {
  readonly limit: RateLimit
  readonly maxKeys: number
  readonly #buckets = new Map<string, TokenBucket>()

  constructor(limit: RateLimit, maxKeys = 10_000) {
    this.limit = limit
    this.maxKeys = maxKeys
  }

  /** Takes one action for `key`; false means it is over the limit. */
  take(key: string, now: number): boolean {
    let bucket = this.#buckets.get(key)
    if (bucket === undefined) {
      bucket = new TokenBucket(this.limit.burst, this.limit.perSecond, now)
      this.#buckets.set(key, bucket)
      while (this.#buckets.size > this.maxKeys) {
        const oldest = this.#buckets.keys().next().value
        if (oldest === undefined) break
        this.#buckets.delete(oldest)
      }
    }
    return bucket.take(now)
  }

  /** Seconds until `key` may act again (rounded up; 0 when it may now). */
  waitSeconds(key: string, now: number): number {
    const bucket = this.#buckets.get(key)
    return bucket === undefined ? 0 : Math.ceil(bucket.secondsUntilNext(now))
  }
}
