/** A seat's mutable record inside the simulation, and the read-only view handed out. */
import type { EncodablePlayer } from './codec.ts'
import type { ResolvedConfig } from './config.ts'
import { RecentCells } from './grid.ts'
import { Rng } from './rng.ts'

/** Steering: -1 turns left (counter-clockwise on screen), 0 straight, 1 right. */
export type Turn = -1 | 0 | 1

export interface PlayerInit {
  readonly id: string
  readonly name: string
  /** '#rrggbb' */
  readonly colour: string
  readonly bot?: boolean
}

export interface Player extends EncodablePlayer {
  readonly seat: number
  readonly id: string
  readonly name: string
  readonly colour: string
  readonly bot: boolean
  connected: boolean
  leaving: boolean
  inRound: boolean
  alive: boolean
  drawing: boolean
  x: number
  y: number
  heading: number
  score: number
  /** The held steering (humans), or the bot's current decision. */
  input: Turn
  /** Ticks until drawing toggles (gap starts or ends); Infinity when gaps are off. */
  gapTicks: number
  rng: Rng
  botRng: Rng
  /** Ticks left on a bot's idle wander, and its direction. */
  wanderTicks: number
  wanderTurn: Turn
  trail: number[]
  /** Since the last trail point: ticks, and heading change (radians). */
  emitTicks: number
  emitTurn: number
  readonly recent: RecentCells
}

export type PlayerView = Readonly<Omit<Player, 'rng' | 'botRng' | 'recent' | 'trail'>> & {
  readonly trailPoints: number
}

/** Enough ring slots for every cell a curve can paint within its grace period. */
function recentCapacity(c: ResolvedConfig): number {
  const span = Math.ceil((2 * c.trailRadius) / c.cellSize) + 1
  return (c.graceTicks + 1) * c.substeps * span * span
}

export function createPlayer(init: PlayerInit, seat: number, config: ResolvedConfig): Player {
  return {
    seat,
    id: init.id,
    name: init.name.trim(),
    colour: init.colour.toLowerCase(),
    bot: init.bot === true,
    connected: true,
    leaving: false,
    inRound: false,
    alive: false,
    drawing: false,
    x: config.arenaWidth / 2,
    y: config.arenaHeight / 2,
    heading: 0,
    score: 0,
    input: 0,
    gapTicks: Number.POSITIVE_INFINITY,
    rng: Rng.fromSeed(seat + 1),
    botRng: Rng.fromSeed(seat + 101),
    wanderTicks: 0,
    wanderTurn: 0,
    trail: [],
    emitTicks: 0,
    emitTurn: 0,
    recent: new RecentCells(recentCapacity(config)),
  }
}

export function viewOf(p: Player): PlayerView {
  const { rng: _rng, botRng: _botRng, recent: _recent, trail, ...rest } = p
  return { ...rest, trailPoints: trail.length >> 1 }
}
