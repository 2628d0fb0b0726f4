/**
 * The `local` adapter: one node, no server. Broadcasts reach the subscribers
 * of this PubSub only; `directBroadcast` to another node reaches nobody.
 */
import type { Adapter } from '../adapter.ts'

/** Creates the single-node adapter, the default of every PubSub. */
export function localAdapter(): Adapter {
  return {
    kind: 'local',
    multiNode: false,
    async start() {},
    broadcast() {},
    directBroadcast() {},
    async stop() {},
  }
}
