/** Moving a curve one tick and testing its head against the walls and the occupancy grid. */
import type { ResolvedConfig } from './config.ts'
import type { RecentCells, TrailGrid } from './grid.ts'
import type { Player, Turn } from './player.ts'

export type Hit = { readonly kind: 'wall' } | { readonly kind: 'trail'; readonly owner: number }

const WALL: Hit = { kind: 'wall' }
const TWO_PI = 2 * Math.PI

// The head is tested at three points on its front arc: straight ahead and ±0.9 rad.
const SIDE = 0.9
const SIDE_COS = Math.cos(SIDE)
const SIDE_SIN = Math.sin(SIDE)

/** What a collision test needs to know about one curve; kept per seat and reused every tick. */
export interface Probe {
  readonly grid: TrailGrid
  readonly config: ResolvedConfig
  readonly seat: number
  readonly recent: RecentCells
  /** Own cells painted at this tick or later are ignored. */
  freshSince: number
}

/** One curve's movement in the current tick (a reused scratch record). */
export interface Motion {
  /** Substep positions [x, y, x, y…]; the first `steps` pairs are this tick's. */
  readonly path: Float64Array
  steps: number
  hit: Hit | null
  turn: Turn
  /** Whether the curve was drawing when the tick began (a death ends drawing mid-tick). */
  drawing: boolean
  /** The tick this record describes. */
  tick: number
}

function cellHit(probe: Probe, x: number, y: number): Hit | null {
  const cell = probe.grid.indexAt(x, y)
  if (cell < 0) return null
  const owner = probe.grid.cells[cell] ?? 0
  if (owner === 0) return null
  if (owner === probe.seat + 1 && probe.recent.has(cell, probe.freshSince)) return null
  return { kind: 'trail', owner: owner - 1 }
}

/** What a head at (x, y) moving along `heading` runs into, if anything. */
export function collision(probe: Probe, x: number, y: number, heading: number): Hit | null {
  return collisionAlong(probe, x, y, Math.cos(heading), Math.sin(heading))
}

/** `collision` with the heading given as its unit vector (cos, sin). */
export function collisionAlong(
  probe: Probe,
  x: number,
  y: number,
  cos: number,
  sin: number,
): Hit | null {
  const { arenaWidth, arenaHeight, trailRadius: r } = probe.config
  if (x < r || y < r || x > arenaWidth - r || y > arenaHeight - r) return WALL
  const leftCos = cos * SIDE_COS + sin * SIDE_SIN
  const leftSin = sin * SIDE_COS - cos * SIDE_SIN
  const rightCos = cos * SIDE_COS - sin * SIDE_SIN
  const rightSin = sin * SIDE_COS + cos * SIDE_SIN
  return (
    cellHit(probe, x + r * cos, y + r * sin) ??
    cellHit(probe, x + r * leftCos, y + r * leftSin) ??
    cellHit(probe, x + r * rightCos, y + r * rightSin)
  )
}

export function createProbe(p: Player, grid: TrailGrid, config: ResolvedConfig): Probe {
  return { grid, config, seat: p.seat, recent: p.recent, freshSince: 0 }
}

export const createMotion = (config: ResolvedConfig): Motion => ({
  path: new Float64Array(2 * config.substeps),
  steps: 0,
  hit: null,
  turn: 0,
  drawing: false,
  tick: -1,
})

/**
 * Moves `p` one tick in substeps, recording each substep's position in `motion` (painted once
 * every curve has moved). Stops at the first collision and records it.
 */
export function advance(p: Player, turn: Turn, probe: Probe, motion: Motion): void {
  const { substeps, turnPerStep, stepLength } = probe.config
  motion.turn = turn
  motion.drawing = p.drawing
  motion.hit = null
  for (let s = 0; s < substeps; s++) {
    p.heading += turn * turnPerStep
    p.x += Math.cos(p.heading) * stepLength
    p.y += Math.sin(p.heading) * stepLength
    motion.path[2 * s] = p.x
    motion.path[2 * s + 1] = p.y
    motion.steps = s + 1
    motion.hit = collision(probe, p.x, p.y, p.heading)
    if (motion.hit !== null) return
  }
  p.heading = ((p.heading % TWO_PI) + TWO_PI) % TWO_PI
}

/** Paints the discs along this tick's path as `p`'s trail, remembering the fresh cells. */
export function paintPath(
  p: Player,
  motion: Motion,
  grid: TrailGrid,
  radius: number,
  tick: number,
): void {
  const owner = p.seat + 1
  for (let s = 0; s < motion.steps; s++) {
    grid.paintDisc(
      motion.path[2 * s] ?? 0,
      motion.path[2 * s + 1] ?? 0,
      radius,
      owner,
      p.recent,
      tick,
    )
  }
}
