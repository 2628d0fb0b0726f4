// The payloads are checked against the official client: its Presence.syncState/syncDiff run
// on exactly what the server would send (after a JSON round trip, as on the wire).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CinderError } from '../../src/errors.ts'
import {
  createRefGenerator,
  groupByTopic,
  isEmptyDiff,
  type PresenceDiff,
  type PresenceMap,
  presenceDiff,
  presenceState,
  trackedMeta,
  updatedMeta,
} from '../../src/presence/presence-diff.ts'
import { TrackerState } from '../../src/presence/tracker/state.ts'

interface ClientPresence {
  metas: Record<string, unknown>[]
}
type ClientState = Record<string, ClientPresence>
interface PresenceStatic {
  syncState(state: ClientState, newState: unknown, onJoin?: unknown, onLeave?: unknown): ClientState
  syncDiff(state: ClientState, diff: unknown, onJoin?: unknown, onLeave?: unknown): ClientState
  list(state: ClientState): ClientPresence[]
}
// The package ships no types; a non-literal specifier keeps the checker out of it.
const phoenix: string = 'phoenix'
const { Presence } = (await import(phoenix)) as { Presence: PresenceStatic }

const wire = <T>(payload: T): unknown => JSON.parse(JSON.stringify(payload))

/** The client's view as key → sorted phx_refs. */
function refs(state: ClientState): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const key of Object.getOwnPropertyNames(state)) {
    Object.defineProperty(out, key, {
      value: (state[key]?.metas ?? []).map((m) => String(m.phx_ref)).sort(),
      enumerable: true,
    })
  }
  return out
}

/** A server side: a tracker state whose metas carry refs, as Presence will store them. */
function server() {
  const state = new TrackerState('n1#1')
  const nextRef = createRefGenerator()
  return {
    state,
    track: (pid: string, key: string, meta: Record<string, unknown>) =>
      state.join(pid, 'room', key, trackedMeta(meta, nextRef())),
    update: (pid: string, key: string, meta: Record<string, unknown>) => {
      const previous = state.get(pid, 'room', key)
      assert.ok(previous)
      return state.update(
        pid,
        'room',
        key,
        updatedMeta(meta, nextRef(), String(previous.meta.phx_ref)),
      )
    },
    list: (): PresenceMap => presenceState(state.getByTopic('room')),
  }
}

test('presence_state is {key: {metas: [...meta, phx_ref]}} and the client lists it', () => {
  const s = server()
  const a1 = s.track('p1', 'alice', { device: 'phone' })
  const a2 = s.track('p2', 'alice', { device: 'laptop' })
  const b = s.track('p3', 'bob', { device: 'tablet' })
  const payload = s.list()
  assert.deepEqual(wire(payload), {
    alice: { metas: [a1.meta, a2.meta] },
    bob: { metas: [b.meta] },
  })
  assert.equal(a1.meta.device, 'phone')
  assert.match(String(a1.meta.phx_ref), /^[A-Za-z0-9_-]{16}$/)
  const client = Presence.syncState({}, wire(payload))
  assert.deepEqual(refs(client), {
    alice: [a1.meta.phx_ref, a2.meta.phx_ref].map(String).sort(),
    bob: [String(b.meta.phx_ref)],
  })
  assert.equal(Presence.list(client).length, 2)
})

test('a track and an untrack become joins and leaves the client applies', () => {
  const s = server()
  s.track('p1', 'alice', {})
  let client = Presence.syncState({}, wire(s.list()))
  const bob = s.track('p2', 'bob', { x: 1 })
  const joinDiff = presenceDiff([bob], [])
  assert.deepEqual(wire(joinDiff), { joins: { bob: { metas: [bob.meta] } }, leaves: {} })
  client = Presence.syncDiff(client, wire(joinDiff))
  assert.deepEqual(Object.keys(refs(client)).sort(), ['alice', 'bob'])
  const left = s.state.leave('p2', 'room', 'bob')
  assert.ok(left)
  const leaveDiff = presenceDiff([], [left])
  assert.deepEqual(wire(leaveDiff), { joins: {}, leaves: { bob: { metas: [bob.meta] } } })
  client = Presence.syncDiff(client, wire(leaveDiff))
  assert.deepEqual(Object.keys(refs(client)), ['alice'])
})

test('an update is a join with phx_ref_prev plus a leave of the old ref, and the key stays', () => {
  const s = server()
  const before = s.track('p1', 'alice', { status: 'away' })
  s.track('p2', 'alice', { status: 'other device' })
  let client = Presence.syncState({}, wire(s.list()))
  const { previous, current } = s.update('p1', 'alice', { status: 'busy' })
  assert.equal(previous, before)
  assert.equal(current.meta.phx_ref_prev, before.meta.phx_ref)
  assert.notEqual(current.meta.phx_ref, before.meta.phx_ref)
  const diff = presenceDiff([current], [previous])
  const events: string[] = []
  client = Presence.syncDiff(
    client,
    wire(diff),
    (key: string) => events.push(`join ${key}`),
    (key: string, remaining: ClientPresence) =>
      events.push(`leave ${key} (${remaining.metas.length} left)`),
  )
  assert.deepEqual(events, ['join alice', 'leave alice (2 left)'])
  const metas = client.alice?.metas ?? []
  assert.deepEqual(metas.map((m) => m.status).sort(), ['busy', 'other device'])
  const busy = metas.find((m) => m.status === 'busy')
  assert.equal(busy?.phx_ref_prev, before.meta.phx_ref)
  // The client's own full resync agrees with the diffs.
  assert.deepEqual(refs(Presence.syncState({}, wire(s.list()))), refs(client))
})

test('diffs replayed on the client match a fresh presence_state after every step', () => {
  const s = server()
  let client = Presence.syncState({}, wire(s.list()))
  const steps: (() => void)[] = [
    () => s.track('p1', 'a', {}),
    () => s.track('p2', 'a', {}),
    () => s.update('p1', 'a', { n: 2 }),
    () => s.track('p3', 'b', {}),
    () => s.update('p3', 'b', { n: 3 }),
    () => s.state.leave('p2', 'room', 'a'),
    () => s.state.leaveAll('p1'),
  ]
  for (const step of steps) {
    const before = new Set(s.state.getByTopic('room'))
    step()
    const after = new Set(s.state.getByTopic('room'))
    const diff = presenceDiff(
      [...after].filter((e) => !before.has(e)),
      [...before].filter((e) => !after.has(e)),
    )
    client = Presence.syncDiff(client, wire(diff))
    assert.deepEqual(refs(client), refs(Presence.syncState({}, wire(s.list()))))
  }
  assert.deepEqual(refs(client), { b: refs(Presence.syncState({}, wire(s.list()))).b })
})

test('keys named __proto__ and constructor are ordinary keys, on both sides', () => {
  const s = server()
  const proto = s.track('p1', '__proto__', { evil: true })
  const ctor = s.track('p2', 'constructor', {})
  const payload = s.list()
  assert.equal(Object.getPrototypeOf(payload), null)
  assert.deepEqual(Object.keys(payload).sort(), ['__proto__', 'constructor'])
  const json = JSON.stringify(payload)
  assert.ok(json.includes('"__proto__":{"metas"'))
  let client = Presence.syncState({}, JSON.parse(json))
  assert.deepEqual(Object.getOwnPropertyNames(client).sort(), ['__proto__', 'constructor'])
  assert.equal(({} as Record<string, unknown>).evil, undefined, 'no prototype pollution')
  const left = s.state.leave('p1', 'room', '__proto__')
  assert.ok(left)
  client = Presence.syncDiff(client, JSON.parse(JSON.stringify(presenceDiff([], [left]))))
  assert.deepEqual(Object.getOwnPropertyNames(client), ['constructor'])
  const own = Object.getOwnPropertyDescriptor(client, 'constructor')?.value as ClientPresence
  assert.equal(own.metas[0]?.phx_ref, ctor.meta.phx_ref)
  assert.notEqual(proto.meta.phx_ref, ctor.meta.phx_ref)
})

test('groupByTopic splits a tracker diff into one diff per topic', () => {
  const s = new TrackerState('n1#1')
  const ref = createRefGenerator()
  const x = s.join('p', 'room:1', 'alice', trackedMeta({}, ref()))
  const y = s.join('p', 'room:2', 'bob', trackedMeta({}, ref()))
  const z = s.join('q', 'room:1', 'carol', trackedMeta({}, ref()))
  const groups = groupByTopic([x, y], [z])
  assert.deepEqual([...groups.keys()], ['room:1', 'room:2'])
  assert.deepEqual(groups.get('room:1'), { joins: [x], leaves: [z] })
  assert.deepEqual(groups.get('room:2'), { joins: [y], leaves: [] })
  const empty: PresenceDiff = presenceDiff([], [])
  assert.equal(isEmptyDiff(empty), true)
  assert.equal(isEmptyDiff(presenceDiff([x], [])), false)
})

test('phx_refs are 16 base64url characters, unique per generator and across generators', () => {
  const a = createRefGenerator()
  const b = createRefGenerator()
  const seen = new Set<string>()
  for (let i = 0; i < 10_000; i++) {
    seen.add(a())
    seen.add(b())
  }
  assert.equal(seen.size, 20_000)
  for (const r of [...seen].slice(0, 10)) assert.match(r, /^[A-Za-z0-9_-]{16}$/)
  const fixed = createRefGenerator(() => new Uint8Array(6))
  assert.equal(fixed(), 'AAAAAAAAAAAAAAAB')
  assert.equal(fixed(), 'AAAAAAAAAAAAAAAC')
})

test('a meta without phx_ref is refused when building a payload', () => {
  assert.throws(
    () => presenceState([{ key: 'k', meta: { no: 'ref' } }]),
    (e: unknown) => e instanceof CinderError && e.code === 'CINDER_ERR_PRESENCE_BAD_ARG',
  )
})
