/**
 * Log lines a client causes (a malformed frame, an unmatched topic, a flood),
 * rate-limited per connection: a client cannot write the server's log for
 * it. Lines past the budget are counted and the count rides on the next line
 * let through.
 */
import type { Logger } from '../logger.ts'

const MINUTE = 60_000

export class ClientLog {
  readonly #logger: Logger
  readonly #perMinute: number
  #windowStart = Number.NEGATIVE_INFINITY
  #lines = 0
  #suppressed = 0

  constructor(logger: Logger, perMinute: number) {
    this.#logger = logger
    this.#perMinute = perMinute
  }

  /** Writes `line()` unless this connection used its budget this minute. */
  warn(now: number, line: () => string): void {
    if (now - this.#windowStart >= MINUTE) {
      this.#windowStart = now
      this.#lines = 0
    }
    if (this.#lines >= this.#perMinute) {
      this.#suppressed++
      return
    }
    this.#lines++
    const suppressed = this.#suppressed
    this.#suppressed = 0
    this.#logger.warn(
      suppressed === 0
        ? line()
        : `${line()} (${suppressed} more lines from this connection were not logged)`,
    )
  }
}
