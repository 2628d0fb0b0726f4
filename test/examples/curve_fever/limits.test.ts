/**
 * What one user may do to a Curve Fever node: chat lines and new games are rate-limited per
 * user, and a node runs at most `maxRooms` rooms. The attacks reported in issue 17 (500 chat
 * lines in 2.7 s, 1000 rooms in 25 s) are replayed against the defaults.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type CurveFever, DEFAULT_LIMITS } from '../../../examples/curve_fever/app.ts'
import { RateLimiter } from '../../../examples/curve_fever/rooms/rate-limit.ts'
import { TooManyRooms } from '../../../examples/curve_fever/rooms/rooms.ts'
import { setLogger } from '../../../src/index.ts'
import { startApp } from './support.ts'

let app: CurveFever

before(async () => {
  setLogger({ error: () => {}, warn: () => {}, info: () => {} })
  app = await startApp({ limits: { maxRooms: 20 } })
})

after(() => app?.stop())

describe('Curve Fever limits', () => {
  it('a rate limiter allows a burst, then its rate, per key, with a bounded memory', () => {
    const limiter = new RateLimiter({ burst: 3, perSecond: 2 }, 100)
    const taken = Array.from({ length: 5 }, () => limiter.take('a', 0))
    assert.deepEqual(taken, [true, true, true, false, false])
    assert.equal(limiter.waitSeconds('a', 0), 1)
    assert.equal(limiter.take('b', 0), true, 'another key has its own bucket')
    assert.equal(limiter.take('a', 499), false)
    assert.equal(limiter.take('a', 500), true, 'one more after half a second at 2/s')
    for (let i = 0; i < 1000; i++) limiter.take(`k${i}`, 0)
    // Only the last 100 keys are kept: 'a' starts afresh.
    assert.equal(limiter.take('a', 500), true)
  })

  it('accepts 5 of 500 chat lines sent at once by one user, and others still chat', () => {
    const spammer = { id: 'u-spam', name: 'Spam', colour: '#e4572e' }
    const answers = Array.from({ length: 500 }, (_, i) => app.lobby.say(spammer, `line ${i}`))
    assert.equal(answers.filter((a) => a.ok).length, DEFAULT_LIMITS.chat.burst)
    const refused = answers.find((a) => !a.ok)
    assert.match(
      refused?.ok === false ? refused.message : '',
      /Slow down: you can send again in 1 s/,
    )
    const other = { id: 'u-other', name: 'Other', colour: '#76b041' }
    assert.deepEqual(app.lobby.say(other, 'hello'), { ok: true })
  })

  it('refuses a room past maxRooms with TooManyRooms, and runs them again once some close', async () => {
    const ids: string[] = []
    for (let i = 0; i < 20; i++) ids.push(await app.rooms.create({ name: `Room ${i}` }))
    await assert.rejects(app.rooms.create({ name: 'One too many' }), (err) => {
      assert.ok(err instanceof TooManyRooms)
      assert.equal(err.max, 20)
      return true
    })
    await app.rooms.supervisor.terminateChild(ids[0] as string)
    const again = await app.rooms.create({ name: 'Room again' })
    assert.ok(app.rooms.localIds().includes(again))
  })
})
