/**
 * The `game:<id>` channel driven by the official phoenix client in Node: authentication, joins,
 * binary snapshots and frames decoded with the game's codec, inputs and their validation, the
 * rate limit, refusals, and the snapshot that follows a rejoin after a room crash.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { CurveFever } from '../../../examples/curve_fever/app.ts'
import { userToken } from '../../../examples/curve_fever/auth/user.ts'
import { decode, type Frame, type Snapshot } from '../../../examples/curve_fever/game/index.ts'
import type { User } from '../../../examples/curve_fever/rooms/protocol.ts'
import { setLogger } from '../../../src/index.ts'
import { openSocket, outcome, type PhxChannel, type PhxSocket, startApp } from './support.ts'

const SECRET = 'channel-test-secret-key-base-0123456789-0123456789-0123456789-0123456789'
const ada: User = { id: 'u-ada', name: 'Ada', colour: '#ee8800' }
const bob: User = { id: 'u-bob', name: 'Bob', colour: '#88aaee' }
const cyd: User = { id: 'u-cyd', name: 'Cyd', colour: '#ffff00' }

let app: CurveFever
let url: string
const sockets: PhxSocket[] = []
const logged: string[] = []

before(async () => {
  setLogger({ error: (m) => logged.push(m), warn: () => {}, info: () => {} })
  app = await startApp({
    secretKeyBase: SECRET,
    room: { startDelayMs: 200, game: { maxPlayers: 3 } },
  })
  url = `${app.url.replace('http', 'ws')}/socket`
})

after(async () => {
  for (const socket of sockets) socket.disconnect()
  await app.stop()
})

async function connect(user: User): Promise<PhxSocket> {
  const socket = await openSocket(url, { token: userToken(SECRET, user) })
  sockets.push(socket)
  return socket
}

interface Joined {
  channel: PhxChannel
  reply: Record<string, unknown>
  snapshots: Snapshot[]
  frames: Frame[]
  errors: number
}

async function joinGame(socket: PhxSocket, id: string, params: object = {}): Promise<Joined> {
  const channel = socket.channel(`game:${id}`, params)
  const joined: Joined = { channel, reply: {}, snapshots: [], frames: [], errors: 0 }
  channel.on('s', (payload) => {
    assert.ok(payload instanceof ArrayBuffer, 'snapshots are binary frames')
    joined.snapshots.push(decode(new Uint8Array(payload)) as Snapshot)
  })
  channel.on('f', (payload) => {
    assert.ok(payload instanceof ArrayBuffer, 'frames are binary frames')
    joined.frames.push(decode(new Uint8Array(payload)) as Frame)
  })
  channel.onError(() => {
    joined.errors += 1
  })
  const [status, reply] = await outcome(channel.join())
  assert.equal(status, 'ok', JSON.stringify(reply))
  joined.reply = reply as Record<string, unknown>
  return joined
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('the game channel', () => {
  it('refuses sockets without a valid token', async () => {
    await assert.rejects(openSocket(url, {}), /refused/)
    await assert.rejects(openSocket(url, { token: 'forged' }), /refused/)
    await assert.rejects(
      openSocket(url, { token: userToken('another-secret'.repeat(6), ada) }),
      /refused/,
    )
  })

  it('joins with a snapshot, then streams binary frames that decode with the codec', async () => {
    const id = await app.rooms.create({ name: 'Frames' })
    const a = await joinGame(await connect(ada), id)
    assert.deepEqual(
      { role: a.reply.role, seat: a.reply.seat, name: a.reply.name },
      { role: 'player', seat: 0, name: 'Frames' },
    )
    await until(() => a.snapshots.length === 1, 'the snapshot')
    assert.deepEqual(
      a.snapshots[0]?.players.map((p) => [p.name, p.colour]),
      [['Ada', '#ee8800']],
    )
    const b = await joinGame(await connect(bob), id)
    assert.equal(b.reply.seat, 1)
    await until(() => a.frames.some((f) => f.phase === 'running'), 'a running round', 8000)
    const running = a.frames.filter((f) => f.phase === 'running')
    assert.ok(running.every((f) => f.players.length === 2))
    // Frames carry trail points incrementally: each run continues where the last one ended.
    const held = new Map<number, number>()
    for (const f of a.frames) {
      for (const run of f.runs) {
        const have = f.round === a.frames[0]?.round ? (held.get(run.seat) ?? 0) : 0
        assert.ok(run.first <= have, `no hole: run at ${run.first}, held ${have}`)
        held.set(run.seat, Math.max(have, run.first + run.points.length))
      }
    }
  })

  it('steers with tiny inputs, and refuses bad, foreign and flooding ones', async () => {
    const id = await app.rooms.create({ name: 'Inputs' })
    const a = await joinGame(await connect(ada), id)
    const { channel } = a
    assert.deepEqual(await outcome(channel.push('i', { t: 1 })), ['ok', {}])
    const [badStatus, bad] = await outcome(channel.push('i', { t: 7 }))
    assert.equal(badStatus, 'error')
    assert.equal((bad as { reason: string }).reason, 'invalid')
    assert.match((bad as { message: string }).message, /-1 \(left\), 0 \(straight\) or 1 \(right\)/)
    const [, foreign] = await outcome(channel.push('i', { t: 1, player: bob.id }))
    assert.equal((foreign as { reason: string }).reason, 'not_allowed')
    const [, unknown] = await outcome(channel.push('teleport', {}))
    assert.equal((unknown as { reason: string }).reason, 'unknown_event')
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => outcome(channel.push('i', { t: i % 2 }))),
    )
    const limited = answers.filter(([, r]) => (r as { reason?: string }).reason === 'rate_limited')
    assert.ok(limited.length >= 30, `most of a burst of 60 is refused, got ${limited.length}`)
    assert.ok(
      answers.some(([s]) => s === 'ok'),
      'the first ones pass',
    )
    // The room took none of it badly.
    const info = await app.rooms.request<{ ok: true; info: { connections: number } }>(id, {
      t: 'info',
    })
    assert.equal(info.ok && info.info.connections, 1)
  })

  it('lets spectators watch but not steer; refuses full and unknown rooms clearly', async () => {
    const id = await app.rooms.create({ name: 'Stands' })
    await joinGame(await connect(ada), id)
    await joinGame(await connect(bob), id)
    const cydSocket = await connect(cyd)
    await joinGame(cydSocket, id)
    const dee: User = { id: 'u-dee', name: 'Dee', colour: '#ccffff' }
    const deeSocket = await connect(dee)
    const full = deeSocket.channel(`game:${id}`, {})
    const [status, refusal] = await outcome(full.join())
    full.leave()
    assert.equal(status, 'error')
    assert.equal((refusal as { reason: string }).reason, 'full')
    const watcher = await joinGame(deeSocket, id, { spectate: true })
    assert.equal(watcher.reply.role, 'spectator')
    const [, steer] = await outcome(watcher.channel.push('i', { t: 1 }))
    assert.equal((steer as { reason: string }).reason, 'spectator')
    await until(() => watcher.snapshots.length === 1, 'the spectator snapshot')

    const nowhere = deeSocket.channel('game:zzzzzzzz', {})
    const [, missing] = await outcome(nowhere.join())
    nowhere.leave()
    assert.equal((missing as { reason: string }).reason, 'unknown_room')
    const odd = deeSocket.channel('game:../../etc', {})
    const [, malformed] = await outcome(odd.join())
    odd.leave()
    assert.equal((malformed as { reason: string }).reason, 'unknown_room')
  })

  it('after a room crash, the client rejoins by itself and gets a fresh snapshot', async () => {
    const id = await app.rooms.create({ name: 'Phoenix' })
    const other = await app.rooms.create({ name: 'Bystander' })
    const a = await joinGame(await connect(ada), id)
    const c = await joinGame(await connect(cyd), other)
    await until(() => a.snapshots.length === 1 && c.snapshots.length === 1, 'snapshots')
    const pid = app.rooms.whereis(id)
    const otherPid = app.rooms.whereis(other)
    assert.deepEqual(await outcome(a.channel.push('crash', {})), ['ok', {}])
    await until(() => a.errors === 1, 'phx_error on the crashed room')
    await until(() => a.snapshots.length === 2, 'a snapshot after the rejoin', 5000)
    assert.notEqual(app.rooms.whereis(id), pid)
    assert.equal(a.snapshots[1]?.players[0]?.name, 'Ada', 'the seat was kept')
    assert.equal(app.rooms.whereis(other), otherPid)
    assert.equal(c.errors, 0, 'the other room never noticed')
    const framesBefore = c.frames.length
    await until(() => c.frames.length > framesBefore, 'the other room keeps broadcasting')
    assert.equal(logged.filter((l) => l.includes('crashed on purpose')).length, 1)
  })
})
