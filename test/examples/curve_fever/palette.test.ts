/**
 * Every curve in a room can be told apart, with normal vision and under simulated protanopia,
 * deuteranopia and tritanopia: the colours a room hands out (players who chose the same colour,
 * bots) and the sign-in choices keep a CIEDE2000 difference of at least 15 in every pair.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { COLOURS } from '../../../examples/curve_fever/auth/user.ts'
import { decode } from '../../../examples/curve_fever/game/index.ts'
import type { JoinAccepted, User } from '../../../examples/curve_fever/rooms/protocol.ts'
import { Rooms } from '../../../examples/curve_fever/rooms/rooms.ts'
import { type PubSub, startPubSub } from '../../../src/extend.ts'
import { ciede2000, closestPair, difference, VISIONS, type Vision } from './colour-vision.ts'

const MIN_DIFFERENCE = 15
/** The arena's background (layout.ts): every curve must stand out from it too. */
const ARENA = '#05070b'

let pubsub: PubSub | undefined
let rooms: Rooms | undefined

after(async () => {
  await rooms?.stop()
  await pubsub?.stop()
})

describe('colours', () => {
  it('computes CIEDE2000 as its reference data says', () => {
    // Sharma, Wu and Dalal (2005), pairs 1, 7 and 17.
    const close = (a: number, b: number) => Math.abs(a - b) < 1e-4
    assert.ok(close(ciede2000([50, 2.6772, -79.7751], [50, 0, -82.7485]), 2.0425))
    assert.ok(close(ciede2000([50, 0, 0], [50, -1, 2]), 2.3669))
    assert.ok(close(ciede2000([50, 2.5, 0], [73, 25, -18]), 27.1492))
  })

  it('offers sign-in colours that stay apart for every vision, and from the arena', () => {
    const worst = closestPair(COLOURS)
    assert.ok(worst.distance >= MIN_DIFFERENCE, `closest pair: ${JSON.stringify(worst)}`)
    for (const vision of Object.keys(VISIONS) as Vision[]) {
      for (const colour of COLOURS) {
        const d = difference(colour, ARENA, vision)
        assert.ok(d >= 30, `${colour} on the arena under ${vision}: ${d.toFixed(1)}`)
      }
    }
  })

  it('gives every curve of a full room its own distinguishable colour', async () => {
    pubsub = await startPubSub({ name: `palette-test-${Math.random()}`, node: 'n1' })
    const room = await Rooms.start({
      pubsub,
      broadcast: () => {},
      settings: { emptyCloseMs: null, botsOnlyCloseMs: null },
    })
    rooms = room
    const id = await room.create({ name: 'Rainbow' })
    // Two players who chose the same colour, then bots up to the eight seats.
    const alice: User = { id: 'u-alice', name: 'Alice', colour: COLOURS[2] }
    const amy: User = { id: 'u-amy', name: 'Amy', colour: COLOURS[2] }
    const notes: (string | null)[] = []
    for (const [i, user] of [alice, amy].entries()) {
      const joined = await room.request<JoinAccepted>(id, {
        t: 'join',
        conn: { id: `c${i}`, pid: null },
        user,
        spectate: false,
      })
      assert.equal(joined.ok, true, JSON.stringify(joined))
      notes.push((joined as JoinAccepted).colourNote)
    }
    assert.equal(notes[0], null, 'Alice has her own colour')
    assert.match(notes[1] ?? '', /^Your colour is taken in this game: your curve is [a-z ]+\.$/)
    for (let i = 0; i < 6; i++) {
      const bot = await room.request<{ ok: true }>(id, { t: 'add_bot', conn: 'c0' })
      assert.equal(bot.ok, true, JSON.stringify(bot))
    }
    const snapshot = await room.request<{ ok: true; snapshot: Uint8Array }>(id, {
      t: 'snapshot',
    })
    assert.ok(snapshot.ok)
    const players = (decode(snapshot.snapshot) as { players: { name: string; colour: string }[] })
      .players
    assert.equal(players.length, 8)
    assert.equal(players.find((p) => p.name === 'Alice')?.colour, COLOURS[2], 'her own choice')
    const worst = closestPair(players.map((p) => p.colour))
    assert.ok(
      worst.distance >= MIN_DIFFERENCE,
      `closest pair in the room: ${JSON.stringify(worst)} of ${JSON.stringify(players)}`,
    )
  })
})
