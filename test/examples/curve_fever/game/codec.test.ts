import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import {
  decode,
  type EncodablePlayer,
  type EncodableState,
  encodeSnapshot,
  FIXED_SCALE,
  FrameEncoder,
  fromFixed,
  Game,
  PHASES,
  STROKE_START,
  type TrailPoint,
  type TrailRun,
  u16ToHeading,
} from '../../../../examples/curve_fever/game/index.ts'
import { bot } from './helpers.ts'

// Values already on the wire's grid, so a round trip must give them back exactly.
const fixedCoord = fc.integer({ min: 0, max: 800 * FIXED_SCALE }).map(fromFixed)
const heading = fc.integer({ min: 0, max: 0xffff }).map(u16ToHeading)
const trail = fc
  .array(
    fc.tuple(
      fc.integer({ min: 0, max: 0x7fff }),
      fc.integer({ min: 0, max: 0x7fff }),
      fc.boolean(),
    ),
    { maxLength: 300 },
  )
  .map((points) => points.flatMap(([x, y, start]) => [x | (start ? STROKE_START : 0), y]))

const player = (seat: number): fc.Arbitrary<EncodablePlayer> =>
  fc.record({
    seat: fc.constant(seat),
    id: fc.string({ minLength: 1, maxLength: 40 }),
    name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }),
    colour: fc.integer({ min: 0, max: 0xffffff }).map((n) => `#${n.toString(16).padStart(6, '0')}`),
    x: fixedCoord,
    y: fixedCoord,
    heading,
    score: fc.integer({ min: 0, max: 0xffff }),
    alive: fc.boolean(),
    drawing: fc.boolean(),
    inRound: fc.boolean(),
    connected: fc.boolean(),
    bot: fc.boolean(),
    leaving: fc.boolean(),
    trail,
  })

const state: fc.Arbitrary<EncodableState> = fc
  .uniqueArray(fc.integer({ min: 0, max: 15 }), { maxLength: 8 })
  .chain((seats) =>
    fc.record({
      tick: fc.nat({ max: 0xffffffff }),
      phase: fc.constantFrom(...PHASES),
      round: fc.nat({ max: 0xffff }),
      phaseTicks: fc.nat({ max: 0xffff }),
      winner: fc.option(fc.constantFrom(...(seats.length > 0 ? seats : [0])), { nil: null }),
      targetScore: fc.nat({ max: 0xffff }),
      arenaWidth: fc.integer({ min: 1, max: 1000 * FIXED_SCALE }).map(fromFixed),
      arenaHeight: fc.integer({ min: 1, max: 1000 * FIXED_SCALE }).map(fromFixed),
      trailRadius: fc.integer({ min: 1, max: 10 * FIXED_SCALE }).map(fromFixed),
      tickRate: fc.integer({ min: 1, max: 240 }),
      players: fc.tuple(...seats.map(player)),
    }),
  )

const points = (flat: readonly number[]): TrailPoint[] =>
  Array.from({ length: flat.length / 2 }, (_, i) => {
    const x = flat[2 * i] ?? 0
    return {
      x: fromFixed(x & 0x7fff),
      y: fromFixed(flat[2 * i + 1] ?? 0),
      start: (x & STROKE_START) !== 0,
    }
  })

const playerState = (p: EncodablePlayer) => ({
  seat: p.seat,
  x: p.x,
  y: p.y,
  heading: p.heading,
  score: p.score,
  alive: p.alive,
  drawing: p.drawing,
  inRound: p.inRound,
  connected: p.connected,
  bot: p.bot,
  leaving: p.leaving,
})

const header = (s: EncodableState) => ({
  tick: s.tick,
  phase: s.phase,
  round: s.round,
  phaseTicks: s.phaseTicks,
  winner: s.winner,
  targetScore: s.targetScore,
})

test('snapshots round-trip exactly', () => {
  fc.assert(
    fc.property(state, (s) => {
      assert.deepEqual(decode(encodeSnapshot(s)), {
        type: 'snapshot',
        arenaWidth: s.arenaWidth,
        arenaHeight: s.arenaHeight,
        trailRadius: s.trailRadius,
        tickRate: s.tickRate,
        ...header(s),
        players: s.players.map((p) => ({
          ...playerState(p),
          id: p.id,
          name: p.name,
          colour: p.colour,
          trail: points(p.trail),
        })),
      })
    }),
    { numRuns: 200 },
  )
})

test('a first frame round-trips with every trail point, split into runs of at most 255', () => {
  fc.assert(
    fc.property(state, (s) => {
      const frame = decode(new FrameEncoder().encode(s))
      assert.ok(frame.type === 'frame')
      assert.deepEqual(
        { ...frame, runs: [] },
        { type: 'frame', ...header(s), players: s.players.map(playerState), runs: [] },
      )
      for (const p of s.players) {
        const runs: TrailRun[] = frame.runs.filter((r) => r.seat === p.seat)
        assert.ok(runs.every((r) => r.points.length > 0 && r.points.length <= 255))
        assert.deepEqual(
          runs.map((r) => r.first),
          runs.map((_, i) => i * 255),
        )
        assert.deepEqual(
          runs.flatMap((r) => r.points),
          points(p.trail),
        )
      }
    }),
    { numRuns: 200 },
  )
})

test('later frames carry only the points drawn since, with their index in the round', () => {
  const game = new Game({ seed: 4, config: { countdownMs: 0 } })
  game.addPlayer(bot('a'))
  game.addPlayer(bot('b'))
  game.start()
  const encoder = new FrameEncoder()
  // What a client rebuilds from frames alone, per seat.
  const rebuilt = new Map<number, TrailPoint[]>()
  const receive = (): void => {
    const frame = decode(encoder.encode(game.encodable))
    assert.ok(frame.type === 'frame')
    for (const run of frame.runs) {
      const known = rebuilt.get(run.seat) ?? []
      assert.equal(run.first, known.length, 'each run continues exactly where the last ended')
      rebuilt.set(run.seat, [...known, ...run.points])
    }
  }
  for (let i = 1; game.phase !== 'roundOver'; i++) {
    game.step()
    if (i % 3 === 0) receive()
  }
  receive()
  assert.ok([...rebuilt.values()].every((trail) => trail.length > 10))
  const snapshot = decode(encodeSnapshot(game.encodable))
  assert.ok(snapshot.type === 'snapshot')
  for (const p of snapshot.players) assert.deepEqual(rebuilt.get(p.seat) ?? [], p.trail)
})

test('a new round, or a new occupant of a seat, restarts that trail from index 0', () => {
  const encoder = new FrameEncoder()
  const base: EncodableState = {
    tick: 1,
    phase: 'running',
    round: 1,
    phaseTicks: 0,
    winner: null,
    targetScore: 10,
    arenaWidth: 800,
    arenaHeight: 800,
    trailRadius: 2.5,
    tickRate: 60,
    players: [],
  }
  const p: EncodablePlayer = {
    seat: 0,
    id: 'a',
    name: 'A',
    colour: '#ffffff',
    x: 1,
    y: 1,
    heading: 0,
    score: 0,
    alive: true,
    drawing: true,
    inRound: true,
    connected: true,
    bot: false,
    leaving: false,
    trail: [STROKE_START | 32, 32, 64, 64],
  }
  const runsOf = (s: EncodableState) => {
    const f = decode(encoder.encode(s))
    return f.type === 'frame' ? f.runs.map((r) => [r.first, r.points.length]) : []
  }
  assert.deepEqual(runsOf({ ...base, players: [p] }), [[0, 2]])
  assert.deepEqual(runsOf({ ...base, players: [p] }), [])
  assert.deepEqual(runsOf({ ...base, players: [{ ...p, trail: [...p.trail, 96, 96] }] }), [[2, 1]])
  assert.deepEqual(
    runsOf({ ...base, round: 2, players: [{ ...p, trail: [STROKE_START | 5, 5] }] }),
    [[0, 1]],
  )
  assert.deepEqual(
    runsOf({ ...base, round: 2, players: [{ ...p, id: 'b', trail: [STROKE_START | 5, 5] }] }),
    [[0, 1]],
  )
  encoder.reset()
  assert.deepEqual(
    runsOf({ ...base, round: 2, players: [{ ...p, id: 'b', trail: [STROKE_START | 5, 5] }] }),
    [[0, 1]],
  )
})

test('malformed bytes are refused with a RangeError, never another error or a partial result', () => {
  fc.assert(
    fc.property(state, fc.nat(), (s, cut) => {
      for (const bytes of [encodeSnapshot(s), new FrameEncoder().encode(s)]) {
        const at = cut % bytes.length
        assert.throws(() => decode(bytes.subarray(0, at)), RangeError)
        const extended = new Uint8Array(bytes.length + 1)
        extended.set(bytes)
        assert.throws(() => decode(extended), /trailing bytes/)
      }
    }),
    { numRuns: 100 },
  )
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        decode(bytes)
      } catch (error) {
        assert.ok(error instanceof RangeError, String(error))
      }
    }),
  )
  assert.throws(() => decode(Uint8Array.of(9)), /unknown message type 9/)
})

test('bytes per player per second at a 20 Hz broadcast (4 bots, printed)', () => {
  const game = new Game({ seed: 8, config: { targetScore: 1000 } })
  for (const id of ['a', 'b', 'c', 'd']) game.addPlayer(bot(id))
  game.start()
  const encoder = new FrameEncoder()
  let bytes = 0
  let frames = 0
  let biggestSnapshot = 0
  const ticks = 60 * 120
  for (let i = 1; i <= ticks; i++) {
    game.step()
    if (i % 3 !== 0) continue
    bytes += encoder.encode(game.encodable).length
    frames += 1
    if (i % 600 === 0)
      biggestSnapshot = Math.max(biggestSnapshot, encodeSnapshot(game.encodable).length)
  }
  const perSecond = (bytes / ticks) * 60
  console.log(
    `frames: ${(bytes / frames).toFixed(1)} B average, ${perSecond.toFixed(0)} B/s to each viewer at 20 Hz ` +
      `(4 players, 2 min of play incl. pauses); largest snapshot ${biggestSnapshot} B`,
  )
  // Sanity bounds, not timing: a frame holds at least the 15-byte header and four 10-byte players.
  assert.ok(bytes / frames >= 15 + 40 + 2)
  assert.ok(perSecond < 4000)
})
