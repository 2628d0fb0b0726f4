/**
 * Presence: who is on a topic, on every node, with no central store (a CRDT that each node
 * replicates over the PubSub). Track a channel join with `presence.track(socket, key, meta)`, or
 * any process with `presence.track(pid, topic, key, meta)`: the entry goes when the process
 * stops. Browsers follow a topic with the `phoenix` client's `Presence` class.
 */
import { createPresence, type Presence, type PubSub } from 'cinder'

export function buildPresence(pubsub: PubSub): Presence {
  return createPresence({ pubsub, name: '<%= app %>_presence' })
}

/** How many keys (users, pages…) are present on `topic`. */
export function countPresent(presence: Presence, topic: string): number {
  return Object.keys(presence.list(topic)).length
}
