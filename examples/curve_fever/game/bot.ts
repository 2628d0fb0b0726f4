/**
 * A steering AI over the occupancy grid. It traces short flight plans (hold a turn for 0, 8, 20,
 * 45 or 90 ticks, then fly straight) with the simulation's own collision test and takes the
 * first step of the plan that stays clear longest. With open space ahead it wanders a little, so
 * bots do not all fly straight lines. Deterministic: it reads only the state and its own Rng.
 */
import { collisionAlong, type Probe } from './physics.ts'
import type { Player, Turn } from './player.ts'

/** How far ahead a plan is traced, in ticks (1.5 s: several turning circles of clearance). */
const HORIZON = 90
/** Ticks a turn is held before the plan flies straight; the last is a full-horizon turn. */
const HOLDS = [8, 20, 45, HORIZON] as const
/** A small preference for keeping the current decision, against dithering between equals. */
const KEEP_BONUS = 3
/** Per think, the chance to start an idle wander while the way ahead is open. */
const WANDER_CHANCE = 0.08

/**
 * A traced head: [x, y, cos, sin], the heading kept as a unit vector that is rotated rather
 * than re-derived by trig. Typed arrays so the hot loop writes doubles without boxing them.
 */
type Pen = Float64Array
const arcPen: Pen = new Float64Array(4)
const branchPen: Pen = new Float64Array(4)

function placePen(pen: Pen, p: Player): Pen {
  pen[0] = p.x
  pen[1] = p.y
  pen[2] = Math.cos(p.heading)
  pen[3] = Math.sin(p.heading)
  return pen
}

/**
 * Flies `pen` up to `ticks` ticks, turning `turn` each tick, and returns the ticks flown before
 * a collision (== ticks when clear). Mutates `pen`.
 */
function fly(probe: Probe, pen: Pen, ticks: number, turn: Turn): number {
  const c = probe.config
  const perTick = c.speed / c.tickRate
  const angle = (turn * c.turnRate) / c.tickRate
  const rc = Math.cos(angle)
  const rs = Math.sin(angle)
  let x = pen[0] ?? 0
  let y = pen[1] ?? 0
  let cos = pen[2] ?? 1
  let sin = pen[3] ?? 0
  let t = 0
  for (; t < ticks; t++) {
    const nextCos = cos * rc - sin * rs
    sin = sin * rc + cos * rs
    cos = nextCos
    x += cos * perTick
    y += sin * perTick
    if (collisionAlong(probe, x, y, cos, sin) !== null) break
  }
  pen[0] = x
  pen[1] = y
  pen[2] = cos
  pen[3] = sin
  return t
}

/** Ticks survived turning `turn` for `hold` ticks, then flying straight (at most HORIZON). */
export function clearance(p: Player, probe: Probe, turn: Turn, hold: number): number {
  const pen = placePen(arcPen, p)
  const arcTicks = Math.min(hold, HORIZON)
  const arc = fly(probe, pen, arcTicks, turn)
  if (arc < arcTicks) return arc
  return arc + fly(probe, pen, HORIZON - arc, 0)
}

/**
 * The best plan turning `turn`: one arc is traced and a straight branch leaves it at each hold,
 * so the plans share their common prefix.
 */
function bestTurning(p: Player, probe: Probe, turn: Turn): number {
  const arc = placePen(arcPen, p)
  let flown = 0
  let best = 0
  for (const hold of HOLDS) {
    flown += fly(probe, arc, hold - flown, turn)
    if (flown < hold) return Math.max(best, flown)
    branchPen.set(arc)
    best = Math.max(best, flown + fly(probe, branchPen, HORIZON - flown, 0))
    if (best >= HORIZON) return best
  }
  return best
}

function wander(p: Player, probe: Probe): Turn | null {
  if (p.wanderTicks <= 0) {
    if (p.botRng.float() >= WANDER_CHANCE) return null
    p.wanderTurn = p.botRng.float() < 0.5 ? -1 : 1
    p.wanderTicks = p.botRng.int(6, 40)
  }
  p.wanderTicks -= probe.config.botThinkEvery
  const hold = Math.max(0, p.wanderTicks)
  return clearance(p, probe, p.wanderTurn, hold) >= HORIZON ? p.wanderTurn : null
}

/** The bot's steering for the next ticks. */
export function botTurn(p: Player, probe: Probe): Turn {
  const straight = clearance(p, probe, 0, 0)
  if (straight >= HORIZON) return wander(p, probe) ?? 0
  p.wanderTicks = 0
  const keep = (turn: Turn): number => (turn === p.input ? KEEP_BONUS : 0)
  const options: [Turn, number][] = [
    [0, straight + keep(0)],
    [-1, bestTurning(p, probe, -1) + keep(-1)],
    [1, bestTurning(p, probe, 1) + keep(1)],
  ]
  return options.reduce((best, option) => (option[1] > best[1] ? option : best))[0]
}
