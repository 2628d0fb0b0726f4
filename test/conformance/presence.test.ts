// The official `phoenix@1.8.16` client's `Presence` against the conformance server: the
// presence items of docs/protocol/channels.md §9 (47–53).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  join,
  openClient,
  outcome,
  type PhxChannel,
  type PhxSocket,
  type Server,
  startServer,
} from './support.ts'

interface Meta {
  name?: string
  status?: string
  phx_ref: string
  phx_ref_prev?: string
}
interface Group {
  metas: Meta[]
}
interface ClientPresence {
  onSync(callback: () => void): void
  onJoin(callback: (key: string, current: Group | undefined, joined: Group) => void): void
  onLeave(callback: (key: string, current: Group, left: Group) => void): void
  list<T = Group>(chooser?: (key: string, presence: Group) => T): T[]
}
type PresenceCtor = new (channel: PhxChannel, options?: object) => ClientPresence

const phoenix: string = 'phoenix'
const { Presence } = (await import(phoenix)) as { Presence: PresenceCtor }

interface Member {
  socket: PhxSocket
  channel: PhxChannel
  presence: ClientPresence
  syncs: number
  states: unknown[]
  diffs: { joins: Record<string, Group>; leaves: Record<string, Group> }[]
  joined: string[]
  left: string[]
  /** key → metas, from the client's own Presence. */
  view(): Record<string, Meta[]>
}

let server: Server
const sockets: PhxSocket[] = []

before(async () => {
  server = await startServer()
})

after(async () => {
  for (const socket of sockets) socket.disconnect()
  await server.stop()
})

async function member(topic: string, name: string, options: object = {}): Promise<Member> {
  const socket = await openClient(server.url, options)
  sockets.push(socket)
  const channel = socket.channel(topic, { track: name })
  const presence = new Presence(channel)
  const m: Member = {
    socket,
    channel,
    presence,
    syncs: 0,
    states: [],
    diffs: [],
    joined: [],
    left: [],
    view() {
      const out: Record<string, Meta[]> = Object.create(null)
      presence.list((key, p) => {
        out[key] = p.metas
      })
      return out
    },
  }
  channel.on('presence_state', (payload) => m.states.push(payload))
  channel.on('presence_diff', (payload) => m.diffs.push(payload as Member['diffs'][number]))
  presence.onSync(() => m.syncs++)
  presence.onJoin((key) => m.joined.push(key))
  presence.onLeave((key) => m.left.push(key))
  const [status] = await outcome(channel.join())
  assert.equal(status, 'ok')
  await until(() => m.syncs > 0)
  return m
}

async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

function keys(view: Record<string, unknown>): string[] {
  return Object.keys(view).sort()
}

describe('presence', () => {
  test('47: after join the server pushes presence_state; the client lists it and onSync fires', async () => {
    const alice = await member('room:p47', 'alice')
    assert.equal(alice.states.length, 1)
    const state = alice.states[0] as Record<string, Group>
    assert.deepEqual(Object.keys(state), ['alice'])
    const [meta] = state.alice?.metas ?? []
    assert.equal(meta?.name, 'alice')
    assert.match(meta?.phx_ref ?? '', /^[A-Za-z0-9_-]{16}$/)
    assert.deepEqual({ ...alice.view() }, { alice: [meta] })
    assert.ok(alice.syncs >= 1)
  })

  test('48: a second client gives a presence_diff joining its key, with leaves {}, and onJoin', async () => {
    const alice = await member('room:p48', 'alice')
    const bob = await member('room:p48', 'bob')
    await until(() => alice.joined.includes('bob'))
    const diff = alice.diffs.find((d) => 'bob' in d.joins)
    assert.ok(diff)
    assert.deepEqual(diff.leaves, {})
    assert.deepEqual(keys(diff.joins), ['bob'])
    assert.equal(diff.joins.bob?.metas[0]?.name, 'bob')
    assert.deepEqual(keys(alice.view()), ['alice', 'bob'])
    assert.deepEqual(keys(bob.view()), ['alice', 'bob'])
  })

  test('49: update gives one diff with the new meta joining (phx_ref_prev) and the old leaving', async () => {
    const alice = await member('room:p49', 'alice')
    const bob = await member('room:p49', 'bob')
    await until(() => alice.view().bob !== undefined)
    const old = alice.view().bob?.[0]?.phx_ref
    assert.ok(old)
    assert.equal(
      (await outcome(bob.channel.push('presence_update', { name: 'bob', status: 'away' })))[0],
      'ok',
    )
    await until(() => alice.view().bob?.[0]?.status === 'away')
    const diff = alice.diffs.find((d) => d.joins.bob?.metas[0]?.status === 'away')
    assert.ok(diff)
    assert.equal(diff.joins.bob?.metas[0]?.phx_ref_prev, old)
    assert.notEqual(diff.joins.bob?.metas[0]?.phx_ref, old)
    assert.deepEqual(
      diff.leaves.bob?.metas.map((m) => m.phx_ref),
      [old],
    )
    assert.equal(alice.view().bob?.length, 1, 'exactly one meta for that connection')
    assert.equal(bob.view().bob?.length, 1)
  })

  test('50: closing a client gives a leave diff; onLeave fires and the key goes', async () => {
    const alice = await member('room:p50', 'alice')
    const bob = await member('room:p50', 'bob')
    await until(() => alice.view().bob !== undefined)
    bob.socket.disconnect()
    await until(() => alice.left.includes('bob'))
    const diff = alice.diffs.find((d) => 'bob' in d.leaves)
    assert.deepEqual(diff?.joins, {})
    assert.equal(diff?.leaves.bob?.metas[0]?.name, 'bob')
    assert.deepEqual(keys(alice.view()), ['alice'])
  })

  test('51: two connections of one key are one key with two metas; closing one leaves one', async () => {
    const watcher = await member('room:p51', 'watcher')
    const first = await member('room:p51', 'carol')
    await member('room:p51', 'carol')
    await until(() => watcher.view().carol?.length === 2)
    const refs = new Set(watcher.view().carol?.map((m) => m.phx_ref))
    assert.equal(refs.size, 2)
    first.socket.disconnect()
    await until(() => watcher.view().carol?.length === 1)
    assert.deepEqual(keys(watcher.view()), ['carol', 'watcher'])
  })

  test('52: keys such as __proto__ and constructor do not corrupt client state', async () => {
    const watcher = await member('room:p52', 'watcher')
    await member('room:p52', '__proto__')
    await member('room:p52', 'constructor')
    await until(() => keys(watcher.view()).length === 3)
    assert.deepEqual(keys(watcher.view()), ['__proto__', 'constructor', 'watcher'])
    const late = await member('room:p52', 'late')
    assert.deepEqual(keys(late.view()), ['__proto__', 'constructor', 'late', 'watcher'])
    assert.equal(({} as Record<string, unknown>).metas, undefined, 'Object.prototype is untouched')
    assert.equal(typeof ({} as { constructor: unknown }).constructor, 'function')
  })

  test('53: after a rejoin the server sends presence_state again; diffs meanwhile are not lost', async () => {
    const dave = await member('room:p53', 'dave', { rejoinAfterMs: () => 200 })
    const states = dave.states.length
    // Crash dave's channel: its presence leaves; the client rejoins by itself.
    dave.channel.push('crash', {})
    await until(() => dave.channel.state === 'errored' || dave.channel.state === 'joining')
    const erin = await member('room:p53', 'erin')
    await until(() => dave.states.length > states && dave.channel.state === 'joined')
    await until(() => keys(dave.view()).length === 2)
    assert.deepEqual(keys(dave.view()), ['dave', 'erin'])
    assert.equal(dave.view().dave?.length, 1, 'dave once: the crashed join was untracked')
    assert.deepEqual(keys(erin.view()), ['dave', 'erin'])
    assert.equal(erin.view().dave?.length, 1)
  })

  test('a join without params.track tracks nothing and gets no presence_state', async () => {
    const socket = await openClient(server.url)
    sockets.push(socket)
    const states: unknown[] = []
    const channel = await join(socket, 'room:p-none')
    channel.on('presence_state', (p) => states.push(p))
    assert.equal((await outcome(channel.push('ping', {})))[0], 'ok')
    assert.deepEqual(states, [])
    assert.deepEqual(await outcome(channel.push('presence_update', { a: 1 })), [
      'error',
      { reason: 'not tracked' },
    ])
  })
})
