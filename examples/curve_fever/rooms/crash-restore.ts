/**
 * What a room keeps through a crash or a dead node: its seats and the match's progress, saved
 * to the cluster's store, and what the players are told when it starts again.
 */
import { getClock, self, sendAfter } from 'cinder'
import type { MatchProgress, PlayerInit } from '../game/index.ts'
import {
  type LifeEvent,
  lifeTopic,
  type ReplyAddress,
  type RoomCommand,
  refuse,
} from './protocol.ts'
import type { RoomChild, RoomContext, RoomState } from './room-types.ts'

/** Seeds each start of a room differently (a restart must not replay the same spawns). */
export function seedOf(id: string, starts: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193)
  return (h ^ Math.imul(starts + 1, 0x9e3779b1)) >>> 0
}

/**
 * Keeps the seats for a restart, and the match's progress: `match` replaces it, null clears it
 * (no match under way), undefined keeps what was saved.
 */
export function saveSeats(s: RoomState, match?: MatchProgress | null): void {
  const seats = s.game
    .players()
    .filter((p) => !p.leaving)
    .map((p): PlayerInit => ({ id: p.id, name: p.name, colour: p.colour, bot: p.bot }))
  const { match: previous, ...rest } = s.saved
  const kept = match === undefined ? previous : (match ?? undefined)
  s.saved = kept === undefined ? { ...rest, seats } : { ...rest, seats, match: kept }
  save(s)
}

/**
 * Writes the saved state to the cluster's store (the supervisor keeps one room's writes in
 * order). A copy that another node took over is stopped by its supervisor; a store that is
 * away costs a log line, and the room plays on.
 */
export function save(s: RoomState): void {
  s.child.save(s.saved).catch((error: unknown) => {
    if ((error as { code?: unknown }).code === 'CINDER_ERR_CLUSTER_NOT_OWNER') return
    console.warn(`room ${s.id}: could not save its state: ${(error as Error).message}`)
  })
}

/** What the players are told when the room starts again (null on its first start). */
export function startNotice(
  origin: RoomChild['origin'],
  match: MatchProgress | undefined,
): string | null {
  if (origin === 'start') return null
  const what =
    origin === 'failover'
      ? 'The server this room ran on went down; it moved to another one'
      : 'This room crashed and its supervisor restarted it'
  return match === undefined || match.round === 0
    ? `${what}: the match starts over.`
    : `${what}: the match goes on after round ${match.round}, scores kept.`
}

/** Tells a room to stop for good (a message to itself). */
export const CLOSE = Symbol('room close')

/** This node's crashes of the room within the crash window (older ones are forgotten). */
export function recentCrashes(context: RoomContext, id: string): number {
  const now = getClock().now()
  const window = context.settings.crashWindowMs
  const recent = (context.crashes.get(id) ?? []).filter((t) => now - t < window)
  context.crashes.set(id, recent)
  return recent.length
}

/**
 * A room that keeps crashing stays down: it plays no more and leaves the lobby, but lingers
 * `closedLingerMs` to answer its players' rejoins with why (their page says so, with a link
 * back to the lobby), then stops.
 */
export function closeAfterCrashes(s: RoomState, crashes: number): RoomState {
  s.closed =
    `This game crashed ${crashes} times in a row, so the server closed it. ` +
    'Start a new one from the lobby.'
  s.notice = s.closed
  const closed: LifeEvent = { t: 'closed', reason: s.closed }
  s.ctx.pubsub.broadcast(lifeTopic(s.id), closed)
  sendAfter(self(), CLOSE, s.settings.closedLingerMs)
  return s
}

/** What a closed room answers: every question is refused with the reason it closed. */
export function answerClosed(command: RoomCommand, s: RoomState, reason: string): void {
  const to = (command as { replyTo?: ReplyAddress } | null)?.replyTo
  if (to === undefined) return
  s.ctx.pubsub.directBroadcast(to.node, to.topic, { ref: to.ref, value: refuse('closed', reason) })
}
