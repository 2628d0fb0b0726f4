// A micro-measurement, printed and never asserted on time: CI machines vary too much.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FrameEncoder, Game } from '../../../../examples/curve_fever/game/index.ts'
import { bot } from './helpers.ts'

test('per-tick cost of a 4-bot room (printed)', () => {
  const game = new Game({ seed: 2024, config: { targetScore: 10_000 } })
  for (const id of ['a', 'b', 'c', 'd']) game.addPlayer(bot(id))
  game.start()
  for (let i = 0; i < 2000; i++) game.step() // warm-up
  let runningTicks = 0
  let runningNs = 0n
  const started = process.hrtime.bigint()
  const ticks = 30_000
  for (let i = 0; i < ticks; i++) {
    const running = game.phase === 'running'
    const t0 = process.hrtime.bigint()
    game.step()
    if (running) {
      runningNs += process.hrtime.bigint() - t0
      runningTicks += 1
    }
  }
  const totalUs = Number(process.hrtime.bigint() - started) / 1000
  const encoder = new FrameEncoder()
  for (let i = 0; i < 20_000; i++) encoder.encode(game.encodable) // warm-up
  const e0 = process.hrtime.bigint()
  for (let i = 0; i < 20_000; i++) encoder.encode(game.encodable)
  const encodeUs = Number(process.hrtime.bigint() - e0) / 1000 / 20_000
  const perRunningTick = Number(runningNs) / runningTicks / 1000
  console.log(
    `4 bots: ${perRunningTick.toFixed(1)} µs per running tick (${runningTicks} ticks), ` +
      `${(totalUs / ticks).toFixed(1)} µs per tick over all phases; frame encode ${encodeUs.toFixed(1)} µs; ` +
      `one core at 60 Hz fits ~${Math.floor(1e6 / 60 / perRunningTick)} such rooms by simulation cost`,
  )
  assert.ok(runningTicks > ticks / 2, 'most ticks should be spent playing')
  assert.ok(game.round > 3)
})
