/** What the lobby and the `info` command see of a room. */
import { self } from 'cinder'
import { GAMES_TOPIC, type GameListing, type RoomInfo } from './protocol.ts'
import type { RoomState } from './room-types.ts'

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
