/** The view's link to its channel process and the endpoint's PubSub. */
import { type ChannelLink, type ChannelSocket, channelLink } from '../../channel/channel-socket.ts'
import type { PubSub } from '../../pubsub/index.ts'
import type { LiveHost } from '../live-view.ts'
import type { UploadRegistry } from '../uploads/upload-registry.ts'

/** The `LiveHost` of a view mounted on `socket`. */
export function hostOf(
  socket: ChannelSocket<Record<string, unknown>>,
  uploads: UploadRegistry,
): LiveHost {
  return new ChannelHost(channelLink(socket), uploads)
}

/** A `LiveHost` as one small object: methods, not closures, since every mounted view keeps one. */
class ChannelHost implements LiveHost {
  readonly #link: ChannelLink
  readonly #pubsub: PubSub
  readonly uploads: UploadRegistry
  constructor(link: ChannelLink, uploads: UploadRegistry) {
    this.#link = link
    this.#pubsub = link.pubsub
    this.uploads = uploads
  }
  deliver(message: unknown): void {
    this.#link.deliver(message)
  }
  subscribe(topic: string, subscriber: (message: unknown) => void): void {
    this.#pubsub.subscribe(topic, subscriber)
  }
  unsubscribe(topic: string, subscriber: (message: unknown) => void): void {
    this.#pubsub.unsubscribe(topic, subscriber)
  }
  broadcast(topic: string, message: unknown): void {
    this.#pubsub.broadcast(topic, message)
  }
}
