/**
 * Log lines about what arrives on the link and is not for this node: frames
 * of another protocol version (once per peer) and corrupt or foreign data
 * (at most one line a second, with a count of the rest).
 */
import { describe } from '../errors.ts'
import type { Logger } from '../logger.ts'

const CORRUPT_LOG_INTERVAL_MS = 1000

export class ForeignFrames {
  readonly #prefix: () => string
  readonly #logger: () => Logger
  readonly #kind: () => string
  readonly #refusedPeers = new Set<string>()
  readonly #corrupt = { lastLog: Number.NEGATIVE_INFINITY, unlogged: 0 }

  constructor(prefix: () => string, logger: () => Logger, kind: () => string) {
    this.#prefix = prefix
    this.#logger = logger
    this.#kind = kind
  }

  refuse(origin: string, version: unknown): void {
    if (this.#refusedPeers.has(origin)) return
    this.#refusedPeers.add(origin)
    this.#logger().error(
      `${this.#prefix()} refused messages from node ${describe(origin)}: it speaks cinder.pubsub protocol version ${describe(version)}, this node speaks version 1; run the same Cinder version on every node (logged once per node)`,
    )
  }

  dropCorrupt(reason: string, data: string | Uint8Array): void {
    const now = performance.now()
    if (now - this.#corrupt.lastLog < CORRUPT_LOG_INTERVAL_MS) {
      this.#corrupt.unlogged++
      return
    }
    const more =
      this.#corrupt.unlogged > 0
        ? ` (and ${this.#corrupt.unlogged} more since the last report)`
        : ''
    this.#corrupt.lastLog = now
    this.#corrupt.unlogged = 0
    const sample = typeof data === 'string' ? data : Buffer.from(data).toString('utf8')
    this.#logger().warn(
      `${this.#prefix()} dropped a message from the ${this.#kind()} link that is not a cinder.pubsub frame (${reason}): ${describe(sample.slice(0, 80))}${more}`,
    )
  }
}
