/**
 * One Curve Fever match: seats, phases, rounds and the fixed-tick simulation. Deterministic: the
 * same seed, config and sequence of calls give the same states, bit for bit. It has no clock,
 * timers or I/O; the room calls `step()` 60 times a second and broadcasts what it needs.
 *
 *   waiting ─start()→ countdown → running → roundOver → countdown → … → matchOver ─start()→ …
 */
import { botTurn } from './bot.ts'
import { type EncodableState, PHASES, type Phase } from './codec.ts'
import { type GameConfig, type Pose, type ResolvedConfig, resolveConfig } from './config.ts'
import type { DeathCause, GameEvent } from './events.ts'
import { TrailGrid } from './grid.ts'
import { StateHash } from './hash.ts'
import { fail, ok, parseTurn, type Result, validatePlayerInit } from './input.ts'
import {
  advance,
  createMotion,
  createProbe,
  type Hit,
  type Motion,
  type Probe,
  paintPath,
} from './physics.ts'
import {
  createPlayer,
  type Player,
  type PlayerInit,
  type PlayerView,
  type Turn,
  viewOf,
} from './player.ts'
import { deriveSeed, Rng } from './rng.ts'
import { awardDeaths, matchWinner, targetScore } from './scoring.ts'
import { planSpawns } from './spawn.ts'
import { beginStroke, endStroke, extendStroke } from './trail.ts'

export interface GameOptions {
  readonly seed: number
  readonly config?: Partial<GameConfig>
}

const GAP_STREAM = 0
const BOT_STREAM = 1

/** A match's rounds played and scores by player id. */
export interface MatchProgress {
  readonly round: number
  readonly scores: Readonly<Record<string, number>>
}

export class Game {
  readonly config: ResolvedConfig
  readonly seed: number
  readonly #grid: TrailGrid
  readonly #spawnRng: Rng
  readonly #seats: (Player | undefined)[]
  /** Per-seat scratch reused every tick, so a tick allocates nothing in the common case. */
  readonly #probes: (Probe | undefined)[] = []
  readonly #motions: (Motion | undefined)[] = []
  #tick = 0
  #phase: Phase = 'waiting'
  #phaseTicks = 0
  #round = 0
  #winner: number | null = null
  #target = 0
  #startedWith = 0
  #events: GameEvent[] = []

  constructor(options: GameOptions) {
    if (!Number.isInteger(options.seed))
      throw new RangeError(`Game: seed must be an integer, got ${options.seed}`)
    this.seed = options.seed
    this.config = resolveConfig(options.config)
    this.#grid = new TrailGrid(
      this.config.arenaWidth,
      this.config.arenaHeight,
      this.config.cellSize,
    )
    this.#spawnRng = Rng.fromSeed(deriveSeed(options.seed, 0x5eed))
    this.#seats = Array.from({ length: this.config.maxPlayers }, () => undefined)
    this.#target = targetScore(this.config, 2)
  }

  get tick(): number {
    return this.#tick
  }
  get phase(): Phase {
    return this.#phase
  }
  get round(): number {
    return this.#round
  }
  /** Ticks left in a countdown or round-over pause. */
  get phaseTicks(): number {
    return this.#phaseTicks
  }
  /** Seat of the round winner (roundOver) or match winner (matchOver), else null. */
  get winner(): number | null {
    return this.#winner
  }
  get targetScore(): number {
    return this.#target
  }

  players(): PlayerView[] {
    return this.#seated().map(viewOf)
  }

  player(id: string): PlayerView | undefined {
    const p = this.#find(id)
    return p === undefined ? undefined : viewOf(p)
  }

  /** Rounds played and scores by player id in the match under way (what a restart resumes). */
  get progress(): MatchProgress {
    const scores: Record<string, number> = {}
    for (const p of this.#seated()) scores[p.id] = p.score
    return { round: this.#round, scores }
  }

  /** The state as the codec reads it (live references, no copies: encode it right away). */
  get encodable(): EncodableState {
    const c = this.config
    return {
      tick: this.#tick,
      phase: this.#phase,
      round: this.#round,
      phaseTicks: this.#phaseTicks,
      winner: this.#winner,
      targetScore: this.#target,
      arenaWidth: c.arenaWidth,
      arenaHeight: c.arenaHeight,
      trailRadius: c.trailRadius,
      tickRate: c.tickRate,
      players: this.#seated(),
    }
  }

  // ---- seats ----

  /**
   * Seats a player (any phase) and returns the seat. During a countdown they play the coming
   * round (a spawn clear of the others); once curves fly they sit out until the next round.
   */
  addPlayer(init: PlayerInit): Result<number> {
    const valid = validatePlayerInit(init)
    if (!valid.ok) return valid
    if (this.#find(init.id) !== undefined)
      return fail(`player ${JSON.stringify(init.id)} is already in this game`)
    const seat = this.#seats.indexOf(undefined)
    if (seat < 0) return fail(`the game is full (${this.config.maxPlayers} players)`)
    const player = createPlayer(init, seat, this.config)
    this.#seats[seat] = player
    if (this.#phase === 'countdown') this.#joinRound(player)
    return ok(seat)
  }

  /** Puts a player seated during the countdown in the round, away from the curves already in. */
  #joinRound(p: Player): void {
    const others = this.#inRound().map(({ x, y, heading }) => ({ x, y, heading }))
    const custom = this.config.spawn
    const pose =
      custom === null
        ? planSpawns(this.#spawnRng, 1, this.config, others)[0]
        : custom(this.#spawnRng, others.length + 1, this.config).at(-1)
    this.#resetForRound(p, pose ?? { x: p.x, y: p.y, heading: 0 })
    this.#target = targetScore(this.config, this.#contenders().length)
  }

  /**
   * Frees a seat. Mid-round the curve dies (others score as for any death) and the seat is held
   * until the round ends, so its trail keeps its owner.
   */
  removePlayer(id: string): Result<void> {
    const p = this.#find(id)
    if (p === undefined) return fail(`no player ${JSON.stringify(id)} in this game`)
    if (this.#phase === 'running' && p.inRound) {
      if (p.alive) this.#kill([p], () => ({ cause: 'left', by: null }))
      p.leaving = true
      return ok(undefined)
    }
    this.#seats[p.seat] = undefined
    if (this.#phase === 'countdown' && this.#contenders().length < this.config.minPlayers) {
      this.#toWaiting('too few players for the round')
    }
    return ok(undefined)
  }

  /**
   * Marks a player (dis)connected. A disconnected curve flies straight, or is steered by the bot
   * (config.disconnectedControl), until the room reconnects or removes it.
   */
  setConnected(id: string, connected: boolean): Result<void> {
    const p = this.#find(id)
    if (p === undefined) return fail(`no player ${JSON.stringify(id)} in this game`)
    p.connected = connected
    p.input = 0
    return ok(undefined)
  }

  /** Sets a human player's held steering: -1 left, 0 straight, 1 right. */
  setInput(id: string, value: unknown): Result<Turn> {
    const p = this.#find(id)
    if (p === undefined) return fail(`no player ${JSON.stringify(id)} in this game`)
    if (p.bot) return fail(`player ${JSON.stringify(id)} is a bot, steered by the server`)
    if (p.leaving) return fail(`player ${JSON.stringify(id)} has left the game`)
    if (!p.connected) return fail(`player ${JSON.stringify(id)} is disconnected; reconnect first`)
    const turn = parseTurn(value)
    if (turn.ok) p.input = turn.value
    return turn
  }

  // ---- phases ----

  /**
   * Starts a match (from waiting, or a new one after matchOver): scores reset, countdown begins.
   * `resume` continues a match after the rounds it lists (a restarted room): the seated
   * players keep their scores by id and the next round follows the last one played.
   */
  start(resume?: MatchProgress): Result<void> {
    if (this.#phase !== 'waiting' && this.#phase !== 'matchOver') {
      return fail(`a match is already under way (phase ${this.#phase})`)
    }
    this.#releaseLeaving()
    const count = this.#contenders().length
    if (count < this.config.minPlayers) {
      return fail(`a match needs at least ${this.config.minPlayers} players, there are ${count}`)
    }
    for (const p of this.#seated()) p.score = resume?.scores[p.id] ?? 0
    this.#round = resume?.round ?? 0
    this.#prepareRound()
    return ok(undefined)
  }

  /** Advances one fixed tick (config.dtMs) and returns what happened since the previous step. */
  step(): GameEvent[] {
    this.#tick += 1
    if (this.#phase === 'countdown') this.#countdownTick()
    else if (this.#phase === 'running') this.#runningTick()
    else if (this.#phase === 'roundOver' && --this.#phaseTicks <= 0) this.#prepareRound()
    const events = this.#events
    this.#events = []
    return events
  }

  #countdownTick(): void {
    if (this.#phaseTicks > 0) this.#phaseTicks -= 1
    if (this.#phaseTicks > 0) return
    this.#phase = 'running'
    const inRound = this.#inRound()
    this.#startedWith = inRound.length
    for (const p of inRound) beginStroke(p)
    this.#events.push({ type: 'roundStart', round: this.#round })
  }

  #prepareRound(): void {
    this.#releaseLeaving()
    const players = this.#contenders()
    if (players.length < this.config.minPlayers) {
      this.#toWaiting(
        `a round needs at least ${this.config.minPlayers} players, there are ${players.length}`,
      )
      return
    }
    this.#round += 1
    this.#grid.clear()
    this.#target = targetScore(this.config, players.length)
    const poses = (this.config.spawn ?? planSpawns)(this.#spawnRng, players.length, this.config)
    if (poses.length !== players.length) {
      throw new RangeError(
        `spawn planner returned ${poses.length} poses for ${players.length} players`,
      )
    }
    players.forEach((p, i) => {
      this.#resetForRound(p, poses[i] ?? { x: 0, y: 0, heading: 0 })
    })
    this.#phase = 'countdown'
    this.#phaseTicks = this.config.countdownTicks
    this.#winner = null
    this.#events.push({ type: 'countdown', round: this.#round, ticks: this.#phaseTicks })
  }

  #resetForRound(p: Player, pose: Pose): void {
    Object.assign(p, { x: pose.x, y: pose.y, heading: pose.heading, input: 0 })
    Object.assign(p, { alive: true, inRound: true, drawing: true, trail: [], wanderTicks: 0 })
    p.rng = Rng.fromSeed(deriveSeed(this.seed, this.#round, p.seat, GAP_STREAM))
    p.botRng = Rng.fromSeed(deriveSeed(this.seed, this.#round, p.seat, BOT_STREAM))
    p.recent.clear()
    p.gapTicks = this.#nextGapInterval(p)
  }

  #toWaiting(reason: string): void {
    this.#phase = 'waiting'
    this.#phaseTicks = 0
    this.#winner = null
    for (const p of this.#seated())
      Object.assign(p, { inRound: false, alive: false, drawing: false })
    this.#events.push({ type: 'waiting', reason })
  }

  // ---- the running tick ----

  #runningTick(): void {
    if (!this.#roundDecided()) this.#moveAll()
    if (this.#roundDecided()) this.#endRound()
  }

  #moveAll(): void {
    let deaths = 0
    for (const p of this.#seats) {
      if (p === undefined || !p.alive) continue
      const motion = this.#motionOf(p)
      advance(p, this.#steer(p), this.#probeOf(p), motion)
      motion.tick = this.#tick
      if (motion.hit !== null) deaths += 1
    }
    if (deaths > 0) this.#killCollided()
    for (const p of this.#seats) {
      const motion = p === undefined ? undefined : this.#motionOf(p)
      if (p === undefined || motion?.tick !== this.#tick) continue
      // Painted even when it died this tick: the trail reaches the point of impact.
      if (motion.drawing) paintPath(p, motion, this.#grid, this.config.trailRadius, this.#tick)
      if (!p.alive) continue
      if (motion.drawing)
        extendStroke(p, (motion.turn * this.config.turnRate) / this.config.tickRate)
      this.#gapTick(p)
    }
  }

  #killCollided(): void {
    const hits = new Map<Player, Hit>()
    for (const p of this.#seated()) {
      const motion = this.#motionOf(p)
      if (motion.tick === this.#tick && motion.hit !== null) hits.set(p, motion.hit)
    }
    this.#kill([...hits.keys()], (p) => this.#describeHit(hits.get(p)))
  }

  #steer(p: Player): Turn {
    const autopilot = p.bot || (!p.connected && this.config.disconnectedControl === 'bot')
    if (!autopilot) return p.connected ? p.input : 0
    if ((this.#tick + p.seat) % this.config.botThinkEvery === 0)
      p.input = botTurn(p, this.#probeOf(p))
    return p.input
  }

  #probeOf(p: Player): Probe {
    let probe = this.#probes[p.seat]
    if (probe?.recent !== p.recent) {
      probe = createProbe(p, this.#grid, this.config)
      this.#probes[p.seat] = probe
    }
    probe.freshSince = this.#tick - this.config.graceTicks
    return probe
  }

  #motionOf(p: Player): Motion {
    const motion = this.#motions[p.seat]
    if (motion !== undefined) return motion
    const created = createMotion(this.config)
    this.#motions[p.seat] = created
    return created
  }

  #describeHit(hit: Hit | undefined): { cause: DeathCause; by: string | null } {
    if (hit?.kind !== 'trail') return { cause: 'wall', by: null }
    return { cause: 'trail', by: this.#seats[hit.owner]?.id ?? null }
  }

  /** Kills `dying` together: each survivor scores one point per death. */
  #kill(
    dying: readonly Player[],
    why: (p: Player) => { cause: DeathCause; by: string | null },
  ): void {
    if (dying.length === 0) return
    for (const p of dying) p.alive = false
    awardDeaths(
      this.#inRound().filter((p) => p.alive),
      dying.length,
    )
    for (const p of dying) {
      if (p.drawing) endStroke(p)
      p.drawing = false
      this.#events.push({ type: 'death', round: this.#round, id: p.id, ...why(p) })
    }
  }

  #gapTick(p: Player): void {
    if (this.config.gapIntervalTicks === null || --p.gapTicks > 0) return
    if (p.drawing) {
      endStroke(p)
      p.drawing = false
      p.gapTicks = this.config.gapTicks
    } else {
      p.drawing = true
      beginStroke(p)
      p.gapTicks = this.#nextGapInterval(p)
    }
  }

  #nextGapInterval(p: Player): number {
    const range = this.config.gapIntervalTicks
    return range === null ? Number.POSITIVE_INFINITY : p.rng.int(range[0], range[1])
  }

  #roundDecided(): boolean {
    let alive = 0
    for (const p of this.#seats) if (p?.alive) alive += 1
    return alive <= (this.#startedWith >= 2 ? 1 : 0)
  }

  #endRound(): void {
    const survivors = this.#inRound().filter((p) => p.alive)
    for (const p of survivors) endStroke(p)
    const winner = this.#startedWith >= 2 && survivors.length === 1 ? (survivors[0] ?? null) : null
    this.#phase = 'roundOver'
    this.#phaseTicks = this.config.roundOverTicks
    this.#winner = winner?.seat ?? null
    this.#events.push({ type: 'roundOver', round: this.#round, winner: winner?.id ?? null })
    const champion = matchWinner(this.#contenders(), this.#target, this.config.winByTwo)
    if (champion === null) return
    this.#phase = 'matchOver'
    this.#phaseTicks = 0
    this.#winner = champion.seat
    const scores = Object.fromEntries(this.#seated().map((p) => [p.id, p.score]))
    this.#events.push({ type: 'matchOver', winner: champion.id, scores })
  }

  // ---- lookups ----

  #seated(): Player[] {
    return this.#seats.filter((p): p is Player => p !== undefined)
  }
  #contenders(): Player[] {
    return this.#seated().filter((p) => !p.leaving)
  }
  #inRound(): Player[] {
    return this.#seated().filter((p) => p.inRound)
  }
  #find(id: string): Player | undefined {
    return this.#seats.find((p) => p?.id === id)
  }
  #releaseLeaving(): void {
    this.#seats.forEach((p, seat) => {
      if (p?.leaving) this.#seats[seat] = undefined
    })
  }

  /** A fingerprint of everything that decides the future: equal hashes, equal games. */
  hash(): string {
    const h = new StateHash().u32(this.#tick).u32(PHASES.indexOf(this.#phase)).u32(this.#phaseTicks)
    h.u32(this.#round)
      .u32(this.#winner ?? 255)
      .u32(this.#target)
      .u32(this.#startedWith)
    for (const word of this.#spawnRng.state()) h.u32(word)
    for (const p of this.#seats) {
      if (p === undefined) {
        h.u32(0)
        continue
      }
      h.text(p.id)
        .f64(p.x)
        .f64(p.y)
        .f64(p.heading)
        .u32(p.score)
        .u32(p.input + 1)
        .f64(p.gapTicks)
      h.u32(
        Number(p.alive) |
          (Number(p.drawing) << 1) |
          (Number(p.inRound) << 2) |
          (Number(p.connected) << 3),
      )
      h.u32(Number(p.leaving))
        .u32(p.wanderTicks)
        .u32(p.wanderTurn + 1)
        .u32(p.trail.length)
      for (const word of [...p.rng.state(), ...p.botRng.state()]) h.u32(word)
      for (const n of p.trail) h.u32(n)
    }
    return h.bytes(this.#grid.cells).digest()
  }
}
