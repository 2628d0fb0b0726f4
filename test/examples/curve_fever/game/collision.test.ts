import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DOWN, deathOf, exactConfig, human, LEFT, RIGHT, running, stepUntil } from './helpers.ts'

test('a curve flying into a wall dies on the substep its trail edge reaches it', () => {
  const game = running([human('a')], exactConfig([{ x: 100, y: 400, heading: LEFT }]))
  const start = game.tick
  const { stepLength, substeps, trailRadius } = game.config
  const substepsToWall = Math.floor((100 - trailRadius) / stepLength) + 1
  const expectedTick = start + Math.ceil(substepsToWall / substeps)

  const events = stepUntil(game, (e) => e.type === 'death')
  const death = deathOf(events, 'a')
  assert.deepEqual(death?.event, { type: 'death', round: 1, id: 'a', cause: 'wall', by: null })
  assert.equal(death?.tick, expectedTick)
  const a = game.player('a')
  assert.ok(a !== undefined && !a.alive && a.x < trailRadius && a.x > trailRadius - stepLength)
})

test('crossing another curve’s trail kills, and the owner outlives and scores', () => {
  // a flies right along y = 400; b comes down x = 400 and arrives after a has passed.
  const poses = [
    { x: 100, y: 400, heading: RIGHT },
    { x: 400, y: 40, heading: DOWN },
  ]
  const game = running([human('a'), human('b')], exactConfig(poses))
  const events = stepUntil(game, (e) => e.type === 'roundOver')
  const death = deathOf(events, 'b')
  assert.deepEqual(death?.event, { type: 'death', round: 1, id: 'b', cause: 'trail', by: 'a' })
  const b = game.player('b')
  // It died at a's trail (width 5 around y = 400), not before and not beyond.
  assert.ok(b !== undefined && b.y > 400 - 2 * game.config.trailRadius - 1 && b.y < 400)
  assert.equal(game.player('a')?.score, 1)
  assert.equal(game.player('b')?.score, 0)
  assert.equal(game.phase, 'roundOver')
  assert.equal(game.winner, game.player('a')?.seat)
})

test('the same crossing is harmless when b arrives before a', () => {
  const poses = [
    { x: 100, y: 400, heading: RIGHT },
    { x: 400, y: 250, heading: DOWN },
  ]
  const game = running([human('a'), human('b')], exactConfig(poses))
  for (let i = 0; i < 150; i++) game.step()
  // b crossed y = 400 around tick 94, before a reached x = 400 (tick ~188): a meets b's trail.
  assert.equal(game.player('b')?.alive, true)
  const events = stepUntil(game, (e) => e.type === 'death')
  assert.deepEqual(deathOf(events, 'a')?.event, {
    type: 'death',
    round: 1,
    id: 'a',
    cause: 'trail',
    by: 'b',
  })
})

test('a curve circling into its own trail dies, but never on the fresh trail behind its head', () => {
  const game = running([human('a')], exactConfig([{ x: 400, y: 400, heading: RIGHT }]))
  assert.deepEqual(game.setInput('a', 1), { ok: true, value: 1 })
  const start = game.tick
  const events = stepUntil(game, (e) => e.type === 'death')
  const death = deathOf(events, 'a')
  assert.deepEqual(death?.event, { type: 'death', round: 1, id: 'a', cause: 'trail', by: 'a' })
  // One lap of the turning circle: 2π × speed / turnRate units.
  const { speed, turnRate, tickRate } = game.config
  const lapTicks = ((2 * Math.PI) / turnRate) * tickRate
  const lived = (death?.tick ?? 0) - start
  assert.ok(
    lived > 0.8 * lapTicks && lived < 1.05 * lapTicks,
    `died after ${lived} ticks, a lap is ${lapTicks}`,
  )
  assert.ok(speed > 0)
})

test('flying straight or in a gentle S never trips over the curve’s own fresh trail', () => {
  const game = running([human('a')], exactConfig([{ x: 60, y: 400, heading: RIGHT }]))
  for (let i = 0; i < 400; i++) {
    game.setInput('a', Math.floor(i / 20) % 2 === 0 ? 1 : -1)
    game.step()
    assert.equal(game.player('a')?.alive, true, `died at step ${i}`)
  }
})
