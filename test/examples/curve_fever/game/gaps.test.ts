import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decode, FrameEncoder, type Pose } from '../../../../examples/curve_fever/game/index.ts'
import { deathOf, exactConfig, human, RIGHT, running, stepUntil, UP } from './helpers.ts'

// A gap exactly every second, 30 units long: the schedule is fixed, so the hole is predictable.
const gap = { minIntervalMs: 1000, maxIntervalMs: 1000, length: 30 }

/** Flies a lone curve right from (100, 400) and returns the x range of its first gap. */
function firstGap(): [start: number, end: number] {
  const game = running([human('a')], exactConfig([{ x: 100, y: 400, heading: RIGHT }], { gap }))
  const xs: number[] = []
  for (let i = 0; i < 120; i++) {
    game.step()
    const a = game.player('a')
    if (a !== undefined && !a.drawing) xs.push(a.x)
  }
  assert.ok(xs.length > 0, 'the curve never stopped drawing')
  return [Math.min(...xs), Math.max(...xs)]
}

test('gaps open on the seeded schedule and last the configured length', () => {
  const game = running([human('a')], exactConfig([{ x: 100, y: 400, heading: RIGHT }], { gap }))
  const drawing: boolean[] = []
  for (let i = 0; i < 200; i++) {
    game.step()
    drawing.push(game.player('a')?.drawing ?? false)
  }
  const gapTicks = Math.ceil(gap.length / (game.config.speed / game.config.tickRate))
  // Draw 60 ticks, gap for gapTicks, draw 60 again, gap again.
  const expected = Array.from({ length: 200 }, (_, i) => {
    const cycle = i % (60 + gapTicks)
    return cycle < 59 || cycle === 59 + gapTicks
  })
  assert.deepEqual(drawing.map(Number).join(''), expected.map(Number).join(''))
})

test('random gap intervals stay inside the configured range and differ between seeds', () => {
  const config = exactConfig([{ x: 20, y: 500, heading: RIGHT }], {
    gap: { minIntervalMs: 500, maxIntervalMs: 1500, length: 10 },
    arenaWidth: 1000,
    arenaHeight: 1000,
  })
  const intervals = (seed: number): { gapTicks: number; intervals: number[] } => {
    const game = running([human('a')], config, seed)
    const starts: number[] = []
    let wasDrawing = true
    for (let i = 0; i < 590; i++) {
      game.step()
      const drawing = game.player('a')?.drawing ?? true
      if (wasDrawing && !drawing) starts.push(i)
      wasDrawing = drawing
    }
    assert.equal(game.player('a')?.alive, true)
    return {
      gapTicks: game.config.gapTicks,
      intervals: starts.slice(1).map((s, i) => s - (starts[i] ?? 0)),
    }
  }
  const a = intervals(1)
  const b = intervals(2)
  assert.ok(a.intervals.length >= 4 && b.intervals.length >= 4)
  for (const interval of [...a.intervals, ...b.intervals]) {
    // Between two gap starts: drawing for 30..90 ticks, then the gap itself.
    assert.ok(interval >= 30 + a.gapTicks && interval <= 90 + a.gapTicks, `interval ${interval}`)
  }
  assert.notDeepEqual(a.intervals, b.intervals)
  assert.equal(new Set(a.intervals).size > 1, true, 'intervals should vary')
})

function crossing(x: number): ReturnType<typeof stepUntil> {
  const poses: Pose[] = [
    { x: 100, y: 400, heading: RIGHT },
    { x, y: 600, heading: UP },
  ]
  const game = running([human('a'), human('b')], exactConfig(poses, { gap }))
  return stepUntil(game, (e) => e.type === 'death')
}

test('a curve slips through another’s gap, and dies crossing the drawn trail beside it', () => {
  const [start, end] = firstGap()
  assert.ok(end - start > 20, `gap ${start}..${end}`)
  // Through the middle of the hole: b flies on until the top wall.
  const through = crossing((start + end) / 2)
  assert.deepEqual(deathOf(through, 'b')?.event, {
    type: 'death',
    round: 1,
    id: 'b',
    cause: 'wall',
    by: null,
  })
  // 40 units to the left the trail is solid.
  const blocked = crossing(start - 40)
  const death = deathOf(blocked, 'b')?.event
  assert.deepEqual(death, { type: 'death', round: 1, id: 'b', cause: 'trail', by: 'a' })
})

test('the wire trail breaks into strokes at the gaps', () => {
  const game = running([human('a')], exactConfig([{ x: 100, y: 400, heading: RIGHT }], { gap }))
  for (let i = 0; i < 200; i++) game.step()
  const frame = decode(new FrameEncoder().encode(game.encodable))
  assert.equal(frame.type, 'frame')
  const points = frame.type === 'frame' ? frame.runs.flatMap((r) => r.points) : []
  const starts = points.filter((p) => p.start).map((p) => Math.round(p.x))
  // The round's start, then the end of each of the two gaps.
  assert.equal(starts.length, 3)
  assert.equal(starts[0], 100)
  const [gapStart, gapEnd] = firstGap()
  assert.ok(
    Math.abs((starts[1] ?? 0) - gapEnd) < 3,
    `second stroke starts at ${starts[1]}, gap ends ${gapEnd}`,
  )
  // The stroke before the gap ends where the gap starts.
  const beforeGap = points[points.findIndex((p) => p.start && p !== points[0]) - 1]
  assert.ok(beforeGap !== undefined && Math.abs(beforeGap.x - gapStart) < 3)
})
