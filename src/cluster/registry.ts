/**
 * The cluster-wide registry (in the spirit of Erlang's `:global`): a name maps to one process
 * in the whole cluster.
 *
 * How it works:
 * - Every node holds the whole table; each entry belongs to the node of its process, which
 *   alone adds or removes it and tells the others (`reg`, `unreg`, numbered per node).
 * - `register` refuses a name this node knows to be taken. Two nodes may still take one name
 *   at once, or while a partition hides them from each other; when they meet, the
 *   registration with the lowest (timestamp, node, pid) wins on every node alike, and the
 *   loser's node gives its process an exit signal `{ shutdown: 'name_conflict', name, winner }`
 *   (stopped, or told as an EXIT message if it traps exits).
 * - A node that goes down (any reason) takes its names with it: they are free at once.
 * - Anti-entropy: each heartbeat carries the sender's change counter; a node whose view of a
 *   peer lags (a message lost, a partition, a peer back from a false down) asks it for its
 *   whole list of registrations (`syncreq` / `sync`), which replaces what it had of that peer.
 */
import { CinderError, describe } from '../errors.ts'
import { currentPid, exit, isAlive, onExit, Pid } from '../process/index.ts'
import type { ClusterLink } from './link.ts'
import { isLocal, toPid } from './pids.ts'
import type { ClusterMessage, WireEntry } from './wire.ts'

/** One registration, as `entries()` lists it. */
export interface RegisteredName {
  readonly name: string
  readonly pid: Pid
  readonly node: string
}

interface Entry extends WireEntry {
  /** The Pid, built once (the process itself when it runs here). */
  readonly process: Pid
}

/** The exit reason a process gets when it loses its name to an earlier registration. */
export interface NameConflict {
  readonly shutdown: 'name_conflict'
  readonly name: string
  /** The winning process, as `<node.id>`. */
  readonly winner: string
}

/** Which of two registrations of one name wins: the earliest, then the lower node, then pid. */
export function precedes(a: WireEntry, b: WireEntry): boolean {
  if (a.ts !== b.ts) return a.ts < b.ts
  if (a.node !== b.node) return a.node < b.node
  return a.pid < b.pid
}

/** The registry of one node. Reached as `cluster.registry`. */
export class ClusterRegistry {
  readonly #link: ClusterLink
  readonly #table = new Map<string, Entry>()
  /** This node's registered processes: their names and exit hooks. */
  readonly #own = new Map<Pid, { readonly names: Set<string>; readonly off: () => void }>()
  /** This node's change counter, sent with each change and in heartbeats. */
  #seq = 0
  /** Per peer, the counter of its last change applied here in order. */
  readonly #seen = new Map<string, number>()
  #running = true

  /** @internal Built by the cluster. */
  constructor(link: ClusterLink) {
    this.#link = link
  }

  /**
   * Registers `pid` (default: the calling process; a process of this node) under `name` across
   * the cluster. Throws CINDER_ERR_CLUSTER_NAME_TAKEN when a registration of `name` is known
   * here; the name is freed when the process stops or its node goes down.
   */
  register(name: string, pid: Pid | undefined = currentPid()): void {
    this.#assertRunning()
    checkName(name)
    if (!(pid instanceof Pid) || !isLocal(pid) || !isAlive(pid)) {
      throw new CinderError(
        'CINDER_ERR_CLUSTER_BAD_ARG',
        `expected a live process of this node to register as ${describe(name)}, got ${describe(pid)}`,
      )
    }
    const holder = this.#table.get(name)
    if (holder !== undefined) {
      throw new CinderError(
        'CINDER_ERR_CLUSTER_NAME_TAKEN',
        `the name ${describe(name)} is already registered in the cluster by ${holder.pid} on ${holder.node}`,
      )
    }
    const entry: Entry = {
      name,
      pid: String(pid),
      node: this.#link.node,
      ts: Date.now(),
      process: pid,
    }
    this.#table.set(name, entry)
    this.#hook(pid, name)
    this.#link.broadcast({ t: 'reg', seq: ++this.#seq, entry: wire(entry) })
  }

  /** Removes `name` if this node registered it. Returns false otherwise. */
  unregister(name: string): boolean {
    const entry = this.#table.get(name)
    if (entry === undefined || entry.node !== this.#link.node) return false
    this.#removeOwn(entry)
    return true
  }

  /** The process registered under `name`, on any node, or undefined. */
  whereis(name: string): Pid | undefined {
    return this.#table.get(name)?.process
  }

  /** Every registered name, sorted. */
  registered(): string[] {
    return [...this.#table.keys()].sort()
  }

  /** Every registration, sorted by name. */
  entries(): RegisteredName[] {
    return [...this.#table.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map(({ name, process, node }) => ({ name, pid: process, node }))
  }

  /** @internal This node's change counter, for heartbeats. */
  get seq(): number {
    return this.#seq
  }

  /** @internal Handles registry messages; false for other messages. */
  receive(message: ClusterMessage): boolean {
    switch (message.t) {
      case 'reg':
        if (message.entry.node === message.from) this.#merge(message.entry)
        this.#applied(message.from, message.seq)
        return true
      case 'unreg': {
        const entry = this.#table.get(message.name)
        if (entry?.node === message.from && entry.pid === message.pid) {
          this.#table.delete(message.name)
        }
        this.#applied(message.from, message.seq)
        return true
      }
      case 'syncreq':
        this.#link.sendTo(message.from, { t: 'sync', seq: this.#seq, entries: this.#ownEntries() })
        return true
      case 'sync':
        this.#replace(message.from, message.entries)
        this.#seen.set(message.from, message.seq)
        return true
      default:
        return false
    }
  }

  /** @internal A heartbeat of `node` with its counter: ask for its list if ours lags. */
  heartbeat(node: string, seq: number | undefined): void {
    if (seq !== undefined && this.#seen.get(node) !== seq) this.#askSync(node)
  }

  /** @internal `node` came up (new, or back from a timeout): learn its registrations. */
  nodeUp(node: string): void {
    this.#seen.delete(node)
    this.#askSync(node)
  }

  /** @internal `node` went down: its names are free. */
  nodeDown(node: string): void {
    this.#seen.delete(node)
    for (const [name, entry] of this.#table) if (entry.node === node) this.#table.delete(name)
  }

  /** @internal The cluster stops: forget everything (the others free this node's names). */
  clear(): void {
    this.#running = false
    for (const { off } of this.#own.values()) off()
    this.#own.clear()
    this.#table.clear()
    this.#seen.clear()
  }

  #applied(from: string, seq: number): void {
    const seen = this.#seen.get(from)
    if (seen !== undefined && seq === seen + 1) this.#seen.set(from, seq)
    else if (seen === undefined || seq > seen) this.#askSync(from) // a gap: get the whole list
  }

  #askSync(node: string): void {
    if (this.#link.isUp(node)) this.#link.sendTo(node, { t: 'syncreq' })
  }

  /** A peer's whole list replaces what this node had of it. */
  #replace(from: string, entries: readonly WireEntry[]): void {
    const listed = new Set(entries.map((e) => `${e.name}\u0000${e.pid}`))
    for (const [name, entry] of this.#table) {
      if (entry.node === from && !listed.has(`${name}\u0000${entry.pid}`)) this.#table.delete(name)
    }
    for (const entry of entries) if (entry.node === from) this.#merge(entry)
  }

  /** Adds a peer's registration; a conflict keeps the earlier one, and the loser's node acts. */
  #merge(incoming: WireEntry): void {
    const current = this.#table.get(incoming.name)
    if (current !== undefined && current.node === incoming.node) {
      // Its owner's word: one entry per name per node, the latest it sent.
      if (current.pid !== incoming.pid) this.#table.set(incoming.name, entry(incoming))
      return
    }
    // Otherwise the earlier stays; the later one's node learns of it (a `reg`, or a sync).
    if (current !== undefined && !precedes(incoming, current)) return
    this.#table.set(incoming.name, entry(incoming))
    if (current?.node === this.#link.node) this.#lose(current, incoming)
  }

  /** This node's process lost `name` to `winner`: it is told, and the others learn of it. */
  #lose(loser: Entry, winner: WireEntry): void {
    this.#unhook(loser.process, loser.name)
    this.#link.broadcast({ t: 'unreg', seq: ++this.#seq, name: loser.name, pid: loser.pid })
    this.#link.logger.warn(
      `cluster registry on ${this.#link.node}: ${loser.pid} lost the name ${describe(loser.name)} to ${winner.pid} on ${winner.node}, registered earlier; it gets an exit signal`,
    )
    const reason: NameConflict = { shutdown: 'name_conflict', name: loser.name, winner: winner.pid }
    exit(loser.process, reason)
  }

  #removeOwn(entry: Entry): void {
    this.#table.delete(entry.name)
    this.#unhook(entry.process, entry.name)
    if (this.#running) {
      this.#link.broadcast({ t: 'unreg', seq: ++this.#seq, name: entry.name, pid: entry.pid })
    }
  }

  #hook(pid: Pid, name: string): void {
    const own = this.#own.get(pid)
    if (own !== undefined) {
      own.names.add(name)
      return
    }
    const names = new Set([name])
    const off = onExit(pid, () => {
      this.#own.delete(pid)
      for (const held of names) {
        const entry = this.#table.get(held)
        if (entry?.process === pid) this.#removeOwn(entry)
      }
    })
    this.#own.set(pid, { names, off })
  }

  #unhook(pid: Pid, name: string): void {
    const own = this.#own.get(pid)
    if (own === undefined) return
    own.names.delete(name)
    if (own.names.size > 0) return
    own.off()
    this.#own.delete(pid)
  }

  #ownEntries(): WireEntry[] {
    const node = this.#link.node
    return [...this.#table.values()].filter((e) => e.node === node).map(wire)
  }

  #assertRunning(): void {
    if (!this.#running) {
      throw new CinderError(
        'CINDER_ERR_CLUSTER_NOT_RUNNING',
        'expected a running cluster to register a name, got one that is stopped',
      )
    }
  }
}

function entry(wire: WireEntry): Entry {
  return { ...wire, process: toPid(wire.pid) }
}

function wire(entry: Entry): WireEntry {
  return { name: entry.name, pid: entry.pid, node: entry.node, ts: entry.ts }
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') {
    throw new CinderError(
      'CINDER_ERR_CLUSTER_BAD_ARG',
      `expected a non-empty string as the name to register, got ${describe(name)}`,
    )
  }
}
