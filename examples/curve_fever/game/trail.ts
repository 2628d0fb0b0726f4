/**
 * The trail as clients draw it: a polyline per stroke, in wire fixed point. A point is kept when
 * the heading has turned enough or a while has passed, so straight runs cost little and curves
 * stay within a small fraction of a unit of the path the grid records.
 */
import { STROKE_START, toFixed } from './codec.ts'
import type { Player } from './player.ts'

/** A new point at least this often while drawing, and whenever the heading turned this much. */
const MAX_POINT_TICKS = 15
const MAX_POINT_TURN = 0.12

function pushPoint(p: Player, start: boolean): void {
  p.trail.push(toFixed(p.x) | (start ? STROKE_START : 0), toFixed(p.y))
  p.emitTicks = 0
  p.emitTurn = 0
}

/** Starts a stroke at the head (the round's start, or a gap's end). */
export function beginStroke(p: Player): void {
  pushPoint(p, true)
}

/** Records one more tick of drawing, turned by `turned` radians. */
export function extendStroke(p: Player, turned: number): void {
  p.emitTicks += 1
  p.emitTurn += Math.abs(turned)
  if (p.emitTicks >= MAX_POINT_TICKS || p.emitTurn >= MAX_POINT_TURN) pushPoint(p, false)
}

/** Ends a stroke where the head is (a gap starts, or the curve died). */
export function endStroke(p: Player): void {
  if (p.emitTicks > 0) pushPoint(p, false)
}
