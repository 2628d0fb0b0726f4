// Helpers for the Tracker and Presence tests: several nodes in one process on a memory bus,
// a manual clock, and a way to let the bus and the processes run.

import { startTracker, type Tracker, type TrackerOptions } from '../../src/presence/index.ts'
import type { Diff } from '../../src/presence/tracker/state.ts'
import { type Clock, type Logger, setClock, TestClock } from '../../src/process/index.ts'
import {
  createMemoryBus,
  type MemoryBus,
  type PubSub,
  startPubSub,
} from '../../src/pubsub/index.ts'

/** Keeps log lines for assertions. */
export class Lines implements Logger {
  readonly lines: { level: string; text: string }[] = []
  info(text: string): void {
    this.lines.push({ level: 'info', text })
  }
  warn(text: string): void {
    this.lines.push({ level: 'warn', text })
  }
  error(text: string): void {
    this.lines.push({ level: 'error', text })
  }
  matching(pattern: RegExp): string[] {
    return this.lines.filter((l) => pattern.test(l.text)).map((l) => l.text)
  }
}

/** Lets queued bus frames, process mailboxes and immediates run. */
export async function settle(turns = 6): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve))
}

/** A manual clock installed as the runtime's clock. */
export class ManualTime {
  readonly clock = new TestClock(1_000_000)
  readonly #restore: () => void
  constructor() {
    this.#restore = setClock(this.clock as Clock)
  }
  /** Moves time by `ms` in steps of at most `step`, letting everything run after each. */
  async advance(ms: number, step = 50): Promise<void> {
    let left = ms
    while (left > 0) {
      const by = Math.min(step, left)
      this.clock.advance(by)
      left -= by
      await settle()
    }
  }
  restore(): void {
    this.#restore()
  }
}

export const FAST = {
  broadcastPeriod: 100,
  maxSilentPeriods: 3,
  downPeriod: 1_000,
  permdownPeriod: 3_000,
} as const

export interface TestNode {
  readonly name: string
  readonly pubsub: PubSub
  readonly tracker: Tracker
  readonly diffs: Diff[]
  readonly log: Lines
  stop(): Promise<void>
}

let clusters = 0

/** A cluster of trackers on one memory bus, under a unique PubSub name. */
export class TestCluster {
  readonly bus: MemoryBus = createMemoryBus()
  readonly pubsubName = `presence-test-${++clusters}`
  readonly nodes: TestNode[] = []

  async node(name: string, options: Partial<TrackerOptions> = {}): Promise<TestNode> {
    const log = new Lines()
    const pubsub = await startPubSub({
      name: this.pubsubName,
      node: name,
      adapter: this.bus.adapter(),
      logger: log,
    })
    const diffs: Diff[] = []
    const tracker = await startTracker({
      pubsub,
      ...FAST,
      logger: log,
      onDiff: (diff) => diffs.push(diff),
      ...options,
    })
    const node: TestNode = {
      name,
      pubsub,
      tracker,
      diffs,
      log,
      async stop() {
        await tracker.stop()
        await pubsub.stop()
      },
    }
    this.nodes.push(node)
    return node
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) await node.stop()
  }
}

/** `topic`'s listing on `node` as sorted "key:name" strings. */
export function listed(node: TestNode, topic: string): string[] {
  return node.tracker
    .list(topic)
    .map((p) => `${p.key}:${String(p.meta.name ?? '')}`)
    .sort()
}

/** Every left / joined key of a node's diffs, as "key:name". */
export function leftKeys(node: TestNode): string[] {
  return node.diffs.flatMap((d) => d.leaves.map((e) => `${e.key}:${String(e.meta.name ?? '')}`))
}
export function joinedKeys(node: TestNode): string[] {
  return node.diffs.flatMap((d) => d.joins.map((e) => `${e.key}:${String(e.meta.name ?? '')}`))
}
