import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import {
  Game,
  parseTurn,
  resolveConfig,
  validatePlayerInit,
} from '../../../../examples/curve_fever/game/index.ts'
import { bot, human } from './helpers.ts'

test('parseTurn accepts exactly -1, 0 and 1', () => {
  for (const turn of [-1, 0, 1] as const)
    assert.deepEqual(parseTurn(turn), { ok: true, value: turn })
  const reason = (value: unknown): string => {
    const result = parseTurn(value)
    assert.equal(result.ok, false)
    return result.ok ? '' : result.reason
  }
  assert.equal(reason('1'), 'input must be -1 (left), 0 (straight) or 1 (right), got "1"')
  assert.equal(reason(0.5), 'input must be -1 (left), 0 (straight) or 1 (right), got 0.5')
  assert.equal(reason(null), 'input must be -1 (left), 0 (straight) or 1 (right), got null')
  assert.equal(
    reason({ dir: 1 }),
    'input must be -1 (left), 0 (straight) or 1 (right), got a object',
  )
  assert.equal(reason('x'.repeat(10_000)).length < 120, true, 'long values are cut in the reason')
  fc.assert(
    fc.property(fc.anything(), (value) => {
      fc.pre(value !== -1 && value !== 0 && value !== 1)
      assert.equal(parseTurn(value).ok, false)
    }),
  )
})

test('rejected inputs leave the game untouched; accepted ones are held until changed', () => {
  const game = new Game({ seed: 1 })
  game.addPlayer(human('a'))
  game.addPlayer(bot('robot'))
  game.start()
  const before = game.hash()
  assert.deepEqual(game.setInput('a', 2), {
    ok: false,
    reason: 'input must be -1 (left), 0 (straight) or 1 (right), got 2',
  })
  assert.deepEqual(game.setInput('nobody', 1), {
    ok: false,
    reason: 'no player "nobody" in this game',
  })
  assert.deepEqual(game.setInput('robot', 1), {
    ok: false,
    reason: 'player "robot" is a bot, steered by the server',
  })
  assert.equal(game.hash(), before)
  assert.deepEqual(game.setInput('a', -1), { ok: true, value: -1 })
  assert.equal(game.player('a')?.input, -1)
})

test('joining players are validated: id, name, colour, duplicates, capacity', () => {
  const reason = (init: Parameters<typeof validatePlayerInit>[0]): string => {
    const result = validatePlayerInit(init)
    return result.ok ? 'ok' : result.reason
  }
  assert.equal(reason(human('a')), 'ok')
  assert.match(reason({ ...human('a'), id: '' }), /player id must be a non-empty string/)
  assert.match(reason({ ...human('a'), id: 'x'.repeat(65) }), /at most 64 bytes/)
  assert.match(reason({ ...human('a'), name: '   ' }), /name must have 1 to 24 characters/)
  assert.match(reason({ ...human('a'), name: 'n'.repeat(25) }), /name must have 1 to 24 characters/)
  assert.equal(reason({ ...human('a'), name: '👩‍🚀'.repeat(3) }), 'ok')
  assert.match(reason({ ...human('a'), name: 'evil\u202eeman' }), /control or invisible/)
  assert.match(reason({ ...human('a'), colour: 'red' }), /colour must look like #rrggbb, got "red"/)

  const game = new Game({ seed: 1, config: { maxPlayers: 2 } })
  assert.deepEqual(game.addPlayer(human('a')), { ok: true, value: 0 })
  assert.deepEqual(game.addPlayer(human('a')), {
    ok: false,
    reason: 'player "a" is already in this game',
  })
  assert.deepEqual(game.addPlayer({ ...human('b'), colour: '#12345' }), {
    ok: false,
    reason: 'colour must look like #rrggbb, got "#12345"',
  })
  assert.deepEqual(game.addPlayer(human('b')), { ok: true, value: 1 })
  assert.deepEqual(game.addPlayer(human('c')), {
    ok: false,
    reason: 'the game is full (2 players)',
  })
  // Names are kept as text (HTML is the renderer's job) but trimmed.
  game.removePlayer('b')
  game.addPlayer({ ...human('b'), name: '  <b>Bo</b> ' })
  assert.equal(game.player('b')?.name, '<b>Bo</b>')
})

test('bad configuration throws a RangeError naming the setting', () => {
  assert.throws(
    () => resolveConfig({ arenaWidth: 2000 }),
    /arenaWidth must be in \(0, 1000\], got 2000/,
  )
  assert.throws(() => resolveConfig({ speed: -1 }), /speed must be a positive number/)
  assert.throws(() => resolveConfig({ minPlayers: 5, maxPlayers: 4 }), /minPlayers/)
  assert.throws(
    () => resolveConfig({ gap: { minIntervalMs: 500, maxIntervalMs: 100, length: 10 } }),
    /gap interval/,
  )
  assert.throws(() => new Game({ seed: 1.5 }), /seed must be an integer/)
  const fast = resolveConfig({ speed: 600 })
  assert.ok(
    fast.stepLength <= fast.cellSize / 2,
    'fast curves move in substeps no longer than half a cell',
  )
})
