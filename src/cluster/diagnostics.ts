/**
 * The cluster process's complaints about what arrives: a message of another protocol version
 * (once per node), another node using this node's name (once per incarnation), malformed
 * messages (at most one line a second, with a count).
 */
import { describe } from '../errors.ts'
import { getClock } from '../process/index.ts'
import { CLUSTER_PROTOCOL_VERSION, type ClusterMessage, type Received } from './wire.ts'

const CORRUPT_LOG_INTERVAL_MS = 1000

type Log = (level: 'warn' | 'error', line: string) => void

export class Diagnostics {
  readonly #label: () => string
  readonly #log: Log
  readonly #refused = new Set<string>()
  readonly #corrupt = { lastLog: Number.NEGATIVE_INFINITY, unlogged: 0 }

  constructor(label: () => string, log: Log) {
    this.#label = label
    this.#log = log
  }

  /** Something that is not a message of this version. */
  dropped(received: Exclude<Received, { kind: 'message' }>): void {
    if (received.kind === 'version') this.#refuse(received.from, received.version)
    else this.#dropCorrupt(received.reason)
  }

  /** A message that says it comes from this node: our echo, or a namesake. */
  namesake(message: ClusterMessage, incarnation: string): void {
    if (message.t !== 'hb' || message.inc === incarnation) return
    const key = `namesake\u0000${message.inc}`
    if (this.#refused.has(key)) return
    this.#refused.add(key)
    this.#log(
      'error',
      `${this.#label()}: another node is also named ${message.from} (incarnation ${message.inc}); every node needs a name of its own`,
    )
  }

  #refuse(from: string, version: unknown): void {
    if (this.#refused.has(from)) return
    this.#refused.add(from)
    this.#log(
      'error',
      `${this.#label()}: refused ${from}: it speaks cluster protocol version ${describe(version)}, this node speaks ${CLUSTER_PROTOCOL_VERSION}; run one version across the cluster`,
    )
  }

  #dropCorrupt(reason: string): void {
    const now = getClock().now()
    if (now - this.#corrupt.lastLog < CORRUPT_LOG_INTERVAL_MS) {
      this.#corrupt.unlogged++
      return
    }
    const more = this.#corrupt.unlogged > 0 ? ` (and ${this.#corrupt.unlogged} more)` : ''
    this.#corrupt.lastLog = now
    this.#corrupt.unlogged = 0
    this.#log('warn', `${this.#label()}: dropped a malformed cluster message: ${reason}${more}`)
  }
}
