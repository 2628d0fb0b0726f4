/**
 * Broadcasts by topic on this node (made here or received from other
 * nodes), for the dashboard's PubSub page: a bounded table, so a stream of
 * one-off topics cannot grow it; past `max` topics the quietest half is
 * dropped.
 */

export interface TopicStats {
  readonly topic: string
  broadcasts: number
  /** Subscribers reached by the last broadcast. */
  subscribers: number
  /** `Date.now()` of the last broadcast. */
  last: number
}

export class TopicTraffic {
  readonly #max: number
  readonly #topics = new Map<string, TopicStats>()

  constructor(max: number) {
    this.#max = max
  }

  broadcast(topic: string, subscribers: number): void {
    const stats = this.#topics.get(topic)
    if (stats !== undefined) {
      stats.broadcasts++
      stats.subscribers = subscribers
      stats.last = Date.now()
      return
    }
    if (this.#topics.size >= this.#max) this.#prune()
    this.#topics.set(topic, { topic, broadcasts: 1, subscribers, last: Date.now() })
  }

  /** The busiest topics first. */
  top(n: number): TopicStats[] {
    return [...this.#topics.values()].sort((a, b) => b.broadcasts - a.broadcasts).slice(0, n)
  }

  #prune(): void {
    const keep = this.top(Math.floor(this.#max / 2))
    this.#topics.clear()
    for (const stats of keep) this.#topics.set(stats.topic, stats)
  }
}
