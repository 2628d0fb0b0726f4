/**
 * Who sits in a room: joins (players and spectators), leaves, the grace period of a dropped
 * player, steering, bots, and seating everyone again after a restart.
 */
import { getClock, self, sendAfter } from 'cinder'
import { encodeSnapshot, type PlayerInit } from '../game/index.ts'
import { saveSeats } from './crash-restore.ts'
import { relist } from './listing.ts'
import { startIfReady } from './match-start.ts'
import { colourName, pickColour } from './palette.ts'
import { type ConnRef, gameTopic, type JoinReply, refuse, type User } from './protocol.ts'
import type { RoomState } from './room-types.ts'

/** A dropped player's grace period is over (a message to the room itself). */
export interface GraceOver {
  readonly t: 'grace'
  readonly player: string
}

export function isGraceOver(message: unknown): message is GraceOver {
  return (message as Partial<GraceOver> | null)?.t === 'grace'
}

const BOT_NAMES = ['Ada', 'Brunel', 'Curie', 'Dijkstra', 'Euler', 'Faraday', 'Gauss', 'Hopper']

/** A colour nobody in the room has (the player's own when it is free): see palette.ts. */
function freeColour(s: RoomState, wish?: string): string {
  return pickColour(
    s.game.players().map((p) => p.colour),
    wish,
  )
}

export function join(s: RoomState, conn: ConnRef, user: User, spectate: boolean): JoinReply {
  if (s.conns.has(conn.id)) leave(s, conn.id)
  const seated = s.game.player(user.id)
  let role: 'player' | 'spectator' = 'spectator'
  if (seated !== undefined && !seated.leaving) {
    role = 'player'
    s.graceTimers.get(user.id)?.cancel()
    s.graceTimers.delete(user.id)
    s.game.setConnected(user.id, true)
  } else if (!spectate) {
    const colour = freeColour(s, user.colour)
    const added = s.game.addPlayer({ id: user.id, name: user.name, colour })
    if (!added.ok) {
      const full = s.game.players().length >= s.game.config.maxPlayers
      return refuse(full ? 'full' : 'invalid', added.reason)
    }
    role = 'player'
    saveSeats(s)
    rosterChanged(s)
    startIfReady(s)
  }
  s.conns.set(conn.id, { user, role })
  if (conn.pid !== null) {
    // Local or on another node: a node that dies is a DOWN too (reason `noconnection`).
    s.ctx.cluster.monitor(conn.pid)
    s.monitors.set(String(conn.pid), conn.id)
  }
  s.emptySince = null
  relist(s)
  const player = s.game.player(user.id)
  const flying = s.game.phase === 'running' || s.game.phase === 'roundOver'
  return {
    ok: true,
    role,
    seat: player?.seat ?? null,
    nextRound: role === 'player' && flying && player?.inRound === false,
    colourNote:
      player === undefined || player.colour === user.colour.toLowerCase()
        ? null
        : `Your colour is taken in this game: your curve is ${colourName(player.colour)}.`,
    snapshot: encodeSnapshot(s.game.encodable),
    incarnation: s.incarnation,
    notice: s.notice,
    name: s.name,
    pid: self(),
  }
}

export function leave(s: RoomState, connId: string): void {
  const conn = s.conns.get(connId)
  if (conn === undefined) return
  s.conns.delete(connId)
  for (const [pid, id] of s.monitors) if (id === connId) s.monitors.delete(pid)
  if (s.conns.size === 0) s.emptySince = getClock().now()
  const player = conn.user.id
  if (conn.role === 'player' && !connected(s, player) && s.game.player(player) !== undefined) {
    s.game.setConnected(player, false)
    s.graceTimers.get(player)?.cancel()
    s.graceTimers.set(player, sendAfter(self(), { t: 'grace', player }, s.settings.graceMs))
  }
  relist(s)
}

function connected(s: RoomState, player: string): boolean {
  for (const conn of s.conns.values()) if (conn.user.id === player) return true
  return false
}

export function graceOver(s: RoomState, player: string): void {
  s.graceTimers.delete(player)
  if (connected(s, player)) return
  if (s.game.removePlayer(player).ok) {
    saveSeats(s)
    rosterChanged(s)
    relist(s)
  }
}

export function input(s: RoomState, connId: string, player: string, turn: number): void {
  const conn = s.conns.get(connId)
  // Only a player's own connection steers its curve (the channel checks this first).
  if (conn === undefined || conn.role !== 'player' || conn.user.id !== player) return
  s.game.setInput(player, turn)
}

export function addBot(s: RoomState, connId: string): object {
  if (!s.conns.has(connId)) return refuse('not_allowed', 'join the room before adding bots')
  const n = s.botCount
  const init: PlayerInit = {
    id: `bot-${s.id}-${n + 1}`,
    name: `${BOT_NAMES[n % BOT_NAMES.length]} (bot)`,
    colour: freeColour(s),
    bot: true,
  }
  const added = s.game.addPlayer(init)
  if (!added.ok) return refuse('full', added.reason)
  s.botCount += 1
  saveSeats(s)
  rosterChanged(s)
  startIfReady(s)
  relist(s)
  return { ok: true, seat: added.value, name: init.name }
}

/**
 * After a restart, seats everyone of the record again and starts (or continues) their match at
 * once: the first snapshot a rejoining player gets already shows the kept scores, never an
 * empty waiting room.
 */
export function restoreSeats(s: RoomState): void {
  for (const seat of s.saved.seats) reseat(s, seat)
  startIfReady(s, 0)
}

/** Seats a player of the record again after a restart: disconnected until its channel rejoins. */
function reseat(s: RoomState, seat: PlayerInit): void {
  if (!s.game.addPlayer(seat).ok || seat.bot === true) return
  s.game.setConnected(seat.id, false)
  s.graceTimers.set(seat.id, sendAfter(self(), { t: 'grace', player: seat.id }, s.settings.graceMs))
}

/** Names and colours are not in frames: clients learn them from snapshots and this event. */
export function rosterChanged(s: RoomState): void {
  const players = s.game
    .players()
    .map((p) => ({ seat: p.seat, id: p.id, name: p.name, colour: p.colour, bot: p.bot }))
  s.ctx.broadcast(gameTopic(s.id), 'roster', { players })
}
