// Public API of presence/ (re-exported from src/index.ts). See docs/presence.md.
export type { TrackOwner } from './owner.ts'
export {
  createPresence,
  type MetaUpdate,
  Presence,
  type PresenceOptions,
  startPresence,
} from './presence.ts'
export type {
  PresenceDiff,
  PresenceGroup,
  PresenceMap,
  WireMeta as PresenceMeta,
} from './presence-diff.ts'
export { TRACKER_PROTOCOL_VERSION } from './tracker/envelope.ts'
export { shardTopic } from './tracker/shard.ts'
export {
  shardIndex,
  startTracker,
  type TrackedPresence,
  Tracker,
  type TrackerDiff,
  type TrackerEntry,
  type TrackerOptions,
} from './tracker.ts'
