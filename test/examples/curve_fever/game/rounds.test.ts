import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Game, type GameEvent, type Pose } from '../../../../examples/curve_fever/game/index.ts'
import { bot, DOWN, exactConfig, human, LEFT, RIGHT, running, stepUntil } from './helpers.ts'

// Curves flying left from these x die in that order (the wall is at x = 0).
const towardWall = (...xs: number[]): Pose[] =>
  xs.map((x, i) => ({ x, y: 100 + 150 * i, heading: LEFT }))
const types = (events: readonly { event: GameEvent }[]): string[] => events.map((s) => s.event.type)

test('the last curve alive wins the round; each death scores +1 for every survivor', () => {
  const config = exactConfig(towardWall(100, 200, 300), { roundOverMs: 1000 })
  const game = running([human('a'), human('b'), human('c')], config)
  const events = stepUntil(game, (e) => e.type === 'roundOver')
  assert.deepEqual(
    events.filter((s) => s.event.type === 'death').map((s) => (s.event as { id: string }).id),
    ['a', 'b'],
  )
  assert.deepEqual(events.at(-1)?.event, { type: 'roundOver', round: 1, winner: 'c' })
  assert.deepEqual(
    game.players().map((p) => [p.id, p.score]),
    [
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ],
  )
  // The winner stops where it was: nothing moves during roundOver.
  const c = game.player('c')
  game.step()
  assert.equal(game.player('c')?.x, c?.x)
})

test('curves dying on the same tick score nothing for each other', () => {
  const game = running([human('a'), human('b'), human('c')], exactConfig(towardWall(100, 100, 300)))
  const events = stepUntil(game, (e) => e.type === 'roundOver')
  const deaths = events.filter((s) => s.event.type === 'death')
  assert.equal(deaths[0]?.tick, deaths[1]?.tick)
  assert.deepEqual(
    game.players().map((p) => p.score),
    [0, 0, 2],
  )
})

test('a round where everyone dies at once has no winner', () => {
  const game = running([human('a'), human('b')], exactConfig(towardWall(100, 100)))
  const events = stepUntil(game, (e) => e.type === 'roundOver')
  assert.deepEqual(events.at(-1)?.event, { type: 'roundOver', round: 1, winner: null })
  assert.equal(game.winner, null)
})

test('phases: waiting → countdown → running → roundOver → countdown of the next round', () => {
  const config = exactConfig(towardWall(100, 300), {
    countdownMs: 500,
    roundOverMs: 1000,
    minPlayers: 2,
  })
  const game = new Game({ seed: 3, config })
  assert.equal(game.phase, 'waiting')
  game.addPlayer(human('a'))
  assert.deepEqual(game.start(), {
    ok: false,
    reason: 'a match needs at least 2 players, there are 1',
  })
  game.addPlayer(human('b'))
  assert.deepEqual(game.start(), { ok: true, value: undefined })
  assert.deepEqual([game.phase, game.phaseTicks, game.round], ['countdown', 30, 1])
  assert.deepEqual(game.start(), {
    ok: false,
    reason: 'a match is already under way (phase countdown)',
  })
  const before = game.player('a')
  const events = stepUntil(game, (e) => e.type === 'roundStart')
  assert.equal(events.at(-1)?.tick, 30)
  assert.equal(game.player('a')?.x, before?.x, 'curves are frozen during the countdown')
  assert.deepEqual(types(events), ['countdown', 'roundStart'])
  const over = stepUntil(game, (e) => e.type === 'roundOver')
  assert.equal(game.phase, 'roundOver')
  assert.equal(game.phaseTicks, 60)
  const next = stepUntil(game, (e) => e.type === 'countdown')
  assert.equal((next.at(-1)?.tick ?? 0) - (over.at(-1)?.tick ?? 0), 60)
  assert.deepEqual([game.phase, game.round], ['countdown', 2])
  assert.ok(game.players().every((p) => p.alive && p.inRound && p.trailPoints === 0))
})

test('the match ends at the target score with a lead of two (classic rule), or at the target alone', () => {
  // a always outlives b, so a scores one point per round.
  const play = (winByTwo: boolean): { rounds: number; events: GameEvent[] } => {
    const game = running(
      [human('a'), human('b')],
      exactConfig(towardWall(300, 100), { targetScore: 1, winByTwo }),
    )
    const events = stepUntil(game, (e) => e.type === 'matchOver').map((s) => s.event)
    assert.equal(game.phase, 'matchOver')
    assert.equal(game.winner, 0)
    for (let i = 0; i < 100; i++)
      assert.deepEqual(game.step(), [], 'nothing happens after the match')
    return { rounds: game.round, events }
  }
  const classic = play(true)
  assert.equal(classic.rounds, 2)
  assert.deepEqual(classic.events.at(-1), {
    type: 'matchOver',
    winner: 'a',
    scores: { a: 2, b: 0 },
  })
  assert.equal(play(false).rounds, 1)
})

test('the default target is 10 × (players − 1), recomputed as players join between rounds', () => {
  const config = { ...exactConfig([]), targetScore: null, spawn: null, minPlayers: 2 }
  const game = new Game({ seed: 9, config })
  for (const id of ['a', 'b', 'c']) game.addPlayer(human(id))
  game.start()
  assert.equal(game.targetScore, 20)
  game.step()
  game.addPlayer(human('d'))
  assert.equal(game.player('d')?.inRound, false, 'a mid-round joiner waits for the next round')
  stepUntil(game, (e) => e.type === 'roundOver', 20_000)
  assert.equal(game.player('d')?.score, 0, 'a player sitting out scores nothing')
  stepUntil(game, (e) => e.type === 'countdown')
  assert.equal(game.targetScore, 30)
  assert.equal(game.player('d')?.inRound, true)
})

test('a new match after matchOver resets the scores', () => {
  const game = running(
    [human('a'), human('b')],
    exactConfig(towardWall(300, 100), { targetScore: 1, winByTwo: false }),
  )
  stepUntil(game, (e) => e.type === 'matchOver')
  assert.equal(game.player('a')?.score, 1)
  assert.deepEqual(game.start(), { ok: true, value: undefined })
  assert.deepEqual([game.phase, game.round, game.player('a')?.score], ['countdown', 1, 0])
})

test('leaving mid-round kills the curve (others score) and frees the seat when the round ends', () => {
  const poses = [
    { x: 100, y: 200, heading: RIGHT },
    { x: 100, y: 400, heading: RIGHT },
    { x: 100, y: 600, heading: RIGHT },
  ]
  const game = running([human('a'), human('b'), human('c')], exactConfig(poses, { maxPlayers: 3 }))
  game.step()
  assert.deepEqual(game.removePlayer('b'), { ok: true, value: undefined })
  assert.deepEqual(game.step(), [{ type: 'death', round: 1, id: 'b', cause: 'left', by: null }])
  assert.deepEqual(
    game.players().map((p) => [p.id, p.score, p.alive, p.leaving]),
    [
      ['a', 1, true, false],
      ['b', 0, false, true],
      ['c', 1, true, false],
    ],
  )
  assert.deepEqual(game.addPlayer(human('d')), {
    ok: false,
    reason: 'the game is full (3 players)',
  })
  assert.equal(game.setInput('b', 1).ok, false)
  stepUntil(game, (e) => e.type === 'countdown')
  assert.equal(game.player('b'), undefined)
  assert.deepEqual(game.addPlayer(human('d')), { ok: true, value: 1 })
})

test('leaving during the countdown with too few players left goes back to waiting', () => {
  const game = new Game({ seed: 1, config: { countdownMs: 1000 } })
  game.addPlayer(human('a'))
  game.addPlayer(human('b'))
  game.start()
  game.removePlayer('b')
  assert.equal(game.phase, 'waiting')
  // Events raised between steps (by start and removePlayer) come out of the next step.
  assert.deepEqual(game.step(), [
    { type: 'countdown', round: 1, ticks: 60 },
    { type: 'waiting', reason: 'too few players for the round' },
  ])
  assert.equal(game.player('a')?.alive, false)
})

test('a disconnected player flies straight, or is steered by the bot when configured', () => {
  // Both start heading down at the bottom wall 300 units away; a disconnects.
  const poses = [
    { x: 300, y: 500, heading: DOWN },
    { x: 100, y: 100, heading: RIGHT },
  ]
  const outcome = (control: 'straight' | 'bot'): number => {
    const game = running(
      [human('a'), human('b')],
      exactConfig(poses, { disconnectedControl: control }),
    )
    game.setInput('a', 1)
    game.setConnected('a', false)
    assert.equal(game.setInput('a', -1).ok, false, 'no input while disconnected')
    for (let i = 0; i < 400 && game.player('a')?.alive === true; i++) game.step()
    return game.tick
  }
  const straightDeath = outcome('straight')
  // Straight down from y = 500 hits the wall after (300 − r) / 1.6 ticks.
  assert.ok(Math.abs(straightDeath - 1 - (300 - 2.5) / 1.6) < 2, `died at ${straightDeath}`)
  assert.ok(outcome('bot') > straightDeath + 100)
})

test('a reconnected player steers again', () => {
  const game = running([human('a')], exactConfig([{ x: 400, y: 400, heading: RIGHT }]))
  game.setConnected('a', false)
  game.setConnected('a', true)
  assert.deepEqual(game.setInput('a', 1), { ok: true, value: 1 })
  game.step()
  assert.ok((game.player('a')?.heading ?? 0) > 0)
})

test('bots fill a room and play whole matches on their own', () => {
  const game = new Game({ seed: 5, config: { targetScore: 3 } })
  for (const id of ['a', 'b', 'c']) game.addPlayer(bot(id))
  game.start()
  const events = stepUntil(game, (e) => e.type === 'matchOver', 100_000)
  const over = events.at(-1)?.event
  assert.equal(over?.type, 'matchOver')
  const scores = Object.values(over?.type === 'matchOver' ? over.scores : {}).sort((x, y) => y - x)
  assert.ok((scores[0] ?? 0) >= 3 && (scores[0] ?? 0) - (scores[1] ?? 0) >= 2, `scores ${scores}`)
  assert.equal(events.filter((s) => s.event.type === 'roundOver').length, game.round)
})

test('a player seated during the countdown plays that round; later, from the next one', () => {
  const game = new Game({ seed: 7, config: { gap: null, countdownMs: 1000 } })
  game.addPlayer(human('a'))
  game.addPlayer(human('b'))
  assert.ok(game.start().ok)
  game.step()
  assert.equal(game.phase, 'countdown')
  game.addPlayer(human('c'))
  const c = game.player('c')
  assert.ok(c?.inRound && c.alive, 'in the coming round')
  for (const other of ['a', 'b']) {
    const o = game.player(other)
    const apart = Math.hypot((o?.x ?? 0) - c.x, (o?.y ?? 0) - c.y)
    assert.ok(apart > 30, `spawned clear of ${other}: ${apart.toFixed(0)} units`)
  }
  while (game.phase === 'countdown') game.step()
  assert.equal(game.phase, 'running')
  game.step()
  assert.ok(game.player('c')?.alive, 'flies with the others')
  game.addPlayer(human('d'))
  assert.equal(game.player('d')?.inRound, false, 'sits out the round under way')
})
