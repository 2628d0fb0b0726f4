/**
 * Process identifiers and unique references.
 *
 * A `Pid` is a small opaque handle: a node name plus a number. Local pids also
 * hold a private pointer to their process while it lives, so sending to a pid
 * needs no table lookup and a dead process can be collected (the pointer is
 * cleared when it stops).
 */
import type { Proc } from './proc.ts'

let nextPid = 1
let node = 'cinder'

// Accessors for the private slot, for the process runtime only (not exported from the barrel).
let readSlot: (pid: Pid) => Proc | null
let writeSlot: (pid: Pid, proc: Proc | null) => void

/** Identifies a process: `toString()` gives `<node.id>`, e.g. `<cinder.42>`. Compare with `===` or `equals`. */
export class Pid {
  /** The number of this process on its node (unique for the node's lifetime). */
  readonly id: number
  /** The name of the node the process runs on. */
  readonly node: string
  #proc: Proc | null

  private constructor(id: number, nodeName: string, proc: Proc | null) {
    this.id = id
    this.node = nodeName
    this.#proc = proc
  }

  /** True when both name the same process (same node and id). */
  equals(other: Pid): boolean {
    return this === other || (this.id === other.id && this.node === other.node)
  }

  toString(): string {
    return `<${this.node}.${this.id}>`
  }

  toJSON(): string {
    return this.toString()
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Pid${this.toString()}`
  }

  static {
    readSlot = (pid) => pid.#proc
    writeSlot = (pid, proc) => {
      pid.#proc = proc
    }
  }

  /** @internal Creates the pid of a new local process. */
  static mint(proc: Proc | null): Pid {
    return new Pid(nextPid++, node, proc)
  }

  /**
   * @internal A pid of a process on another node (cluster/ builds them from `<node.id>`
   * strings). It has no process here: local `send` and `monitor` treat it as stopped; the
   * cluster's `send` and `monitor` reach it.
   */
  static remote(nodeName: string, id: number): Pid {
    return new Pid(id, nodeName, null)
  }

  /** @internal The pid that stands for code running outside any process: `<node.0>`. */
  static readonly outside: Pid = new Pid(0, node, null)
}

/** @internal The live process behind a local pid, or null once it stopped. */
export function procOf(pid: Pid): Proc | null {
  return readSlot(pid)
}

/** @internal Cuts a pid from its process when the process stops. */
export function detachPid(pid: Pid): void {
  writeSlot(pid, null)
}

/** The name of this node, shown in every pid (`<cinder.42>`). */
export function nodeName(): string {
  return node
}

/**
 * Renames this node (e.g. one name per node:cluster worker). Pids created
 * afterwards carry the new name; existing pids keep theirs.
 */
export function setNodeName(name: string): void {
  node = name
}

let nextRef = 1

/** A unique reference, as returned by `monitor`. Compare with `===`. */
export class Ref {
  readonly id: number

  constructor() {
    this.id = nextRef++
  }

  toString(): string {
    return `#Ref<${node}.${this.id}>`
  }

  toJSON(): string {
    return this.toString()
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString()
  }
}
