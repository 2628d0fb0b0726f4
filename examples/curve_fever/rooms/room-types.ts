/**
 * The shapes a room is built from: its settings, what it is started with and saves, what it
 * needs from the application, and its process state (shared by the room's modules).
 */
import type { Cluster, Payload, Presence, PubSub, Registry, TimerRef } from 'cinder'
import type { FrameEncoder, Game, GameConfig, MatchProgress, PlayerInit } from '../game/index.ts'
import type { User } from './protocol.ts'
import type { TickStats } from './tick-stats.ts'

/** How a room behaves; every field has a default (see DEFAULT_ROOM_SETTINGS). */
export interface RoomSettings {
  /** Passed to the simulation (arena, speed, targetScore …). */
  readonly game: Partial<GameConfig>
  /** Ticks between two frames while curves fly (3 → 20 Hz at 60 Hz). */
  readonly broadcastEvery: number
  /** Ticks between two frames while nothing moves (waiting, round or match over). */
  readonly idleBroadcastEvery: number
  /** How long a disconnected player keeps the seat. */
  readonly graceMs: number
  /** Pause between enough players being seated and the countdown (0: at once). */
  readonly startDelayMs: number
  /** Pause after a match before the next one starts. */
  readonly nextMatchMs: number
  /** A room without any human connection for this long closes; null keeps it forever. */
  readonly emptyCloseMs: number | null
  /** A room where only bots are left, nobody watching, closes after this long; null never. */
  readonly botsOnlyCloseMs: number | null
  readonly maxCatchUpTicks: number
  /** More crashes than this within `crashWindowMs` and the room closes instead of restarting. */
  readonly maxCrashes: number
  readonly crashWindowMs: number
  /** How long a room closed by its crash loop still tells rejoining players why. */
  readonly closedLingerMs: number
  /** Allows the crash control (development only). */
  readonly dev: boolean
}

export const DEFAULT_ROOM_SETTINGS: RoomSettings = {
  game: {},
  broadcastEvery: 3,
  idleBroadcastEvery: 30,
  graceMs: 20_000,
  startDelayMs: 0,
  nextMatchMs: 5000,
  emptyCloseMs: 120_000,
  botsOnlyCloseMs: 10_000,
  maxCatchUpTicks: 5,
  maxCrashes: 5,
  crashWindowMs: 60_000,
  closedLingerMs: 60_000,
  dev: false,
}

/** What a room is created with (the cluster supervisor's `args`). */
export interface RoomArgs {
  readonly name: string
  readonly createdBy: string | null
}

/** What survives a crash or a dead node: the room's state in the cluster's store. */
export interface SavedRoom {
  readonly seats: readonly PlayerInit[]
  /** The match under way at the last round's end, if any: a restart continues it. */
  readonly match?: MatchProgress
  /** How many times the room started, on any node (it seeds the game differently each time). */
  readonly starts: number
}

/** The room as its cluster supervisor starts it (a `ClusterChild` of these types). */
export interface RoomChild {
  readonly key: string
  readonly args: RoomArgs
  /** What the room last saved, on whichever node it ran; undefined on its first start. */
  readonly state: SavedRoom | undefined
  /** `start`, `restart` (after a crash here) or `failover` (its node went down). */
  readonly origin: 'start' | 'restart' | 'failover'
  save(state: SavedRoom): Promise<void>
}

/** A finished match, for the leaderboard. */
export interface MatchResult {
  readonly roomId: string
  readonly winner: { readonly id: string; readonly name: string; readonly bot: boolean }
  readonly scores: Readonly<Record<string, number>>
}

/** Counts the bytes a room broadcasts (the bench's bytes per player). */
export interface TrafficMeter {
  frame(bytes: number, viewers: number): void
}

/** Everything a room needs from the application around it. */
export interface RoomContext {
  readonly pubsub: PubSub
  /** Monitors players' channels on any node. */
  readonly cluster: Cluster
  /** Crash times of this node's rooms, by id (a crash loop is a node's affair). */
  readonly crashes: Map<string, number[]>
  readonly registry: Registry<string, null>
  /** Sends to every client on a channel topic (the endpoint's broadcast). */
  readonly broadcast: (topic: string, event: string, payload: Payload) => void
  readonly presence?: Presence
  readonly stats?: TickStats
  readonly meter?: TrafficMeter
  readonly onMatchOver?: (result: MatchResult) => void
  readonly settings: RoomSettings
}

export interface RoomStart {
  readonly child: RoomChild
  readonly context: RoomContext
}

export interface Conn {
  readonly user: User
  readonly role: 'player' | 'spectator'
}

export interface RoomState {
  readonly id: string
  readonly child: RoomChild
  /** What the room last saved (seats and match are kept up to date in it). */
  saved: SavedRoom
  readonly ctx: RoomContext
  readonly settings: RoomSettings
  readonly game: Game
  readonly encoder: FrameEncoder
  readonly conns: Map<string, Conn>
  readonly monitors: Map<string, string>
  readonly graceTimers: Map<string, TimerRef>
  readonly incarnation: string
  readonly name: string
  notice: string | null
  /** Clock reading at tick 0 of this schedule, and ticks run since. */
  epoch: number
  done: number
  sinceFrame: number
  startAtTick: number | null
  emptySince: number | null
  botCount: number
  listed: string
  /** The match a restarted room continues when its next match starts. */
  resume: MatchProgress | undefined
  /** Why the room closed for good (it only answers that until it stops), or null. */
  closed: string | null
}
