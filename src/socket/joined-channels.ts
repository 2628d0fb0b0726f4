/**
 * A connection's channels by topic. Nearly every connection joins one
 * channel (a LiveView page, a game room), so that one is held bare and a
 * Map only appears with the second: a Map holding one entry costs about 180
 * bytes (its hash table), a tenth of what Cinder adds per socket over raw
 * `ws`. Each channel knows its own topic, so the bare one needs no key.
 */

import type { ChannelServer } from '../channel/channel-server.ts'

export class JoinedChannels {
  #held: ChannelServer | Map<string, ChannelServer> | null = null

  get size(): number {
    const held = this.#held
    if (held === null) return 0
    return held instanceof Map ? held.size : 1
  }

  get(topic: string): ChannelServer | undefined {
    const held = this.#held
    if (held === null) return undefined
    if (held instanceof Map) return held.get(topic)
    return held.topic === topic ? held : undefined
  }

  /** Holds `channel` under its topic, replacing any channel held there. */
  set(channel: ChannelServer): void {
    const held = this.#held
    if (held instanceof Map) {
      held.set(channel.topic, channel)
    } else if (held === null || held.topic === channel.topic) {
      this.#held = channel
    } else {
      this.#held = new Map([
        [held.topic, held],
        [channel.topic, channel],
      ])
    }
  }

  delete(topic: string): void {
    const held = this.#held
    if (held instanceof Map) {
      held.delete(topic)
      if (held.size === 0) this.#held = null
    } else if (held !== null && held.topic === topic) {
      this.#held = null
    }
  }

  /** Every channel held, and none any more. */
  takeAll(): ChannelServer[] {
    const held = this.#held
    this.#held = null
    if (held === null) return []
    return held instanceof Map ? [...held.values()] : [held]
  }
}
