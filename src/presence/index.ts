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
export {
  startTracker,
  type TrackedPresence,
  Tracker,
  type TrackerDiff,
  type TrackerEntry,
  type TrackerOptions,
} from './tracker.ts'
