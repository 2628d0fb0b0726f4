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
import {
  type Cluster,
  type DownMessage,
  getClock,
  isNormalExit,
  noreply,
  type Payload,
  type Presence,
  type PubSub,
  type Registry,
  self,
  sendAfter,
  stop,
  type TimerRef,
} from 'cinder'
import {
  encodeSnapshot,
  FrameEncoder,
  Game,
  type GameConfig,
  type GameEvent,
  type MatchProgress,
  type PlayerInit,
} from '../game/index.ts'
import {
  type ConnRef,
  GAMES_TOPIC,
  type GameListing,
  gameTopic,
  type JoinReply,
  type LifeEvent,
  lifeTopic,
  type ReplyAddress,
  type RoomCommand,
  type RoomInfo,
  refuse,
  roomTopic,
  type User,
} from './protocol.ts'
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
  /** Pause between enough players being seated and the match starting. */
  readonly startDelayMs: number
  /** Pause after a match before the next one starts. */
  readonly nextMatchMs: number
  /** A room without any human connection for this long closes; null keeps it forever. */
  readonly emptyCloseMs: number | null
  readonly maxCatchUpTicks: number
  /** More crashes than this within `crashWindowMs` and the room closes instead of restarting. */
  readonly maxCrashes: number
  readonly crashWindowMs: number
  /** Allows the crash control (development only). */
  readonly dev: boolean
}

export const DEFAULT_ROOM_SETTINGS: RoomSettings = {
  game: {},
  broadcastEvery: 3,
  idleBroadcastEvery: 30,
  graceMs: 20_000,
  startDelayMs: 1500,
  nextMatchMs: 5000,
  emptyCloseMs: 120_000,
  maxCatchUpTicks: 5,
  maxCrashes: 5,
  crashWindowMs: 60_000,
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

interface Conn {
  readonly user: User
  readonly role: 'player' | 'spectator'
}

interface RoomState {
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
}

const TICK = Symbol('room tick')
const CLOSE = Symbol('room close')
interface GraceOver {
  readonly t: 'grace'
  readonly player: string
}

const BOT_NAMES = ['Ada', 'Brunel', 'Curie', 'Dijkstra', 'Euler', 'Faraday', 'Gauss', 'Hopper']
const BOT_COLOURS = ['#f4a259', '#8cb369', '#5b8e7d', '#bc4b51', '#9b5de5', '#00bbf9', '#f15bb5']

function seedOf(id: string, starts: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193)
  return (h ^ Math.imul(starts + 1, 0x9e3779b1)) >>> 0
}

export const roomBehaviour = {
  name: 'curve fever room',

  init({ child, context }: RoomStart): RoomState {
    const id = child.key
    const settings = context.settings
    const saved: SavedRoom = { seats: [], ...child.state, starts: (child.state?.starts ?? 0) + 1 }
    const now = getClock().now()
    const recent = (context.crashes.get(id) ?? []).filter((t) => now - t < settings.crashWindowMs)
    context.crashes.set(id, recent)
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
    }
    save(state)
    context.registry.register(id, null)
    context.pubsub.subscribe(roomTopic(id), self())
    for (const seat of saved.seats) reseat(state, seat)
    if (recent.length >= settings.maxCrashes) {
      state.notice = `This room crashed ${recent.length} times in a row and was closed.`
      sendAfter(self(), CLOSE, 0)
    }
    const listed = listing(state)
    state.listed = JSON.stringify(listed)
    context.presence?.track(self(), GAMES_TOPIC, id, { ...listed })
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

function isGraceOver(message: unknown): message is GraceOver {
  return (message as Partial<GraceOver> | null)?.t === 'grace'
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

function join(s: RoomState, conn: ConnRef, user: User, spectate: boolean): JoinReply {
  if (s.conns.has(conn.id)) leave(s, conn.id)
  const seated = s.game.player(user.id)
  let role: 'player' | 'spectator' = 'spectator'
  if (seated !== undefined && !seated.leaving) {
    role = 'player'
    s.graceTimers.get(user.id)?.cancel()
    s.graceTimers.delete(user.id)
    s.game.setConnected(user.id, true)
  } else if (!spectate) {
    const added = s.game.addPlayer({ id: user.id, name: user.name, colour: user.colour })
    if (!added.ok) {
      const full = s.game.players().length >= s.game.config.maxPlayers
      return refuse(full ? 'full' : 'invalid', added.reason)
    }
    role = 'player'
    saveSeats(s)
    rosterChanged(s)
  }
  s.conns.set(conn.id, { user, role })
  if (conn.pid !== null) {
    // Local or on another node: a node that dies is a DOWN too (reason `noconnection`).
    s.ctx.cluster.monitor(conn.pid)
    s.monitors.set(String(conn.pid), conn.id)
  }
  s.emptySince = null
  relist(s)
  return {
    ok: true,
    role,
    seat: s.game.player(user.id)?.seat ?? null,
    snapshot: encodeSnapshot(s.game.encodable),
    incarnation: s.incarnation,
    notice: s.notice,
    name: s.name,
    pid: self(),
  }
}

function leave(s: RoomState, connId: string): void {
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

function graceOver(s: RoomState, player: string): void {
  s.graceTimers.delete(player)
  if (connected(s, player)) return
  if (s.game.removePlayer(player).ok) {
    saveSeats(s)
    rosterChanged(s)
    relist(s)
  }
}

function input(s: RoomState, connId: string, player: string, turn: number): void {
  const conn = s.conns.get(connId)
  // Only a player's own connection steers its curve (the channel checks this first).
  if (conn === undefined || conn.role !== 'player' || conn.user.id !== player) return
  s.game.setInput(player, turn)
}

function addBot(s: RoomState, connId: string): object {
  if (!s.conns.has(connId)) return refuse('not_allowed', 'join the room before adding bots')
  const n = s.botCount
  const init: PlayerInit = {
    id: `bot-${s.id}-${n + 1}`,
    name: `${BOT_NAMES[n % BOT_NAMES.length]} (bot)`,
    colour: BOT_COLOURS[n % BOT_COLOURS.length] ?? '#888888',
    bot: true,
  }
  const added = s.game.addPlayer(init)
  if (!added.ok) return refuse('full', added.reason)
  s.botCount += 1
  saveSeats(s)
  rosterChanged(s)
  relist(s)
  return { ok: true, seat: added.value, name: init.name }
}

/** Seats a player of the record again after a restart: disconnected until its channel rejoins. */
function reseat(s: RoomState, seat: PlayerInit): void {
  if (!s.game.addPlayer(seat).ok || seat.bot === true) return
  s.game.setConnected(seat.id, false)
  s.graceTimers.set(seat.id, sendAfter(self(), { t: 'grace', player: seat.id }, s.settings.graceMs))
}

/**
 * Keeps the seats for a restart, and the match's progress: `match` replaces it, null clears it
 * (no match under way), undefined keeps what was saved.
 */
function saveSeats(s: RoomState, match?: MatchProgress | null): void {
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
function save(s: RoomState): void {
  s.child.save(s.saved).catch((error: unknown) => {
    if ((error as { code?: unknown }).code === 'CINDER_ERR_CLUSTER_NOT_OWNER') return
    console.warn(`room ${s.id}: could not save its state: ${(error as Error).message}`)
  })
}

/** Names and colours are not in frames: clients learn them from snapshots and this event. */
function rosterChanged(s: RoomState): void {
  const players = s.game
    .players()
    .map((p) => ({ seat: p.seat, id: p.id, name: p.name, colour: p.colour, bot: p.bot }))
  s.ctx.broadcast(gameTopic(s.id), 'roster', { players })
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
  if (s.emptySince !== null && s.settings.emptyCloseMs !== null) {
    if (now - s.emptySince >= s.settings.emptyCloseMs) sendAfter(self(), CLOSE, 0)
  }
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

/** Starts a match once enough players sit (after a short pause), and the next one after a match. */
function autoStart(s: RoomState): void {
  const phase = s.game.phase
  if (phase !== 'waiting' && phase !== 'matchOver') {
    s.startAtTick = null
    return
  }
  if (s.startAtTick === null) {
    const pause = phase === 'matchOver' ? s.settings.nextMatchMs : s.settings.startDelayMs
    // Counting players allocates: look only every quarter second while waiting.
    if (s.done % 15 !== 0 || !enoughPlayers(s)) return
    s.startAtTick = s.done + Math.round(pause / s.game.config.dtMs)
    return
  }
  if (s.done < s.startAtTick) return
  s.startAtTick = null
  if (s.game.start(s.resume).ok) {
    s.resume = undefined
    relist(s)
  }
}

/** What the players are told when the room starts again (null on its first start). */
function startNotice(origin: RoomChild['origin'], match: MatchProgress | undefined): string | null {
  if (origin === 'start') return null
  const what =
    origin === 'failover'
      ? 'The server this room ran on went down; it moved to another one'
      : 'This room crashed and its supervisor restarted it'
  return match === undefined || match.round === 0
    ? `${what}: the match starts over.`
    : `${what}: the match goes on after round ${match.round}, scores kept.`
}

function enoughPlayers(s: RoomState): boolean {
  const contenders = s.game.players().filter((p) => !p.leaving).length
  return contenders >= s.game.config.minPlayers
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

// ---- the lobby's view ----

function listing(s: RoomState): GameListing {
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
function relist(s: RoomState): void {
  const presence = s.ctx.presence
  if (presence === undefined) return
  const meta = listing(s)
  const key = JSON.stringify(meta)
  if (key === s.listed) return
  s.listed = key
  presence.update(self(), GAMES_TOPIC, s.id, { ...meta })
}

function info(s: RoomState): RoomInfo {
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
