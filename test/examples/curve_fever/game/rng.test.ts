import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { deriveSeed, Rng } from '../../../../examples/curve_fever/game/rng.ts'

test('xoshiro128** matches the reference implementation (state 1, 2, 3, 4)', () => {
  // Output of Blackman & Vigna's xoshiro128starstar.c from that state.
  const reference = [
    11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597,
    4258142804,
  ]
  const rng = new Rng(1, 2, 3, 4)
  assert.deepEqual(
    reference.map(() => rng.nextU32()),
    reference,
  )
})

test('seeded streams repeat, and differ between seeds', () => {
  const draw = (seed: number): number[] => {
    const rng = Rng.fromSeed(seed)
    return Array.from({ length: 8 }, () => rng.nextU32())
  }
  assert.deepEqual(draw(5), draw(5))
  assert.notDeepEqual(draw(5), draw(6))
  assert.notDeepEqual(draw(0), draw(-1))
  assert.throws(() => new Rng(0, 0, 0, 0), RangeError)
})

test('deriveSeed separates rounds, seats and purposes', () => {
  const seeds = new Set<number>()
  for (let round = 0; round < 20; round++) {
    for (let seat = 0; seat < 8; seat++)
      for (let purpose = 0; purpose < 2; purpose++) seeds.add(deriveSeed(1, round, seat, purpose))
  }
  assert.equal(seeds.size, 20 * 8 * 2)
})

test('float, range and int stay in their bounds', () => {
  fc.assert(
    fc.property(
      fc.integer(),
      fc.integer({ min: -1000, max: 1000 }),
      fc.integer({ min: 0, max: 1000 }),
      (seed, lo, span) => {
        const rng = Rng.fromSeed(seed)
        for (let i = 0; i < 50; i++) {
          const f = rng.float()
          const n = rng.int(lo, lo + span)
          const r = rng.range(lo, lo + span + 1)
          if (
            !(
              f >= 0 &&
              f < 1 &&
              Number.isInteger(n) &&
              n >= lo &&
              n <= lo + span &&
              r >= lo &&
              r < lo + span + 1
            )
          )
            return false
        }
        return true
      },
    ),
  )
})

test('int is roughly uniform', () => {
  const rng = Rng.fromSeed(123)
  const counts = [0, 0, 0, 0, 0, 0]
  for (let i = 0; i < 60_000; i++) {
    const k = rng.int(0, 5)
    counts[k] = (counts[k] ?? 0) + 1
  }
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 500, `bucket ${c}`)
})
