/** What the lobby and the `info` command see of a room. */
import { self } from 'cinder'
import { GAMES_TOPIC, type GameListing, type RoomInfo } from './protocol.ts'
import type { RoomState } from './room-types.ts'

/**
 * Whether the room should close (checked while nobody is connected): nobody came back for
 * `emptyCloseMs`, or only bots are left and nobody came back for `botsOnlyCloseMs`.
 */
export function abandoned(s: RoomState, now: number): boolean {
  if (s.emptySince === null) return false
  const idle = now - s.emptySince
  const { emptyCloseMs, botsOnlyCloseMs } = s.settings
  if (emptyCloseMs !== null && idle >= emptyCloseMs) return true
  if (botsOnlyCloseMs === null || idle < botsOnlyCloseMs) return false
  const seated = s.game.players().filter((p) => !p.leaving)
  return seated.length > 0 && seated.every((p) => p.bot)
}

export function listing(s: RoomState): GameListing {
  const phase = s.game.phase
  return {
    name: s.name,
    phase: phase === 'waiting' ? 'waiting' : phase === 'matchOver' ? 'over' : 'playing',
    players: s.game
      .players()
      .filter((p) => !p.leaving)
      .map((p) => ({ name: p.name, colour: p.colour, bot: p.bot })),
    spectators: [...s.conns.values()].filter((c) => c.role === 'spectator').length,
    connections: s.conns.size,
    maxPlayers: s.game.config.maxPlayers,
    node: s.ctx.pubsub.node,
  }
}

/** Updates the room's Presence meta when what the lobby shows changed. */
export function relist(s: RoomState): void {
  const presence = s.ctx.presence
  if (presence === undefined) return
  const meta = listing(s)
  const key = JSON.stringify(meta)
  if (key === s.listed) return
  s.listed = key
  presence.update(self(), GAMES_TOPIC, s.id, { ...meta })
}

export function info(s: RoomState): RoomInfo {
  return {
    id: s.id,
    name: s.name,
    phase: s.game.phase,
    tick: s.game.tick,
    incarnation: s.incarnation,
    players: s.game.players().map((p) => ({ id: p.id, name: p.name, bot: p.bot })),
    connections: s.conns.size,
  }
}
