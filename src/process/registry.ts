/**
 * Registry: a local map from keys to processes, usable synchronously from
 * anywhere (the hot path of local PubSub dispatch). Entries belong to the
 * process that registered them and vanish when it stops.
 *
 * Layout: key → Map<Pid, value> plus pid → { keys, unsubscribe } so that
 * register and unregister are O(1) and a stopping process costs O(its keys).
 * One exit hook per (registry, process), installed with the first key and
 * removed with the last.
 */
import { CinderError, describe } from '../errors.ts'
import type { Pid } from './pid.ts'
import { currentPid, isAlive, onExit } from './process.ts'

/** Whether a key maps to at most one process (`unique`) or to many (`duplicate`). */
export type RegistryKeys = 'unique' | 'duplicate'

/** Options of `new Registry`. */
export interface RegistryOptions {
  readonly keys: RegistryKeys
  /** Shown in error messages. */
  readonly name?: string
}

/** One registration: the owning process and the value it stored. */
export interface RegistryEntry<V> {
  readonly pid: Pid
  readonly value: V
}

// Several values of one process under one key (duplicate registries only).
class Many<V> {
  readonly values: V[]
  constructor(values: V[]) {
    this.values = values
  }
}

interface Owner<K> {
  readonly keys: Set<K>
  readonly unsubscribe: () => void
}

/**
 * A key → process registry.
 *
 * @example
 * const rooms = new Registry<string, { players: number }>({ keys: 'unique' })
 * // inside a room process:
 * rooms.register(`room:${id}`, { players: 0 })
 * // anywhere:
 * rooms.whereis('room:7') // Pid | undefined
 */
export class Registry<K = string, V = unknown> {
  /** `unique` or `duplicate`. */
  readonly mode: RegistryKeys
  readonly name: string
  readonly #byKey = new Map<K, Map<Pid, V | Many<V>>>()
  readonly #byPid = new Map<Pid, Owner<K>>()
  #size = 0

  constructor(options: RegistryOptions) {
    if (options?.keys !== 'unique' && options?.keys !== 'duplicate') {
      throw new CinderError(
        'CINDER_ERR_PROCESS_BAD_ARG',
        `new Registry expects { keys: 'unique' | 'duplicate' }; got ${describe(options)}`,
      )
    }
    this.mode = options.keys
    this.name = options.name ?? 'registry'
  }

  /**
   * Registers `key` → `value` for `pid` (default: the current process).
   * In a unique registry a taken key throws `CINDER_ERR_NAME_TAKEN`; in a
   * duplicate registry a process may register one key several times.
   * Throws `CINDER_ERR_NOPROC` for a stopped pid.
   */
  register(key: K, value: V, pid: Pid | undefined = currentPid()): void {
    const owner = this.#owner(pid, 'register')
    let entries = this.#byKey.get(key)
    if (entries === undefined) {
      entries = new Map()
      this.#byKey.set(key, entries)
    } else if (this.mode === 'unique' && entries.size > 0) {
      const [holder] = entries.keys()
      throw new CinderError(
        'CINDER_ERR_NAME_TAKEN',
        `${this.name}: the key ${describe(key)} is already registered by ${holder}`,
      )
    }
    if (!entries.has(owner)) {
      entries.set(owner, value)
    } else {
      const held = entries.get(owner) as V | Many<V>
      if (held instanceof Many) held.values.push(value)
      else entries.set(owner, new Many([held, value]))
    }
    this.#size++
    let record = this.#byPid.get(owner)
    if (record === undefined) {
      record = { keys: new Set(), unsubscribe: onExit(owner, () => this.#forget(owner)) }
      this.#byPid.set(owner, record)
    }
    record.keys.add(key)
  }

  /** Removes every entry of `pid` (default: the current process) under `key`. Returns false if there was none. */
  unregister(key: K, pid: Pid | undefined = currentPid()): boolean {
    const owner = this.#ownerOrThrow(pid, 'unregister')
    const entries = this.#byKey.get(key)
    if (entries === undefined || !entries.has(owner)) return false
    const held = entries.get(owner)
    this.#size -= held instanceof Many ? held.values.length : 1
    entries.delete(owner)
    if (entries.size === 0) this.#byKey.delete(key)
    const record = this.#byPid.get(owner)
    if (record !== undefined) {
      record.keys.delete(key)
      if (record.keys.size === 0) {
        record.unsubscribe()
        this.#byPid.delete(owner)
      }
    }
    return true
  }

  /** Every entry under `key` (in registration order of the processes). */
  lookup(key: K): RegistryEntry<V>[] {
    const out: RegistryEntry<V>[] = []
    this.dispatch(key, (pid, value) => {
      out.push({ pid, value })
    })
    return out
  }

  /** The one process under `key` in a unique registry (the first one in a duplicate one). */
  whereis(key: K): Pid | undefined {
    const entries = this.#byKey.get(key)
    if (entries === undefined) return undefined
    for (const pid of entries.keys()) return pid
    return undefined
  }

  /**
   * Calls `fn(pid, value)` for every entry under `key`, without allocating:
   * the PubSub dispatch path. `fn` must not register or unregister this key.
   */
  dispatch(key: K, fn: (pid: Pid, value: V) => void): void {
    const entries = this.#byKey.get(key)
    if (entries === undefined) return
    for (const [pid, held] of entries) {
      if (held instanceof Many) for (const value of held.values) fn(pid, value)
      else fn(pid, held)
    }
  }

  /** The entries under `key` whose value satisfies `predicate`. */
  match(key: K, predicate: (value: V) => boolean): RegistryEntry<V>[] {
    const out: RegistryEntry<V>[] = []
    this.dispatch(key, (pid, value) => {
      if (predicate(value)) out.push({ pid, value })
    })
    return out
  }

  /** The number of entries under `key`, or in the whole registry without a key. */
  count(...key: [K?]): number {
    if (key.length === 0) return this.#size
    const entries = this.#byKey.get(key[0] as K)
    if (entries === undefined) return 0
    let n = 0
    for (const held of entries.values()) n += held instanceof Many ? held.values.length : 1
    return n
  }

  /** The keys `pid` (default: the current process) is registered under. */
  keys(pid: Pid | undefined = currentPid()): K[] {
    if (pid === undefined) return []
    const record = this.#byPid.get(pid)
    return record === undefined ? [] : [...record.keys]
  }

  /** Every key that has at least one entry. */
  allKeys(): K[] {
    return [...this.#byKey.keys()]
  }

  #owner(pid: Pid | undefined, what: string): Pid {
    const owner = this.#ownerOrThrow(pid, what)
    if (!isAlive(owner)) {
      throw new CinderError(
        'CINDER_ERR_NOPROC',
        `${this.name}.${what}: process ${owner} is not alive`,
      )
    }
    return owner
  }

  #ownerOrThrow(pid: Pid | undefined, what: string): Pid {
    if (pid === undefined) {
      throw new CinderError(
        'CINDER_ERR_NOT_IN_PROCESS',
        `${this.name}.${what} without a pid must be called from inside a process`,
      )
    }
    return pid
  }

  #forget(pid: Pid): void {
    const record = this.#byPid.get(pid)
    if (record === undefined) return
    this.#byPid.delete(pid)
    for (const key of record.keys) {
      const entries = this.#byKey.get(key)
      if (entries === undefined) continue
      const held = entries.get(pid)
      this.#size -= held instanceof Many ? held.values.length : 1
      entries.delete(pid)
      if (entries.size === 0) this.#byKey.delete(key)
    }
  }
}
