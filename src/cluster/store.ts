/**
 * `ClusterStore`: where cluster supervisors keep their children (what to start, who runs
 * it, the state it saved), outside any node's memory. Values are strings (JSON); every write
 * is conditional on the revision the writer last saw, so two nodes never both believe they
 * own a child: the revision is the fencing token.
 *
 * Implementations: Redis (`startRedisStore`), NATS JetStream key-value (`startNatsStore`),
 * and memory (`createMemoryStore`, one node or tests: it dies with the process).
 */
import { CinderError, describe } from '../errors.ts'

/** A value's version; a write names the one it replaces. Opaque, never reused for a key. */
export type Revision = string

/** One stored value. */
export interface StoredEntry {
  readonly key: string
  readonly value: string
  readonly revision: Revision
}

/**
 * A key-value store with conditional writes, in named spaces (one per cluster supervisor).
 * Methods reject with CINDER_ERR_CLUSTER_STORE when the engine fails or cannot be reached.
 */
export interface ClusterStore {
  /** A short name for log lines: `redis`, `nats`, `memory`. */
  readonly kind: string
  get(space: string, key: string): Promise<StoredEntry | undefined>
  /** Every entry of a space, in no particular order. */
  list(space: string): Promise<StoredEntry[]>
  /** Writes a new key; undefined when it exists. */
  create(space: string, key: string, value: string): Promise<Revision | undefined>
  /** Replaces the value at `revision`; undefined when the key is gone or another write came first. */
  update(
    space: string,
    key: string,
    value: string,
    revision: Revision,
  ): Promise<Revision | undefined>
  /** Removes the key (only at `revision` when given); false when it was not there (or moved on). */
  delete(space: string, key: string, revision?: Revision): Promise<boolean>
  /** Releases connections; the store is unusable afterwards. */
  close(): Promise<void>
  /**
   * Writes a value that the engine forgets after `ttl` ms, replacing any (no revision: a cache
   * entry, such as a LiveView's snapshot). Memory, Redis and NATS stores have it.
   */
  putExpiring?(space: string, key: string, value: string, ttl: number): Promise<void>
  /** Reads and removes a `putExpiring` value at once: two readers never both get it. */
  takeExpiring?(space: string, key: string): Promise<string | undefined>
}

/** The error a store rejects with when its engine fails. */
export function storeError(kind: string, what: string, err: unknown): CinderError {
  const why = err instanceof Error ? err.message : describe(err)
  return new CinderError(
    'CINDER_ERR_CLUSTER_STORE',
    `the ${kind} cluster store failed to ${what}: ${why}`,
    { cause: err },
  )
}

/** Options of `createMemoryStore`. */
export interface MemoryStoreOptions {
  /**
   * The most the expiring values (`putExpiring`) may hold, in characters (bytes, for ASCII such
   * as snapshot tokens); past it the oldest are dropped first. Default 67 108 864 (64 MiB).
   */
  readonly maxExpiringBytes?: number
}

/**
 * A store in this process's memory: for a single node, and for tests where several nodes share
 * one process. Its contents die with the process, so children do not survive the node: use
 * Redis or NATS for a cluster.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): ClusterStore {
  const spaces = new Map<string, Map<string, { value: string; revision: number }>>()
  const expiring = new ExpiringValues(options.maxExpiringBytes ?? 67_108_864)
  let revisions = 0
  let closed = false
  const space = (name: string) => {
    if (closed) throw storeError('memory', 'serve a request', 'it is closed')
    let entries = spaces.get(name)
    if (entries === undefined) {
      entries = new Map()
      spaces.set(name, entries)
    }
    return entries
  }
  const entry = (key: string, held: { value: string; revision: number }): StoredEntry => ({
    key,
    value: held.value,
    revision: String(held.revision),
  })
  return {
    kind: 'memory',
    async get(name, key) {
      const held = space(name).get(key)
      return held === undefined ? undefined : entry(key, held)
    },
    async list(name) {
      return [...space(name)].map(([key, held]) => entry(key, held))
    },
    async create(name, key, value) {
      const entries = space(name)
      if (entries.has(key)) return undefined
      entries.set(key, { value, revision: ++revisions })
      return String(revisions)
    },
    async update(name, key, value, revision) {
      const entries = space(name)
      if (String(entries.get(key)?.revision) !== revision) return undefined
      entries.set(key, { value, revision: ++revisions })
      return String(revisions)
    },
    async delete(name, key, revision) {
      const entries = space(name)
      const held = entries.get(key)
      if (held === undefined || (revision !== undefined && String(held.revision) !== revision)) {
        return false
      }
      return entries.delete(key)
    },
    async putExpiring(name, key, value, ttl) {
      space(name)
      expiring.put(`${name}\u0000${key}`, value, ttl)
    },
    async takeExpiring(name, key) {
      space(name)
      return expiring.take(`${name}\u0000${key}`)
    },
    async close() {
      closed = true
      spaces.clear()
      expiring.clear()
    },
  }
}

/**
 * Values with a deadline, at most `maxBytes` of them (the oldest written go first). The
 * expired ones are swept at most once per shortest ttl seen.
 */
class ExpiringValues {
  readonly #values = new Map<string, { value: string; deadline: number }>()
  readonly #maxBytes: number
  #bytes = 0
  #nextSweep = 0
  #interval = Number.POSITIVE_INFINITY

  constructor(maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 1) {
      throw new CinderError(
        'CINDER_ERR_CLUSTER_STORE',
        `maxExpiringBytes must be a positive integer, got: ${describe(maxBytes)}`,
      )
    }
    this.#maxBytes = maxBytes
  }

  put(key: string, value: string, ttl: number): void {
    const now = Date.now()
    this.#interval = Math.min(this.#interval, ttl)
    if (now >= this.#nextSweep) {
      for (const [held, entry] of this.#values) if (entry.deadline <= now) this.#remove(held)
      this.#nextSweep = now + this.#interval
    }
    this.#remove(key) // re-inserted last, so the map stays in write order
    this.#values.set(key, { value, deadline: now + ttl })
    this.#bytes += value.length
    for (const oldest of this.#values.keys()) {
      if (this.#bytes <= this.#maxBytes) break
      this.#remove(oldest)
    }
  }

  take(key: string): string | undefined {
    const entry = this.#values.get(key)
    if (entry === undefined) return undefined
    this.#remove(key)
    return entry.deadline > Date.now() ? entry.value : undefined
  }

  clear(): void {
    this.#values.clear()
    this.#bytes = 0
  }

  #remove(key: string): void {
    const entry = this.#values.get(key)
    if (entry === undefined) return
    this.#values.delete(key)
    this.#bytes -= entry.value.length
  }
}
