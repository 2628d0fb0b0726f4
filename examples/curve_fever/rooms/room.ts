/**
 * One game room: a process that owns a `Game`, steps it at a fixed 60 Hz and broadcasts binary
 * frames at a lower rate (20 Hz while curves fly, 2 Hz otherwise) to the `game:<id>` topic.
 *
 * - **Ticks** are scheduled against an epoch (`epoch + n × dt`), not "16 ms after the last one",
 *   so timer lateness never accumulates into drift; a room that falls behind runs up to
 *   `maxCatchUpTicks` steps at once and skips the rest. Lateness goes to `TickStats`.
 * - **Commands** arrive on the PubSub topic `cf:room:<id>` (see protocol.ts), so channels on any
 *   node reach it; replies go back to the asking node only.
 * - **Seats** survive disconnects: a player whose last connection drops keeps the seat (the
 *   curve flies on) for `graceMs`, then leaves. Spectators only watch.
 * - **Crashes and dead nodes**: a room is a child of the rooms' cluster-wide supervisor, and
 *   saves what must survive it (name, seats, the match's progress) to the cluster's store.
 *   After a crash here, or on another node after its own node died, it seats everyone again,
 *   waiting for their channels to rejoin, and tells them what happened. A room that crashes
 *   again and again closes instead of looping.
 * - **Players on other nodes**: the room monitors each channel through the Cluster, so a
 *   player whose node dies leaves after the grace period like one who closed the tab.
 */
import { randomBytes } from 'node:crypto'
import { type DownMessage, getClock, isNormalExit, noreply, self, sendAfter, stop } from 'cinder'
import { encodeSnapshot, FrameEncoder, Game, type GameEvent } from '../game/index.ts'
import {
  answerClosed,
  CLOSE,
  closeAfterCrashes,
  recentCrashes,
  save,
  saveSeats,
  seedOf,
  startNotice,
} from './crash-restore.ts'
import { abandoned, info, listing, relist } from './listing.ts'
import { autoStart } from './match-start.ts'
import {
  GAMES_TOPIC,
  gameTopic,
  type LifeEvent,
  lifeTopic,
  type ReplyAddress,
  type RoomCommand,
  refuse,
  roomTopic,
} from './protocol.ts'
import type { RoomStart, RoomState, SavedRoom } from './room-types.ts'
import {
  addBot,
  graceOver,
  input,
  isGraceOver,
  join,
  leave,
  restoreSeats,
  rosterChanged,
} from './seating.ts'

export {
  DEFAULT_ROOM_SETTINGS,
  type MatchResult,
  type RoomArgs,
  type RoomChild,
  type RoomContext,
  type RoomSettings,
  type RoomStart,
  type SavedRoom,
  type TrafficMeter,
} from './room-types.ts'

const TICK = Symbol('room tick')

export const roomBehaviour = {
  name: 'curve fever room',

  init({ child, context }: RoomStart): RoomState {
    const id = child.key
    const settings = context.settings
    const saved: SavedRoom = { seats: [], ...child.state, starts: (child.state?.starts ?? 0) + 1 }
    const now = getClock().now()
    const crashes = recentCrashes(context, id)
    const game = new Game({ seed: seedOf(id, saved.starts - 1), config: settings.game })
    const state: RoomState = {
      id,
      child,
      saved,
      ctx: context,
      settings,
      game,
      encoder: new FrameEncoder(),
      conns: new Map(),
      monitors: new Map(),
      graceTimers: new Map(),
      incarnation: `${id}.${randomBytes(4).toString('hex')}`,
      name: child.args.name,
      notice: startNotice(child.origin, saved.match),
      epoch: now,
      done: 0,
      sinceFrame: 0,
      startAtTick: null,
      emptySince: now,
      botCount: saved.seats.filter((seat) => seat.bot === true).length,
      listed: '',
      resume: saved.match,
      closed: null,
    }
    save(state)
    context.registry.register(id, null)
    context.pubsub.subscribe(roomTopic(id), self())
    if (crashes >= settings.maxCrashes) return closeAfterCrashes(state, crashes)
    const listed = listing(state)
    state.listed = JSON.stringify(listed)
    context.presence?.track(self(), GAMES_TOPIC, id, { ...listed })
    restoreSeats(state) // after the listing: starting the match updates it
    const life: LifeEvent = {
      t: 'started',
      incarnation: state.incarnation,
      restarts: saved.starts - 1,
    }
    context.pubsub.broadcast(lifeTopic(id), life)
    sendAfter(self(), TICK, game.config.dtMs)
    return state
  },

  handleInfo(message: unknown, s: RoomState) {
    if (message === TICK) {
      onTick(s)
      return noreply(s)
    }
    if (message === CLOSE) return stop('normal', s)
    if (s.closed !== null) {
      answerClosed(message as RoomCommand, s, s.closed)
      return noreply(s)
    }
    if (isDown(message)) {
      const conn = s.monitors.get(String(message.pid))
      if (conn !== undefined) leave(s, conn)
      return noreply(s)
    }
    if (isGraceOver(message)) {
      graceOver(s, message.player)
      return noreply(s)
    }
    return handleCommand(message as RoomCommand, s)
  },

  terminate(reason: unknown, s: RoomState) {
    for (const timer of s.graceTimers.values()) timer.cancel()
    if (!isNormalExit(reason)) {
      s.ctx.crashes.get(s.id)?.push(getClock().now())
      return
    }
    s.ctx.crashes.delete(s.id)
    if (!isClosing(reason)) return // the node stops: the room goes on elsewhere or at its next start
    if (s.closed !== null) return // it said so when it closed
    const closed: LifeEvent = { t: 'closed', reason: s.notice ?? 'the room closed' }
    try {
      s.ctx.pubsub.broadcast(lifeTopic(s.id), closed)
    } catch {
      // the PubSub stopped first (application shutdown): nobody is left to tell.
    }
  },
}

/** The room ended for good (it closed itself), not because its node stops. */
function isClosing(reason: unknown): boolean {
  return reason === 'normal'
}

function isDown(message: unknown): message is DownMessage {
  return (message as Partial<DownMessage> | null)?.type === 'DOWN'
}

// ---- commands ----

function handleCommand(command: RoomCommand, s: RoomState) {
  switch (command?.t) {
    case 'join':
      answer(s, command.replyTo, join(s, command.conn, command.user, command.spectate))
      break
    case 'leave':
      leave(s, command.conn)
      break
    case 'input':
      input(s, command.conn, command.player, command.turn)
      break
    case 'add_bot':
      answer(s, command.replyTo, addBot(s, command.conn))
      break
    case 'snapshot':
      answer(s, command.replyTo, { ok: true, snapshot: encodeSnapshot(s.game.encodable) })
      break
    case 'info':
      answer(s, command.replyTo, { ok: true, info: info(s) })
      break
    case 'crash':
      if (!s.settings.dev || !s.conns.has(command.conn)) {
        answer(s, command.replyTo, refuse('not_allowed', 'the crash control is for development'))
        break
      }
      throw new Error(`room ${s.id} crashed on purpose (development control)`)
    default:
      // Nothing else is sent on a room's topic; a stray message must not stop the game.
      break
  }
  return noreply(s)
}

function answer(s: RoomState, to: ReplyAddress, value: object): void {
  s.ctx.pubsub.directBroadcast(to.node, to.topic, { ref: to.ref, value })
}

// ---- the clock ----

function onTick(s: RoomState): void {
  const now = getClock().now()
  const dt = s.game.config.dtMs
  let due = Math.floor((now - s.epoch) / dt) - s.done
  // Timers may wake a fraction of a millisecond early: then there is nothing to run yet.
  if (due > 0) s.ctx.stats?.record(now - (s.epoch + (s.done + 1) * dt))
  if (due > s.settings.maxCatchUpTicks) {
    s.ctx.stats?.skip(due - s.settings.maxCatchUpTicks)
    s.done += due - s.settings.maxCatchUpTicks
    due = s.settings.maxCatchUpTicks
  }
  for (let i = 0; i < due; i++) step(s)
  sendAfter(self(), TICK, Math.max(0, Math.ceil(s.epoch + (s.done + 1) * dt - now)))
  if (s.emptySince !== null && s.done % 15 === 0 && abandoned(s, now)) sendAfter(self(), CLOSE, 0)
}

function step(s: RoomState): void {
  s.done += 1
  const events = s.game.step()
  if (events.length > 0) onEvents(s, events)
  autoStart(s)
  const phase = s.game.phase
  const every =
    phase === 'running' || phase === 'countdown'
      ? s.settings.broadcastEvery
      : s.settings.idleBroadcastEvery
  if (++s.sinceFrame >= every || events.length > 0) broadcastFrame(s)
}

function broadcastFrame(s: RoomState): void {
  s.sinceFrame = 0
  const frame = s.encoder.encode(s.game.encodable)
  s.ctx.broadcast(gameTopic(s.id), 'f', frame)
  s.ctx.meter?.frame(frame.byteLength, s.conns.size)
}

function onEvents(s: RoomState, events: readonly GameEvent[]): void {
  const names = new Map(s.game.players().map((p) => [p.id, p.name]))
  const described = events.map((e) => describeEvent(e, names))
  s.ctx.broadcast(gameTopic(s.id), 'ev', { events: described })
  for (const event of events) {
    if (event.type === 'matchOver') matchOver(s, event.winner, event.scores)
    if (event.type === 'roundStart' || event.type === 'waiting' || event.type === 'matchOver')
      relist(s)
    if (event.type === 'roundOver') saveSeats(s, s.game.progress)
    if (event.type === 'matchOver') saveSeats(s, null)
    // A player who left mid-round keeps the seat until the round ends: it is free now.
    if (event.type === 'roundOver' || event.type === 'waiting') rosterChanged(s)
  }
}

function describeEvent(e: GameEvent, names: Map<string, string>): object {
  const name = (id: string | null): string | null => (id === null ? null : (names.get(id) ?? id))
  switch (e.type) {
    case 'death':
      return { ...e, name: name(e.id), byName: name(e.by) }
    case 'roundOver':
      return { ...e, name: name(e.winner) }
    case 'matchOver':
      return { ...e, name: name(e.winner) }
    default:
      return e
  }
}

function matchOver(s: RoomState, winnerId: string, scores: Readonly<Record<string, number>>) {
  const winner = s.game.player(winnerId)
  if (winner === undefined) return
  s.ctx.onMatchOver?.({
    roomId: s.id,
    winner: { id: winner.id, name: winner.name, bot: winner.bot },
    scores,
  })
}
