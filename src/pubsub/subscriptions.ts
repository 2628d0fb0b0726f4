/**
 * The local subscription table of one PubSub: topic → subscriber → entry.
 *
 * Each topic holds one Map, so subscribe and unsubscribe are O(1) and a
 * broadcast walks the Map's values with no allocation per subscriber. A
 * subscriber subscribed twice to one topic (Phoenix allows it; it then gets
 * each message twice) has its first entry under its own key and every further
 * entry under the entry object itself, chained from the first by `next`, so
 * the Map's values are exactly the entries and unsubscribe finds them all.
 */

/** One subscription, as a dispatcher sees it. */
export interface SubscriberEntry<S = unknown> {
  readonly subscriber: S
  readonly metadata: unknown
}

/** A subscription as the table keeps it. */
export class Entry<S> implements SubscriberEntry<S> {
  readonly subscriber: S
  readonly metadata: unknown
  /** Order of subscription: a dispatch skips entries made while it runs. */
  readonly seq: number
  /** The same subscriber's next subscription to the same topic. */
  next: Entry<S> | undefined = undefined

  constructor(subscriber: S, metadata: unknown, seq: number) {
    this.subscriber = subscriber
    this.metadata = metadata
    this.seq = seq
  }
}

/** The subscribers of one topic. */
export type TopicEntries<S> = Map<unknown, Entry<S>>

/** Topic → entries, for subscribers of type `S`. */
export class Subscriptions<S> {
  readonly #topics = new Map<string, TopicEntries<S>>()
  #seq = 0

  /** The sequence number the next subscription will get. */
  get seq(): number {
    return this.#seq
  }

  /** Adds a subscription; returns true when it is the subscriber's first on this topic. */
  add(topic: string, subscriber: S, metadata: unknown): boolean {
    let entries = this.#topics.get(topic)
    if (entries === undefined) {
      entries = new Map()
      this.#topics.set(topic, entries)
    }
    const entry = new Entry(subscriber, metadata, this.#seq++)
    const first = entries.get(subscriber)
    if (first === undefined) {
      entries.set(subscriber, entry)
      return true
    }
    let last = first
    while (last.next !== undefined) last = last.next
    last.next = entry
    entries.set(entry, entry)
    return false
  }

  /** Removes every subscription of `subscriber` to `topic`; returns whether there was one. */
  remove(topic: string, subscriber: S): boolean {
    const entries = this.#topics.get(topic)
    const first = entries?.get(subscriber)
    if (entries === undefined || first === undefined) return false
    entries.delete(subscriber)
    for (let dup = first.next; dup !== undefined; dup = dup.next) entries.delete(dup)
    if (entries.size === 0) this.#topics.delete(topic)
    return true
  }

  /** The entries of `topic`, or undefined when it has none. Do not mutate. */
  get(topic: string): TopicEntries<S> | undefined {
    return this.#topics.get(topic)
  }

  /** The number of subscriptions to `topic`. */
  count(topic: string): number {
    return this.#topics.get(topic)?.size ?? 0
  }

  /** The number of topics with at least one subscription. */
  get topicCount(): number {
    return this.#topics.size
  }

  clear(): void {
    this.#topics.clear()
  }
}
