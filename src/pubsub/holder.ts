/**
 * The process that holds a PubSub in a supervision tree (`pubsub.childSpec()`):
 * it starts the adapter when the tree starts and stops it when the tree
 * stops. The PubSub itself is not a process: subscriptions and delivery do
 * not go through the holder, so a holder killed without its `terminate`
 * leaves delivery running, and its restart adopts the running PubSub.
 */
import type { Behaviour, ChildSpec } from '../process/index.ts'
import { spawn } from '../process/index.ts'
import type { PubSub } from './pubsub.ts'

const holder: Behaviour<PubSub, PubSub> = {
  async init(pubsub) {
    if (pubsub.state === 'new') await pubsub.start()
    return pubsub
  },
  async terminate(_reason, pubsub) {
    await pubsub.stop()
  },
}

/** The child spec of a PubSub (see `PubSub.childSpec`). */
export function pubsubChildSpec(pubsub: PubSub, id: string): ChildSpec {
  return {
    id,
    start: () => spawn({ ...holder, name: `pubsub ${pubsub.name}` }, pubsub, { link: true }),
  }
}
