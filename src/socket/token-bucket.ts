/**
 * Token buckets: `capacity` actions at once, refilled at `perSecond`. A
 * bucket is two numbers its owner keeps in its own fields (every connection
 * has one, so it gets no object of its own), and the caller passes the time
 * (`getClock().now()` or a test's), so a bucket needs no timer.
 */

/** A bucket's state: the tokens left, and when they were counted. */
export interface TokenBucket {
  tokens: number
  tokensAt: number
}

/** Takes one token if there is one; false means the action is over the limit. */
export function takeToken(
  bucket: TokenBucket,
  capacity: number,
  perSecond: number,
  now: number,
): boolean {
  if (now > bucket.tokensAt) {
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.tokensAt) / 1000) * perSecond)
    bucket.tokensAt = now
  }
  if (bucket.tokens < 1) return false
  bucket.tokens -= 1
  return true
}

/** Whether the bucket was full at the last take (its owner has kept under the rate since). */
export function wasFull(bucket: TokenBucket, capacity: number): boolean {
  return bucket.tokens >= capacity - 1
}
