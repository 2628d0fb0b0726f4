/**
 * The parent's side of presence-node.ts: starts node processes, waits for their events with
 * a time limit each, and kills them all when a step fails or the run ends.
 */
import type { ChildProcess } from 'node:child_process'
import type { NodeEvent, NodeRequest } from './presence-node.ts'
import { exited, spawnBenchScript, stopChild } from './spawn.ts'

export interface NodeArgs {
  readonly node: string
  readonly pubsub: string
  readonly topic: string
  /** Presences this node tracks. */
  readonly count: number
  /** Keys every node's list holds once converged. */
  readonly expect: number
  /** Other nodes it must see before it is ready. */
  readonly peers: number
  readonly batch: number
  readonly redis: boolean
}

type EventOf<Op extends NodeEvent['op']> = Extract<NodeEvent, { op: Op }>

export class PresenceNode {
  readonly name: string
  readonly #child: ChildProcess
  readonly #events: NodeEvent[] = []
  readonly #waiters = new Set<() => void>()
  #failure: string | undefined

  private constructor(name: string, child: ChildProcess) {
    this.name = name
    this.#child = child
    child.on('message', (event: NodeEvent) => {
      if (event.op === 'failed') this.#failure = event.error
      this.#events.push(event)
      for (const wake of this.#waiters) wake()
    })
    child.once('exit', (code, signal) => {
      this.#failure ??= `${name} exited (${signal ?? code})`
      for (const wake of this.#waiters) wake()
    })
  }

  static start(args: NodeArgs): PresenceNode {
    const argv = [
      ...['--node', args.node, '--pubsub', args.pubsub, '--topic', args.topic],
      ...['--count', String(args.count), '--expect', String(args.expect)],
      ...['--peers', String(args.peers), '--batch', String(args.batch)],
      ...(args.redis ? ['--redis'] : []),
    ]
    // BENCH_PRESENCE_SCALE_PROFILE=<dir>: each node writes a V8 CPU profile there when it stops.
    const dir = process.env.BENCH_PRESENCE_SCALE_PROFILE
    const flags = dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []
    return new PresenceNode(args.node, spawnBenchScript('load/presence-node', argv, flags))
  }

  get pid(): number | undefined {
    return this.#child.pid
  }

  send(request: NodeRequest): void {
    this.#child.send(request)
  }

  /** The first event `op` not yet taken; rejects after `ms` or when the node fails. */
  async next<Op extends NodeEvent['op']>(op: Op, ms: number): Promise<EventOf<Op>> {
    const deadline = Date.now() + ms
    for (;;) {
      const at = this.#events.findIndex((e) => e.op === op)
      if (at >= 0) return this.#events.splice(at, 1)[0] as EventOf<Op>
      if (this.#failure !== undefined) throw new Error(`${this.name} failed: ${this.#failure}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`${this.name}: no ${op} within ${ms} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, left)
        function wake(): void {
          clearTimeout(timer)
          waiters.delete(wake)
          resolve()
        }
        const waiters = this.#waiters
        waiters.add(wake)
      })
    }
  }

  /** SIGKILL: the node dies without a word to its peers (no graceful permdown). */
  kill(): Promise<void> {
    this.#failure = 'killed'
    this.#child.kill('SIGKILL')
    return exited(this.#child)
  }

  /** Asks it to stop; kills it after `graceMs`. */
  stop(graceMs = 5_000): Promise<void> {
    return stopChild(this.#child, () => this.send({ op: 'stop' }), graceMs)
  }
}

/** Every node's next `op`, in parallel, each within `ms`. */
export function all<Op extends NodeEvent['op']>(
  nodes: readonly PresenceNode[],
  op: Op,
  ms: number,
): Promise<EventOf<Op>[]> {
  return Promise.all(nodes.map((node) => node.next(op, ms)))
}
