import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { type TokenBucket, takeToken, wasFull } from '../../src/socket/token-bucket.ts'

const full = (capacity: number, at = 0): TokenBucket => ({ tokens: capacity, tokensAt: at })

test('a full bucket gives capacity tokens at once, then refills at its rate', () => {
  const bucket = full(3)
  assert.deepEqual(
    [1, 2, 3, 4].map(() => takeToken(bucket, 3, 10, 0)),
    [true, true, true, false],
  )
  assert.equal(takeToken(bucket, 3, 10, 50), false, 'half a token after 50 ms at 10/s')
  assert.equal(takeToken(bucket, 3, 10, 100), true, 'one token after 100 ms')
  assert.equal(wasFull(bucket, 3), false)
  assert.equal(takeToken(bucket, 3, 10, 10_000), true)
  assert.equal(wasFull(bucket, 3), true, 'refilled to capacity, not beyond')
  assert.deepEqual(
    [1, 2, 3].map(() => takeToken(bucket, 3, 10, 10_000)),
    [true, true, false],
  )
})

test('no sequence of takes gets more than capacity plus the rate times the time', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 1, max: 1000 }),
      fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 300 }),
      (capacity, perSecond, gaps) => {
        const bucket = full(capacity)
        let now = 0
        let taken = 0
        for (const gap of gaps) {
          now += gap
          if (takeToken(bucket, capacity, perSecond, now)) taken++
        }
        assert.ok(taken <= capacity + (now / 1000) * perSecond + 1e-9)
        assert.ok(bucket.tokens >= 0 && bucket.tokens <= capacity)
      },
    ),
  )
})

test('a clock that goes back takes nothing from the tokens counted', () => {
  const bucket = full(2, 1000)
  assert.equal(takeToken(bucket, 2, 1, 500), true)
  assert.equal(bucket.tokensAt, 1000)
  assert.equal(takeToken(bucket, 2, 1, 1000), true)
  assert.equal(takeToken(bucket, 2, 1, 1000), false)
})
