// Statistical, but every run is seeded, so the numbers (and the verdict) are the same each time.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Game, Rng, type Turn } from '../../../../examples/curve_fever/game/index.ts'
import { bot, human } from './helpers.ts'

type Driver = 'bot' | 'straight' | 'random'
const CAP = 3600

/** Ticks a lone curve survives from a random spawn (capped at one minute). */
function survival(driver: Driver, seed: number): number {
  const game = new Game({ seed, config: { minPlayers: 1, countdownMs: 0 } })
  game.addPlayer(driver === 'bot' ? bot('p') : human('p'))
  game.start()
  game.step()
  const keys = Rng.fromSeed(seed + 1000)
  for (let t = 0; t < CAP; t++) {
    if (driver === 'random' && t % 10 === 0) game.setInput('p', (keys.int(0, 2) - 1) as Turn)
    game.step()
    if (game.player('p')?.alive !== true) return t
  }
  return CAP
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length

test('alone in the arena, a bot survives far longer than a straight or random driver', () => {
  const seeds = Array.from({ length: 10 }, (_, i) => i + 1)
  const lives = (d: Driver): number[] => seeds.map((s) => survival(d, s))
  const bots = lives('bot')
  const straight = lives('straight')
  const random = lives('random')
  console.log(
    `solo survival, mean ticks over ${seeds.length} seeds: bot ${mean(bots).toFixed(0)}, straight ${mean(straight).toFixed(0)}, random ${mean(random).toFixed(0)} (cap ${CAP})`,
  )
  assert.ok(mean(bots) > 4 * mean(straight), `bot ${bots} vs straight ${straight}`)
  assert.ok(mean(bots) > 4 * mean(random), `bot ${bots} vs random ${random}`)
  assert.ok(Math.min(...bots) > Math.max(...straight), 'every bot outlives every straight driver')
})

test('in a shared arena, bots outscore random drivers', () => {
  const game = new Game({ seed: 11, config: { targetScore: 1000, countdownMs: 0, roundOverMs: 0 } })
  for (const p of [bot('bot1'), human('rnd1'), bot('bot2'), human('rnd2')]) game.addPlayer(p)
  game.start()
  const keys = Rng.fromSeed(77)
  let roundWins = 0
  while (game.round <= 6) {
    if (game.tick % 10 === 0)
      for (const id of ['rnd1', 'rnd2']) game.setInput(id, (keys.int(0, 2) - 1) as Turn)
    for (const e of game.step())
      if (e.type === 'roundOver' && e.winner?.startsWith('bot')) roundWins += 1
  }
  const score = (id: string): number => game.player(id)?.score ?? 0
  console.log(
    `6 rounds, 2 bots vs 2 random: bot wins ${roundWins}, scores ${game.players().map((p) => `${p.id}=${p.score}`)}`,
  )
  assert.ok(score('bot1') + score('bot2') > 2 * (score('rnd1') + score('rnd2')))
  assert.ok(roundWins >= 5)
})
