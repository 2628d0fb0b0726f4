/**
 * What the parts of a cluster (monitors, registry, supervisors) need from the node they run
 * on: its name, a way to reach the other nodes, and who is up. The cluster process provides it.
 */
import type { Logger } from '../process/index.ts'
import type { Outgoing } from './wire.ts'

export interface ClusterLink {
  /** This node's name (the PubSub's). */
  readonly node: string
  /** Sends to one node (dropped if it is not reachable). */
  sendTo(node: string, message: Outgoing): void
  /** Sends to every other node. */
  broadcast(message: Outgoing): void
  /** Whether `node` is up (this node included). */
  isUp(node: string): boolean
  readonly logger: Logger
}
