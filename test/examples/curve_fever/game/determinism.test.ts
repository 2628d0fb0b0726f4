import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FrameEncoder, Game, type Turn } from '../../../../examples/curve_fever/game/index.ts'
import { Rng } from '../../../../examples/curve_fever/game/rng.ts'
import { bot, human } from './helpers.ts'

interface Trace {
  hashes: string[]
  events: string[]
  frames: string[]
}

/** A 4-seat match (two scripted humans, two bots) played for `ticks`, fingerprinted as it goes. */
function play(seed: number, ticks = 4000): Trace {
  const game = new Game({ seed, config: { targetScore: 100 } })
  for (const p of [human('h1'), bot('b1'), human('h2'), bot('b2')]) game.addPlayer(p)
  game.start()
  // The humans' key presses come from their own fixed script, the same for every game seed.
  const script = Rng.fromSeed(99)
  const encoder = new FrameEncoder()
  const trace: Trace = { hashes: [], events: [], frames: [] }
  for (let i = 0; i < ticks; i++) {
    if (i % 7 === 0) game.setInput(i % 14 === 0 ? 'h1' : 'h2', (script.int(0, 2) - 1) as Turn)
    trace.events.push(...game.step().map((e) => `${game.tick} ${JSON.stringify(e)}`))
    if (i % 3 === 0)
      trace.frames.push(Buffer.from(encoder.encode(game.encodable)).toString('base64'))
    if (i % 100 === 0) trace.hashes.push(game.hash())
  }
  trace.hashes.push(game.hash())
  return trace
}

test('the same seed and inputs give the same states, events and frames, bit for bit', () => {
  const first = play(42)
  const second = play(42)
  assert.ok(
    first.events.filter((e) => e.includes('"roundOver"')).length >= 2,
    'the run should span rounds',
  )
  assert.deepEqual(second.hashes, first.hashes)
  assert.deepEqual(second.events, first.events)
  assert.deepEqual(second.frames, first.frames)
})

test('different seeds give different games', () => {
  const a = play(1, 600)
  const b = play(2, 600)
  assert.notEqual(a.hashes.at(-1), b.hashes.at(-1))
  // They differ from the first tick: spawns are seeded.
  assert.notEqual(a.hashes[0], b.hashes[0])
})

test('the hash sees every input: one different key press changes it', () => {
  const run = (turn: Turn): string => {
    const game = new Game({ seed: 7, config: { countdownMs: 0, minPlayers: 1 } })
    game.addPlayer(human('a'))
    game.start()
    game.step()
    game.setInput('a', turn)
    game.step()
    return game.hash()
  }
  assert.equal(run(1), run(1))
  assert.notEqual(run(1), run(-1))
  assert.notEqual(run(0), run(1))
})

test('spectators cannot exist in the simulation: only seated ids steer', () => {
  const game = new Game({ seed: 7 })
  game.addPlayer(human('a'))
  game.addPlayer(human('b'))
  game.start()
  const before = game.hash()
  assert.deepEqual(game.setInput('spectator', 1), {
    ok: false,
    reason: 'no player "spectator" in this game',
  })
  assert.equal(game.hash(), before)
})
