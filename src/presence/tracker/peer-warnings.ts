/**
 * What a shard tells the operator about messages it cannot use: another node with our name, a
 * node speaking another tracker protocol version (each said once), and malformed messages (at
 * most one line a second, with a count of those left unsaid). A flood of bad messages must not
 * become a flood of log lines.
 */

import { describe } from '../../errors.ts'
import { getClock } from '../../process/index.ts'
import { TRACKER_PROTOCOL_VERSION } from './envelope.ts'
import type { ReplicaRef } from './replica.ts'

const CORRUPT_LOG_INTERVAL_MS = 1000

/** What the warnings need of their shard. */
export interface WarningsSide {
  readonly topic: string
  readonly ref: ReplicaRef
  /** Names the shard in log lines. */
  readonly label: string
  log(level: 'warn' | 'error', line: string): void
}

export class PeerWarnings {
  readonly #side: WarningsSide
  readonly #said = new Set<string>()
  readonly #corrupt = { lastLog: Number.NEGATIVE_INFINITY, unlogged: 0 }

  constructor(side: WarningsSide) {
    this.#side = side
  }

  /** Our own echo is ignored; another node using our name is a misconfiguration. */
  namesake(from: ReplicaRef): void {
    if (from.vsn === this.#side.ref.vsn) return
    if (!this.#once(`namesake\u0000${from.vsn}`)) return
    this.#side.log(
      'error',
      `${this.#side.label}: ignored another node named ${from.name} (vsn ${from.vsn}); every node needs a name of its own`,
    )
  }

  /** A message in a tracker protocol version this node does not speak. */
  refuse(node: string | undefined, version: unknown): void {
    const who = node ?? 'an unnamed node'
    if (!this.#once(`${who}\u0000${String(version)}`)) return
    this.#side.log(
      'error',
      `${this.#side.label}: refused ${who}: it speaks tracker protocol version ${describe(version)}, this node speaks ${TRACKER_PROTOCOL_VERSION}; run one version across the cluster`,
    )
  }

  /** A message that does not decode. */
  corrupt(reason: string): void {
    const now = getClock().now()
    if (now - this.#corrupt.lastLog < CORRUPT_LOG_INTERVAL_MS) {
      this.#corrupt.unlogged++
      return
    }
    const more = this.#corrupt.unlogged
    this.#corrupt.lastLog = now
    this.#corrupt.unlogged = 0
    const also = more > 0 ? ` (and ${more} more since the last report)` : ''
    this.#side.log(
      'warn',
      `${this.#side.label}: dropped a malformed message on ${this.#side.topic}: ${reason}${also}`,
    )
  }

  /** Whether `key` is new (and remembers it). */
  #once(key: string): boolean {
    if (this.#said.has(key)) return false
    this.#said.add(key)
    return true
  }
}
