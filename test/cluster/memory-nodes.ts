// Several cluster nodes in one process on a memory bus (the unit tests of cluster/), and a
// probe process that runs functions inside a process and keeps what it receives.
import {
  type Cluster,
  type ClusterOptions,
  type NodeEvent,
  startCluster,
} from '../../src/cluster/index.ts'
import { type Behaviour, call, noreply, type Pid, reply, spawn } from '../../src/process/index.ts'
import {
  type ClusterRelay,
  createMemoryBus,
  type IpcChannel,
  type IpcPort,
  type MemoryBus,
  type PubSub,
  startPubSub,
} from '../../src/pubsub/index.ts'
import { Lines } from '../presence/support.ts'

export const FAST = { heartbeatInterval: 100, downAfter: 500 } as const

export interface MemoryNode {
  readonly name: string
  readonly pubsub: PubSub
  readonly cluster: Cluster
  readonly events: NodeEvent[]
  readonly log: Lines
  stop(): Promise<void>
}

let clusters = 0

/** Nodes on one memory bus, under a unique PubSub name. */
export class MemoryNodes {
  readonly bus: MemoryBus = createMemoryBus()
  readonly pubsubName = `cluster-test-${process.pid}-${++clusters}`
  readonly nodes: MemoryNode[] = []

  async node(name: string, options: Partial<ClusterOptions> = {}): Promise<MemoryNode> {
    const log = new Lines()
    const pubsub = await startPubSub({
      name: this.pubsubName,
      node: name,
      adapter: this.bus.adapter(),
      logger: log,
    })
    const cluster = await startCluster({ pubsub, ...FAST, logger: log, ...options })
    const events: NodeEvent[] = []
    cluster.onNodeEvent((event) => events.push(event))
    const node: MemoryNode = {
      name,
      pubsub,
      cluster,
      events,
      log,
      async stop() {
        await cluster.stop()
        await pubsub.stop()
      },
    }
    this.nodes.push(node)
    return node
  }

  async stop(): Promise<void> {
    for (const node of this.nodes.splice(0)) await node.stop()
  }
}

/** `node` events as `up:n2:joined` strings. */
export function described(events: readonly NodeEvent[]): string[] {
  return events.map((e) => `${e.type}:${e.node}:${e.reason}`)
}

interface ProbeState {
  readonly inbox: unknown[]
}

const probeBehaviour: Behaviour<ProbeState, ProbeState, () => unknown> = {
  name: 'probe',
  init: (state) => state,
  handleCall: (run, _from, state) => reply(run(), state),
  handleInfo(message, state) {
    state.inbox.push(message)
    return noreply(state)
  },
}

/** A process that runs functions inside itself (`run`) and keeps every message it gets. */
export interface Probe {
  readonly pid: Pid
  readonly inbox: unknown[]
  run<T>(fn: () => T): Promise<T>
}

export async function probe(): Promise<Probe> {
  const inbox: unknown[] = []
  const pid = await spawn(probeBehaviour, { inbox })
  return { pid, inbox, run: (fn) => call(pid, fn) as Promise<never> }
}

/**
 * An in-process stand-in for a worker's IPC channel, wired to `relay` as `installClusterRelay`
 * wires real ones; `port` is what the relay knows the worker by (`relay.remove(port)`: it died).
 */
export function relayedChannel(relay: ClusterRelay): IpcChannel & { port: IpcPort } {
  const listeners = new Set<(message: unknown) => void>()
  const port: IpcPort = {
    send(message, callback) {
      for (const listener of listeners) listener(message)
      callback(null)
      return true
    },
  }
  return {
    port,
    connected: true,
    send(message, callback) {
      queueMicrotask(() => relay.receive(port, message))
      callback(null)
      return true
    },
    on(event: string, listener: (message: unknown) => void) {
      if (event === 'message') listeners.add(listener)
      return this
    },
    off(event: string, listener: (message: unknown) => void) {
      if (event === 'message') listeners.delete(listener)
      return this
    },
  }
}
