/**
 * What travels between the game channels and the room processes. Rooms are reached through
 * PubSub topics, not pids, so a channel on any node of the cluster can play in a room on any
 * other: commands go to `cf:room:<id>`, replies come back to the asker's node only
 * (`directBroadcast`), and a room announces its (re)starts on `cf:room-life:<id>`.
 * Everything here is JSON plus bytes, so it survives the trip between nodes.
 */
import type { Pid } from 'cinder'

export const roomTopic = (id: string): string => `cf:room:${id}`
export const lifeTopic = (id: string): string => `cf:room-life:${id}`
export const gameTopic = (id: string): string => `game:${id}`
/** The Presence topic where every room lists itself (the lobby's "open games"). */
export const GAMES_TOPIC = 'cf:games'

/** Room ids: 8 lowercase letters and digits (unguessable enough for a game link). */
export const ROOM_ID = /^[a-z0-9]{8}$/

/** A signed-in user, as the session and the socket token carry it. */
export interface User {
  readonly id: string
  readonly name: string
  readonly colour: string
}

/** One channel join, as the room knows it. `pid` is a Pid only when it lives on this node. */
export interface ConnRef {
  readonly id: string
  readonly pid: Pid | string | null
}

export interface ReplyAddress {
  readonly node: string
  readonly topic: string
  readonly ref: number
}

export type RoomCommand =
  | {
      readonly t: 'join'
      readonly conn: ConnRef
      readonly user: User
      readonly spectate: boolean
      readonly replyTo: ReplyAddress
    }
  | { readonly t: 'leave'; readonly conn: string }
  | { readonly t: 'input'; readonly conn: string; readonly player: string; readonly turn: number }
  | { readonly t: 'add_bot'; readonly conn: string; readonly replyTo: ReplyAddress }
  | { readonly t: 'snapshot'; readonly replyTo: ReplyAddress }
  | { readonly t: 'crash'; readonly conn: string; readonly replyTo: ReplyAddress }
  | { readonly t: 'info'; readonly replyTo: ReplyAddress }

/** A refusal the channel passes on to the client as is. */
export interface RoomRefusal {
  readonly ok: false
  readonly reason:
    | 'unknown_room'
    | 'moving'
    | 'full'
    | 'invalid'
    | 'not_allowed'
    | 'timeout'
    | 'closing'
    | 'closed'
  readonly message: string
}

export interface JoinAccepted {
  readonly ok: true
  readonly role: 'player' | 'spectator'
  readonly seat: number | null
  /** A player seated while curves fly: they play from the next round. */
  readonly nextRound: boolean
  /** Set when the player's own colour was taken in this room: which colour they fly. */
  readonly colourNote: string | null
  readonly snapshot: Uint8Array
  readonly incarnation: string
  readonly notice: string | null
  readonly name: string
  readonly pid: Pid | string
}

export type JoinReply = JoinAccepted | RoomRefusal

export interface RoomInfo {
  readonly id: string
  readonly name: string
  readonly phase: string
  readonly tick: number
  readonly incarnation: string
  readonly players: readonly { readonly id: string; readonly name: string; readonly bot: boolean }[]
  readonly connections: number
}

/** What a room announces on its life topic. */
export type LifeEvent =
  | { readonly t: 'started'; readonly incarnation: string; readonly restarts: number }
  | { readonly t: 'closed'; readonly reason: string }

/** Room meta in Presence (`GAMES_TOPIC`, key = room id): what the lobby lists. */
export interface GameListing {
  readonly name: string
  readonly phase: 'waiting' | 'playing' | 'over'
  readonly players: readonly {
    readonly name: string
    readonly colour: string
    readonly bot: boolean
  }[]
  readonly spectators: number
  /** Browser tabs in the room (players and spectators): 0 with only bots seated hides it. */
  readonly connections: number
  readonly maxPlayers: number
  readonly node: string
}

export const refuse = (reason: RoomRefusal['reason'], message: string): RoomRefusal => ({
  ok: false,
  reason,
  message,
})
