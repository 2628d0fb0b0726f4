// The shards under their supervisor: a crashed shard restarts as a new replica, the others
// keep running, owners of what it held get an exit signal, and peers converge again.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { CinderError } from '../../src/errors.ts'
import { shardIndex } from '../../src/presence/tracker.ts'
import {
  type Behaviour,
  type ExitMessage,
  exit,
  isAlive,
  noreply,
  type Pid,
  spawn,
  stopProcess,
} from '../../src/process/index.ts'
import { FAST, leftKeys, listed, ManualTime, settle, TestCluster } from './support.ts'

let time: ManualTime
let cluster: TestCluster
const owners: Pid[] = []

async function owner(): Promise<Pid> {
  const pid = await spawn({ init: () => null }, undefined)
  owners.push(pid)
  return pid
}

/** Two topics that land on different shards of a pool of 2. */
function topicsOnBothShards(): [string, string] {
  const first = 'room:0'
  for (let i = 1; ; i++) {
    const topic = `room:${i}`
    if (shardIndex(topic, 2) !== shardIndex(first, 2)) return [first, topic]
  }
}

beforeEach(() => {
  time = new ManualTime()
  cluster = new TestCluster()
})

afterEach(async () => {
  await cluster.stop()
  for (const pid of owners.splice(0)) await stopProcess(pid, 'shutdown').catch(() => {})
  time.restore()
})

describe('a crashed shard', () => {
  test('restarts as a new replica; the other shard keeps running; peers converge', async () => {
    const [crashing, steady] = topicsOnBothShards()
    const a = await cluster.node('a', { poolSize: 2 })
    const b = await cluster.node('b', { poolSize: 2 })
    const [aOnCrashing, aOnSteady, bOwner] = [await owner(), await owner(), await owner()]
    a.tracker.track(aOnCrashing, crashing, 'a1', { name: 'a1' })
    a.tracker.track(aOnSteady, steady, 'a2', { name: 'a2' })
    b.tracker.track(bOwner, crashing, 'b1', { name: 'b1' })
    b.tracker.track(bOwner, steady, 'b2', { name: 'b2' })
    await time.advance(3 * FAST.broadcastPeriod)
    assert.deepEqual(listed(b, crashing), ['a1:a1', 'b1:b1'])

    const index = shardIndex(crashing, 2)
    const before = a.tracker.shards[index]
    const other = a.tracker.shards[1 - index]
    const oldPid = before?.pid
    assert.ok(before && other && oldPid)
    a.diffs.length = 0
    exit(oldPid, new Error('boom'))
    await settle()

    const after = a.tracker.shards[index]
    assert.ok(after && after !== before, 'a new Shard holds the slot')
    assert.notEqual(after.ref.vsn, before.ref.vsn, 'a new replica (fresh vsn)')
    assert.ok(after.pid && isAlive(after.pid) && !isAlive(oldPid))
    assert.equal(a.tracker.shards[1 - index], other, 'the other shard was not restarted')
    assert.ok(other.pid && isAlive(other.pid))

    // The owner of the lost presence got the crash as its exit reason; the other did not.
    assert.equal(isAlive(aOnCrashing), false)
    assert.equal(isAlive(aOnSteady), true)
    // What the dead shard listed left, locally and remote alike.
    assert.deepEqual(leftKeys(a).sort(), ['a1:a1', 'b1:b1'])
    assert.deepEqual(listed(a, crashing), [])
    assert.match(a.log.matching(/crashed/)[0] ?? '', /shard \d on a crashed \(boom\)/)

    // The other shard works on, and the restarted one takes new presences.
    const fresh = await owner()
    a.tracker.track(fresh, steady, 'a3', { name: 'a3' })
    a.tracker.track(fresh, crashing, 'a4', { name: 'a4' })
    await time.advance(4 * FAST.broadcastPeriod)

    // b dropped the old replica's presence as soon as it heard the new one (no down period),
    // and a relearned b's presence from b.
    assert.deepEqual(listed(b, crashing), ['a4:a4', 'b1:b1'])
    assert.deepEqual(listed(b, steady), ['a2:a2', 'a3:a3', 'b2:b2'])
    assert.deepEqual(listed(a, crashing), ['a4:a4', 'b1:b1'])
    assert.deepEqual(listed(a, steady), ['a2:a2', 'a3:a3', 'b2:b2'])
    assert.ok(b.log.matching(/a restarted/).length > 0)
    assert.equal(b.tracker.shards[index]?.replicas.get('a')?.vsn, after.ref.vsn)
  })

  test('an owner trapping exits learns why and can track again', async () => {
    const a = await cluster.node('a')
    const b = await cluster.node('b')
    const reasons: unknown[] = []
    const retracker: Behaviour<number, null> = {
      init: () => 0,
      handleInfo(message, round) {
        const { type, reason } = message as ExitMessage
        if (type === 'EXIT') {
          reasons.push(reason)
          a.tracker.track(self, 'room:1', 'me', { name: `round${round + 1}` })
          return noreply(round + 1)
        }
        return noreply(round)
      },
    }
    const self = await spawn(retracker, null, { trapExit: true })
    owners.push(self)
    a.tracker.track(self, 'room:1', 'me', { name: 'round0' })
    await time.advance(3 * FAST.broadcastPeriod)
    assert.deepEqual(listed(b, 'room:1'), ['me:round0'])

    const pid = a.tracker.shards[0]?.pid
    assert.ok(pid)
    exit(pid, 'kill')
    await settle()
    assert.equal(isAlive(self), true)
    assert.equal(reasons.length, 1)
    assert.ok(reasons[0] instanceof CinderError)
    assert.equal(reasons[0].code, 'CINDER_ERR_PRESENCE_SHARD_CRASHED')
    assert.deepEqual(listed(a, 'room:1'), ['me:round1'])
    await time.advance(3 * FAST.broadcastPeriod)
    assert.deepEqual(listed(b, 'room:1'), ['me:round1'])
  })

  test('the new replica hears from quiet peers within a few periods, not after their silence', async () => {
    const quiet = { maxSilentPeriods: 8, downPeriod: 2_000, permdownPeriod: 6_000 }
    const a = await cluster.node('a', quiet)
    const b = await cluster.node('b', quiet)
    a.tracker.track(await owner(), 'room:1', 'k', { name: 'k' })
    await time.advance(12 * FAST.broadcastPeriod) // both quiet now
    assert.deepEqual(listed(b, 'room:1'), ['k:k'])

    const pid = b.tracker.shards[0]?.pid
    assert.ok(pid)
    exit(pid, 'kill')
    await settle()
    assert.deepEqual(listed(b, 'room:1'), [])
    await time.advance(4 * FAST.broadcastPeriod)
    assert.deepEqual(listed(b, 'room:1'), ['k:k'], 'a answered the newcomer at its next tick')
  })

  test('calls while the shard restarts fail at once with a clear error, then work again', async () => {
    const a = await cluster.node('a')
    const pid = await owner()
    const shardPid = a.tracker.shards[0]?.pid
    assert.ok(shardPid)
    exit(shardPid, 'kill') // gone at once; the supervisor restarts it on its next turn
    assert.throws(() => a.tracker.track(pid, 'room:1', 'k', {}), {
      code: 'CINDER_ERR_PRESENCE_NOT_RUNNING',
      message: /crashed: its supervisor is restarting it/,
    })
    assert.throws(() => a.tracker.list('room:1'), { code: 'CINDER_ERR_PRESENCE_NOT_RUNNING' })
    assert.equal(a.tracker.untrack(pid), 0, 'untrack of everything skips the restarting shard')
    await settle()
    a.tracker.track(pid, 'room:1', 'k', { name: 'k' })
    assert.deepEqual(listed(a, 'room:1'), ['k:k'])
  })

  test('too many crashes stop the tracker: calls fail, stop() resolves', async () => {
    const a = await cluster.node('a', { poolSize: 2 })
    const pid = await owner()
    for (let crash = 0; crash < 5; crash++) {
      const shardPid = a.tracker.shards[0]?.pid
      if (shardPid && isAlive(shardPid)) exit(shardPid, 'kill')
      await settle()
    }
    const supervisor = a.tracker.supervisor
    assert.ok(supervisor)
    assert.equal(isAlive(supervisor), false)
    assert.equal(
      a.tracker.shards.some((s) => s.running),
      false,
    )
    assert.throws(() => a.tracker.track(pid, 'room:1', 'k', {}), {
      code: 'CINDER_ERR_PRESENCE_NOT_RUNNING',
      message: /crashed too often/,
    })
    assert.equal(a.log.matching(/crashed more than 4 times within a second/).length, 1)
    await a.tracker.stop()
  })
})

describe('stop', () => {
  test('stops the supervisor and its shards; peers drop the presences at once', async () => {
    const a = await cluster.node('a', { poolSize: 2 })
    const b = await cluster.node('b', { poolSize: 2 })
    a.tracker.track(await owner(), 'room:1', 'k', { name: 'k' })
    await time.advance(3 * FAST.broadcastPeriod)
    assert.deepEqual(listed(b, 'room:1'), ['k:k'])
    const pids = [a.tracker.supervisor, ...a.tracker.shards.map((s) => s.pid)]
    await a.tracker.stop()
    for (const pid of pids) assert.equal(pid && isAlive(pid), false)
    await settle()
    assert.deepEqual(listed(b, 'room:1'), [])
  })
})
