/**
 * What a Presence holds, counted from its Tracker's shards: presences by
 * topic, those tracked on this node and on every node up. Read at scrape
 * time (and by the dashboard); the Tracker keeps nothing extra for it.
 */
import type { Presence } from '../presence/index.ts'
import { replicaId } from '../presence/tracker/replica.ts'

/** One topic's presences. */
export interface PresenceTopic {
  readonly topic: string
  /** Presences of every node up (a key with two tabs open counts twice). */
  all: number
  /** Those tracked on this node. */
  local: number
  /** Distinct keys (users, usually). */
  readonly keys: Set<string>
}

export interface PresenceCensus {
  readonly tracker: string
  readonly all: number
  readonly local: number
  readonly topics: Map<string, PresenceTopic>
}

/** Counts one Presence's entries; undefined while its Tracker is not running. */
export function presenceCensus(presence: Presence): PresenceCensus | undefined {
  let tracker: Presence['tracker']
  try {
    tracker = presence.tracker
  } catch {
    return undefined
  }
  const census = {
    tracker: tracker.name,
    all: 0,
    local: 0,
    topics: new Map<string, PresenceTopic>(),
  }
  for (const shard of tracker.shards) {
    if (!shard.running) continue
    const own = replicaId(shard.ref)
    for (const entry of shard.state.online()) {
      const local = entry.replica === own ? 1 : 0
      census.all++
      census.local += local
      let topic = census.topics.get(entry.topic)
      if (topic === undefined) {
        topic = { topic: entry.topic, all: 0, local: 0, keys: new Set() }
        census.topics.set(entry.topic, topic)
      }
      topic.all++
      topic.local += local
      topic.keys.add(entry.key)
    }
  }
  return census
}
