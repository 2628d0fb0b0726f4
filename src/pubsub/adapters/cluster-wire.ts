/**
 * What the `cluster` adapter (in each worker) and the cluster relay (in the
 * primary) say to each other over the IPC channel of `node:cluster`.
 *
 * One IPC message is one array: `[CLUSTER_TAG, CLUSTER_WIRE_VERSION, ...ops]`,
 * where the ops are a flat run of 4-tuples `kind, pubsub, node, data`:
 *
 * | kind | direction | node | data |
 * | --- | --- | --- | --- |
 * | `j` join | worker → primary | the node joining | `''` |
 * | `l` leave | worker → primary | the node leaving | `''` |
 * | `a` joined | primary → worker | the node that joined | `''`, or why it was refused |
 * | `b` broadcast | both ways | the sending node | the frame |
 * | `d` direct | both ways | the node it is for | the frame |
| `x` exited | primary → worker | a node whose worker died | why: `worker_exit` |
 *
 * A worker that does not know a kind skips it, so `x` (added later) needs no new version.
 * The tag keeps these apart from any other IPC traffic of the application;
 * flat arrays of strings are the cheapest shape for IPC's JSON serialization,
 * and each side batches what it sends within one turn of the event loop into
 * one message per peer.
 */

/** Marks the cluster adapter's IPC messages. */
export const CLUSTER_TAG = 'cinder.cluster'
/** Bumped when the ops change; a relay ignores messages of another version. */
export const CLUSTER_WIRE_VERSION = 1

export type OpKind = 'j' | 'l' | 'a' | 'b' | 'd' | 'x'

/** The sending half of an IPC channel: a cluster `Worker`, a `ChildProcess`, or a worker's `process`. */
export interface IpcPort {
  send(message: unknown[], callback: (error: Error | null) => void): boolean
}

/** Both halves of an IPC channel, as a worker's `process` has them. */
export interface IpcChannel extends IpcPort {
  readonly connected: boolean
  on(event: 'message', listener: (message: unknown) => void): unknown
  on(event: 'disconnect', listener: () => void): unknown
  off(event: 'message', listener: (message: unknown) => void): unknown
  off(event: 'disconnect', listener: () => void): unknown
}

/**
 * The ops of `message` when it is a cluster message of this version
 * (`[kind, pubsub, node, data, kind, …]`, starting at index 2); `undefined`
 * for anything else, which belongs to someone else or to another version.
 */
export function clusterOps(message: unknown): readonly unknown[] | undefined {
  if (!Array.isArray(message) || message[0] !== CLUSTER_TAG) return undefined
  if (message[1] !== CLUSTER_WIRE_VERSION || (message.length - 2) % 4 !== 0) return undefined
  return message
}

/** Whether `message` carries the cluster tag (of any version). */
export function isClusterMessage(message: unknown): boolean {
  return Array.isArray(message) && message[0] === CLUSTER_TAG
}

/** A new outgoing message to append ops to. */
export function newMessage(): unknown[] {
  return [CLUSTER_TAG, CLUSTER_WIRE_VERSION]
}
