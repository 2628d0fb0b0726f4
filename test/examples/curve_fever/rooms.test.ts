/**
 * Room processes on a TestClock: the fixed tick, frames, seats and the grace period,
 * spectators, bots, full rooms, bad commands, and crash + restart isolation.
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { decode, type Frame, type Snapshot } from '../../../examples/curve_fever/game/index.ts'
import type { JoinAccepted, RoomInfo, User } from '../../../examples/curve_fever/rooms/protocol.ts'
import type { MatchResult, RoomSettings } from '../../../examples/curve_fever/rooms/room.ts'
import { Rooms } from '../../../examples/curve_fever/rooms/rooms.ts'
import { TickStats } from '../../../examples/curve_fever/rooms/tick-stats.ts'
import { type PubSub, setClock, setLogger, startPubSub, TestClock } from '../../../src/extend.ts'

const DT = 1000 / 60
const ada: User = { id: 'u-ada', name: 'Ada', colour: '#e4572e' }
const bob: User = { id: 'u-bob', name: 'Bob', colour: '#29335c' }
const cyd: User = { id: 'u-cyd', name: 'Cyd', colour: '#76b041' }

interface Sent {
  readonly topic: string
  readonly event: string
  readonly payload: unknown
}

let clock: TestClock
let restoreClock: () => void
let restoreLogger: () => void
let errors: string[]
let pubsub: PubSub
let rooms: Rooms
let sent: Sent[]
let matches: MatchResult[]
let stats: TickStats

const flush = () => new Promise<void>((resolve) => setImmediate(resolve))

async function start(settings: Partial<RoomSettings> = {}): Promise<void> {
  pubsub = await startPubSub({ name: `rooms-test-${Math.random()}`, node: 'n1' })
  rooms = await Rooms.start({
    pubsub,
    broadcast: (topic, event, payload) => sent.push({ topic, event, payload }),
    settings: {
      graceMs: 2000,
      startDelayMs: 100,
      emptyCloseMs: null,
      botsOnlyCloseMs: null,
      dev: true,
      ...settings,
    },
    stats,
    onMatchOver: (result) => matches.push(result),
  })
}

/** Moves the clock tick by tick, letting the room processes run in between. */
async function advance(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += DT) {
    clock.advance(Math.min(DT, ms - t))
    await flush()
  }
}

async function join(id: string, conn: string, user: User, spectate = false) {
  return rooms.request<JoinAccepted>(id, {
    t: 'join',
    conn: { id: conn, pid: null },
    user,
    spectate,
  })
}

async function info(id: string): Promise<RoomInfo> {
  const answer = await rooms.request<{ ok: true; info: RoomInfo }>(id, { t: 'info' })
  assert.equal(answer.ok, true, JSON.stringify(answer))
  return (answer as { info: RoomInfo }).info
}

function frames(id: string): Frame[] {
  return sent
    .filter((s) => s.topic === `game:${id}` && s.event === 'f')
    .map((s) => decode(s.payload as Uint8Array) as Frame)
}

beforeEach(() => {
  clock = new TestClock(1000)
  restoreClock = setClock(clock)
  errors = []
  restoreLogger = setLogger({ error: (m) => errors.push(m), warn: () => {}, info: () => {} })
  sent = []
  matches = []
  stats = new TickStats()
})

afterEach(async () => {
  await rooms.stop()
  await pubsub.stop()
  restoreLogger()
  restoreClock()
})

describe('the room clock', () => {
  it('steps the game 60 times a second and broadcasts frames at a lower rate', async () => {
    await start()
    const id = await rooms.create({ name: 'Clock' })
    await join(id, 'c1', ada)
    await join(id, 'c2', bob)
    await advance(2000)
    const { tick } = await info(id)
    assert.ok(tick >= 119 && tick <= 121, `expected about 120 ticks in 2 s, got ${tick}`)
    // A second of countdown (nothing else happens then): one frame every 3 ticks.
    const first = frames(id).find((f) => f.phase === 'countdown')?.tick ?? 0
    const second = frames(id).filter((f) => f.tick > first && f.tick <= first + 60)
    assert.ok(second.length >= 19 && second.length <= 21, `about 20 frames/s, got ${second.length}`)
    assert.equal(stats.summary().skipped, 0)
    assert.ok(stats.count >= 59)
  })

  it('catches up after a stall without drifting, and counts the ticks it skipped', async () => {
    await start({ maxCatchUpTicks: 5 })
    const id = await rooms.create()
    await advance(100)
    const before = (await info(id)).tick
    clock.advance(500) // the event loop was blocked for half a second
    await flush()
    await advance(500)
    const after = (await info(id)).tick
    // 1 s of wall time: 60 ticks minus the 25 or so skipped beyond the catch-up budget
    assert.ok(after - before >= 30 && after - before < 60, `ran ${after - before} ticks`)
    assert.ok(stats.summary().skipped >= 20, `skipped ${stats.summary().skipped}`)
    assert.ok(stats.summary().maxMs >= 400)
  })
})

describe('seats', () => {
  it('seats players, starts the match on its own, and tells joiners everything in a snapshot', async () => {
    await start()
    const id = await rooms.create({ name: 'Seats' })
    const a = await join(id, 'c1', ada)
    assert.equal(a.ok, true)
    assert.equal((a as JoinAccepted).role, 'player')
    assert.equal((a as JoinAccepted).seat, 0)
    const b = (await join(id, 'c2', bob)) as JoinAccepted
    assert.equal(b.seat, 1)
    const snapshot = decode(b.snapshot) as Snapshot
    assert.equal(snapshot.type, 'snapshot')
    assert.deepEqual(
      snapshot.players.map((p) => p.name),
      ['Ada', 'Bob'],
    )
    await advance(600)
    assert.equal((await info(id)).phase, 'countdown')
    const roster = sent.filter((s) => s.event === 'roster').at(-1)?.payload as
      | { players: { name: string }[] }
      | undefined
    assert.deepEqual(
      roster?.players.map((p) => p.name),
      ['Ada', 'Bob'],
    )
  })

  it('keeps a dropped player seat through the grace period and gives it back on rejoin', async () => {
    await start({ graceMs: 2000 })
    const id = await rooms.create()
    await join(id, 'c1', ada)
    await join(id, 'c2', bob)
    rooms.send(id, { t: 'leave', conn: 'c1' })
    await advance(1000)
    let last = frames(id).at(-1)
    assert.equal(last?.players[0]?.connected, false, 'disconnected but seated')
    const again = (await join(id, 'c3', ada)) as JoinAccepted
    assert.equal(again.seat, 0, 'the same seat')
    await advance(200)
    last = frames(id).at(-1)
    assert.equal(last?.players[0]?.connected, true)
    // Gone for longer than the grace period: the seat is freed.
    rooms.send(id, { t: 'leave', conn: 'c3' })
    await advance(2500)
    await advance(3000) // a mid-round leave is released when the round ends
    const players = (await info(id)).players.map((p) => p.name)
    assert.deepEqual(players, ['Bob'])
  })

  it('lets spectators watch without a seat, and refuses a join to a full room', async () => {
    await start({ game: { maxPlayers: 2 } })
    const id = await rooms.create()
    await join(id, 'c1', ada)
    await join(id, 'c2', bob)
    const full = await join(id, 'c3', cyd)
    assert.deepEqual(
      { ok: full.ok, reason: (full as { reason: string }).reason },
      {
        ok: false,
        reason: 'full',
      },
    )
    assert.match((full as { message: string }).message, /full/)
    const watcher = (await join(id, 'c4', cyd, true)) as JoinAccepted
    assert.equal(watcher.role, 'spectator')
    assert.equal(watcher.seat, null)
    assert.equal((await info(id)).players.length, 2)
  })

  it('steers only a player own curve, from its own connection', async () => {
    await start({
      game: {
        spawn: () => [
          { x: 200, y: 400, heading: 0 },
          { x: 600, y: 200, heading: Math.PI / 2 },
        ],
      },
    })
    const id = await rooms.create()
    await join(id, 'c1', ada)
    await join(id, 'c2', bob)
    await advance(100 + 2600) // start delay + countdown
    const heading = () => frames(id).at(-1)?.players[0]?.heading ?? Number.NaN
    const h0 = heading()
    // Bob's connection asking for Ada's curve, a spectator's and a stranger's: ignored.
    rooms.send(id, { t: 'input', conn: 'c2', player: ada.id, turn: 1 })
    rooms.send(id, { t: 'input', conn: 'zz', player: ada.id, turn: 1 })
    await advance(200)
    assert.ok(Math.abs(heading() - h0) < 1e-3, 'Ada flies straight')
    rooms.send(id, { t: 'input', conn: 'c1', player: ada.id, turn: 1 })
    await advance(200)
    assert.ok(heading() - h0 > 0.3, `Ada turns right: ${h0} → ${heading()}`)
  })
})

describe('bots', () => {
  it('fills a room with bots and plays a match to its end', async () => {
    // Ada starts near the left wall, facing it; the bot starts in the middle.
    const spawn = () => [
      { x: 120, y: 400, heading: Math.PI },
      { x: 400, y: 400, heading: 0 },
    ]
    await start({ game: { targetScore: 1, winByTwo: false, spawn }, nextMatchMs: 60_000 })
    const id = await rooms.create()
    const a = (await join(id, 'c1', ada)) as JoinAccepted
    assert.equal(a.ok, true)
    const bot = await rooms.request<{ ok: true; name: string }>(id, { t: 'add_bot', conn: 'c1' })
    assert.equal(bot.ok, true)
    assert.match((bot as { name: string }).name, /bot/)
    // Ada never steers: the bot outlives her.
    for (let i = 0; i < 10 && matches.length === 0; i++) await advance(1000)
    assert.equal(matches.length, 1)
    assert.equal(matches[0]?.winner.bot, true)
    assert.equal(matches[0]?.roomId, id)
    const events = sent
      .filter((s) => s.event === 'ev')
      .flatMap((s) => (s.payload as { events: { type: string }[] }).events)
    assert.ok(events.some((e) => e.type === 'death'))
    assert.ok(events.some((e) => e.type === 'matchOver'))
  })

  it('closes a room left to bots soon after the last person goes', async () => {
    await start({ graceMs: 1000, botsOnlyCloseMs: 2000, emptyCloseMs: 60_000 })
    const id = await rooms.create()
    await join(id, 'c1', ada)
    await rooms.request(id, { t: 'add_bot', conn: 'c1' })
    await rooms.request(id, { t: 'add_bot', conn: 'c1' })
    rooms.send(id, { t: 'leave', conn: 'c1' })
    await advance(1500)
    assert.ok(rooms.whereis(id) !== undefined, 'not before its time')
    await advance(1000)
    assert.equal(rooms.whereis(id), undefined, 'closed, not kept for emptyCloseMs')
  })

  it('refuses a bot from someone who is not in the room', async () => {
    await start()
    const id = await rooms.create()
    const refused = await rooms.request(id, { t: 'add_bot', conn: 'nobody' })
    assert.equal((refused as { reason: string }).reason, 'not_allowed')
  })
})

describe('bad input', () => {
  it('answers unknown rooms at once and survives malformed commands', async () => {
    await start()
    const unknown = rooms.request('zzzzzzzz', { t: 'info' })
    await advance(800) // a room not known here gets a short grace before it is called unknown
    assert.equal(((await unknown) as { reason: string }).reason, 'unknown_room')
    const bad = await rooms.request('../etc', { t: 'info' })
    assert.equal((bad as { reason: string }).reason, 'unknown_room')
    const id = await rooms.create()
    await join(id, 'c1', ada)
    const pid = rooms.whereis(id)
    for (const junk of [
      null,
      42,
      'x',
      { t: 'nope' },
      { t: 'input', conn: 'c1', player: ada.id, turn: 7 },
    ]) {
      pubsub.broadcast(`cf:room:${id}`, junk)
    }
    await advance(200)
    assert.equal(rooms.whereis(id), pid, 'the same process')
    assert.ok((await info(id)).tick > 10)
    assert.deepEqual(errors, [])
  })
})

describe('crashes', () => {
  it('restarts a crashed room with its seats, and other rooms never notice', async () => {
    await start()
    const doomed = await rooms.create({ name: 'Doomed' })
    const other = await rooms.create({ name: 'Other' })
    await join(doomed, 'c1', ada)
    await join(doomed, 'c2', bob)
    await join(other, 'c3', cyd)
    const lives: unknown[] = []
    pubsub.subscribe(`cf:room-life:${doomed}`, (m) => lives.push(m))
    const doomedPid = rooms.whereis(doomed)
    const otherPid = rooms.whereis(other)
    await advance(500)
    const { tick: otherTick, incarnation: otherIncarnation } = await info(other)
    const { incarnation: doomedIncarnation } = await info(doomed)

    const crash = rooms.request(doomed, { t: 'crash', conn: 'c1' }, 50)
    await advance(100)
    assert.equal(
      ((await crash) as { reason: string }).reason,
      'timeout',
      'a crashed room answers nothing',
    )
    assert.equal(errors.length, 1)
    assert.match(errors[0] ?? '', /crashed on purpose/)

    const restartedPid = rooms.whereis(doomed)
    assert.ok(restartedPid !== undefined && restartedPid !== doomedPid, 'a new process')
    const [life, ...more] = lives as { t: string; incarnation: string; restarts: number }[]
    assert.deepEqual(more, [])
    assert.equal(life?.t, 'started')
    assert.equal(life?.restarts, 1)
    assert.notEqual(life?.incarnation, doomedIncarnation, 'a new incarnation')
    const after = await info(doomed)
    assert.deepEqual(
      after.players.map((p) => p.name),
      ['Ada', 'Bob'],
      'seats kept',
    )
    const rejoined = (await join(doomed, 'c1b', ada)) as JoinAccepted
    assert.equal(rejoined.seat, 0)
    assert.match(rejoined.notice ?? '', /restarted/)

    assert.equal(rooms.whereis(other), otherPid, 'the other room kept its process')
    await advance(500)
    const otherAfter = await info(other)
    assert.ok(
      otherAfter.tick >= otherTick + 29,
      `the other room kept ticking: ${otherTick} → ${otherAfter.tick}`,
    )
    assert.equal(otherAfter.incarnation, otherIncarnation)
  })

  it('a restarted room continues its match after the last round played, scores kept', async () => {
    // Ada starts facing the left wall and never steers: the bot wins every round.
    const spawn = () => [
      { x: 120, y: 400, heading: Math.PI },
      { x: 400, y: 400, heading: 0 },
    ]
    await start({ game: { targetScore: 1000, spawn } })
    const id = await rooms.create()
    await join(id, 'c1', ada)
    await rooms.request(id, { t: 'add_bot', conn: 'c1' })
    const current = () => frames(id).at(-1)
    for (let i = 0; i < 60 && (current()?.round ?? 0) < 3; i++) await advance(500)
    const before = current()
    assert.ok(before !== undefined && before.round >= 3, `three rounds began: ${before?.round}`)
    const botBefore = Math.max(...before.players.map((p) => p.score))
    assert.ok(botBefore >= 2, `the bot scored in the rounds played: ${botBefore}`)

    void rooms.request(id, { t: 'crash', conn: 'c1' }, 50)
    await advance(100)
    assert.equal(errors.length, 1)
    const rejoined = (await join(id, 'c1b', ada)) as JoinAccepted
    assert.match(rejoined.notice ?? '', /goes on after round \d+, scores kept/)
    // The first picture after the restart is the match going on, never an empty room at 0.
    const restored = decode(rejoined.snapshot) as Snapshot
    assert.equal(restored.phase, 'countdown')
    assert.ok(
      Math.max(...restored.players.map((p) => p.score)) >= botBefore,
      `scores in the first snapshot: ${JSON.stringify(restored.players.map((p) => p.score))}`,
    )
    const sentBefore = sent.length
    const resumed = () =>
      sent
        .slice(sentBefore)
        .filter((m) => m.topic === `game:${id}` && m.event === 'f')
        .map((m) => decode(m.payload as Uint8Array) as Frame)
        .find((f) => f.phase === 'countdown')
    for (let i = 0; i < 20 && resumed() === undefined; i++) await advance(250)
    const first = resumed()
    assert.ok(first !== undefined, 'the match started again')
    assert.ok(first.round >= before.round - 1, `round ${first.round} follows ${before.round - 1}`)
    const botAfter = Math.max(...first.players.map((p) => p.score))
    assert.ok(botAfter >= botBefore, `scores kept: ${botBefore} → ${botAfter}`)
  })

  it('closes a room that keeps crashing instead of restarting it forever', async () => {
    await start({ maxCrashes: 2, closedLingerMs: 1000 })
    const id = await rooms.create()
    await join(id, 'c1', ada)
    void rooms.request(id, { t: 'crash', conn: 'c1' }, 20)
    await advance(50)
    assert.ok(rooms.whereis(id) !== undefined, 'restarted after the first crash')
    await join(id, 'c1', ada)
    void rooms.request(id, { t: 'crash', conn: 'c1' }, 20)
    await advance(100)
    // It lingers a while to tell rejoining players why, in words, then stops.
    const refused = await join(id, 'c1', ada)
    assert.equal((refused as { reason: string }).reason, 'closed')
    assert.match((refused as { message: string }).message, /crashed 2 times in a row/)
    await advance(1100)
    assert.equal(rooms.whereis(id), undefined)
    assert.deepEqual(rooms.localIds(), [])
  })

  it('refuses the crash control outside development', async () => {
    await start({ dev: false })
    const id = await rooms.create()
    await join(id, 'c1', ada)
    const answer = await rooms.request(id, { t: 'crash', conn: 'c1' })
    assert.equal((answer as { reason: string }).reason, 'not_allowed')
    assert.deepEqual(errors, [])
  })
})
