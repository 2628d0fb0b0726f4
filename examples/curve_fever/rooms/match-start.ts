/**
 * When a room's match starts: as soon as enough players sit (a seat change checks at once, so
 * the countdown follows the second player or bot within a tick), and again after a match.
 */
import { relist } from './listing.ts'
import type { RoomState } from './room-types.ts'

/** After a seat change: a waiting room with enough players starts its match (or its pause). */
export function startIfReady(s: RoomState, pauseMs = s.settings.startDelayMs): void {
  if (s.game.phase !== 'waiting' || s.startAtTick !== null || !enoughPlayers(s)) return
  s.startAtTick = s.done + Math.round(pauseMs / s.game.config.dtMs)
  if (s.done >= s.startAtTick) begin(s)
}

/** On every tick: starts what is due, and the next match after a match's pause. */
export function autoStart(s: RoomState): void {
  const phase = s.game.phase
  if (phase !== 'waiting' && phase !== 'matchOver') {
    s.startAtTick = null
    return
  }
  if (s.startAtTick === null) {
    const pause = phase === 'matchOver' ? s.settings.nextMatchMs : s.settings.startDelayMs
    // Counting players allocates: look only every quarter second while waiting (seat changes
    // look at once, see startIfReady).
    if (s.done % 15 !== 0 || !enoughPlayers(s)) return
    s.startAtTick = s.done + Math.round(pause / s.game.config.dtMs)
    return
  }
  if (s.done >= s.startAtTick) begin(s)
}

/** Starts the match (continuing a restarted room's); the countdown frame goes out next tick. */
function begin(s: RoomState): void {
  s.startAtTick = null
  if (s.game.start(s.resume).ok) {
    s.resume = undefined
    relist(s)
  }
}

export function enoughPlayers(s: RoomState): boolean {
  const contenders = s.game.players().filter((p) => !p.leaving).length
  return contenders >= s.game.config.minPlayers
}
