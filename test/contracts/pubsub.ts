/**
 * The PubSub contract: every adapter runs these tests (local, memory, redis,
 * nats, …). An adapter's test file supplies a `PubSubCluster`: a way to start
 * PubSub nodes joined by that adapter, and to write raw bytes on its wire.
 * Single-node adapters skip the tests that need a second node.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { CinderError } from '../../src/errors.ts'
import type { Logger } from '../../src/logger.ts'
import { exit, noreply, type Pid, spawn, stopProcess } from '../../src/process/index.ts'
import { FRAME_MARK } from '../../src/pubsub/encoding.ts'
import { type Dispatcher, deliver, type PubSub, type Subscriber } from '../../src/pubsub/index.ts'

/** Starts nodes of one cluster, all on the PubSub named `pubsub`. */
export interface PubSubCluster {
  /** Whether a second node can be reached (false for the `local` adapter). */
  readonly multiNode: boolean
  /** Starts a PubSub named `pubsub` on a new node named `node`. */
  start(pubsub: string, node: string, logger: Logger): Promise<PubSub>
  /** Writes raw bytes where the nodes of `pubsub` receive broadcasts (multi-node only). */
  inject?(pubsub: string, data: string): Promise<void>
  /** Releases what `start` and `inject` opened. */
  close(): Promise<void>
}

/** A test's log: the lines each PubSub wrote. */
export class LogCapture implements Logger {
  readonly lines: { level: string; text: string }[] = []
  info(text: string): void {
    this.lines.push({ level: 'info', text })
  }
  warn(text: string): void {
    this.lines.push({ level: 'warn', text })
  }
  error(text: string): void {
    this.lines.push({ level: 'error', text })
  }
  matching(pattern: RegExp): string[] {
    return this.lines.filter((l) => pattern.test(l.text)).map((l) => l.text)
  }
}

/** A function subscriber that keeps what it receives. */
export function inbox(): { fn: (m: unknown) => void; messages: unknown[] } {
  const messages: unknown[] = []
  return { fn: (m) => messages.push(m), messages }
}

/** Polls `condition` until it holds; fails after `ms`. */
export async function until(
  condition: () => boolean,
  ms = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = performance.now() + ms
  while (!condition()) {
    if (performance.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Spawns a process that pushes every message it gets in `handleInfo` into `messages`. */
export async function listener(): Promise<{ pid: Pid; messages: unknown[] }> {
  const messages: unknown[] = []
  const pid = await spawn(
    {
      init: () => null,
      handleInfo: (message: unknown, state: null) => {
        messages.push(message)
        return noreply(state)
      },
    },
    undefined,
  )
  return { pid, messages }
}

let counter = 0
/** A PubSub name no other test (or parallel run) uses. */
export function uniqueName(prefix = 'contract'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`
}

/** Registers the contract tests for one adapter. `setup` resolves to `{ skip: why }` to skip them all. */
export function pubsubContract(
  adapter: string,
  setup: () => Promise<PubSubCluster | { skip: string }>,
): void {
  describe(`PubSub contract: ${adapter} adapter`, () => {
    let cluster: PubSubCluster | undefined
    let skip: string | undefined
    const started: PubSub[] = []

    before(async () => {
      const made = await setup()
      if ('skip' in made) skip = made.skip
      else cluster = made
    })
    after(async () => {
      await Promise.all(started.map((p) => p.stop()))
      await cluster?.close()
    })

    /** Starts `count` nodes of a fresh PubSub and a log capture shared by them. */
    async function nodes(count: number): Promise<{ ps: PubSub[]; log: LogCapture; name: string }> {
      if (cluster === undefined) throw new Error('no cluster')
      const name = uniqueName(adapter)
      const log = new LogCapture()
      const ps: PubSub[] = []
      for (let i = 0; i < count; i++) {
        const p = await cluster.start(name, `${name}-node${i}`, log)
        started.push(p)
        ps.push(p)
      }
      return { ps, log, name }
    }

    function it(
      title: string,
      body: () => Promise<void>,
      needs: { multiNode?: boolean } = {},
    ): void {
      test(title, async (t) => {
        if (skip !== undefined) return t.skip(skip)
        if (needs.multiNode && !cluster?.multiNode) return t.skip('single-node adapter')
        await body()
      })
    }

    // Delivery between two nodes is ordered per sender, so a marker sent
    // after a message proves the message had its chance to arrive.
    async function settle(from: PubSub, to: PubSub, topic = '__settle__'): Promise<void> {
      const box = inbox()
      to.subscribe(topic, box.fn)
      from.broadcast(topic, 'marker')
      await until(() => box.messages.length > 0, 5000, 'the settle marker')
      to.unsubscribe(topic, box.fn)
    }

    it('node is the configured name', async () => {
      const { ps, name } = await nodes(1)
      assert.equal(ps[0]?.node, `${name}-node0`)
    })

    it('subscribe then broadcast reaches the subscriber; unsubscribe stops it', async () => {
      const { ps } = await nodes(1)
      const [p] = ps as [PubSub]
      const box = inbox()
      p.subscribe('room:1', box.fn)
      assert.equal(p.subscriberCount('room:1'), 1)
      p.broadcast('room:1', { n: 1 })
      assert.deepEqual(box.messages, [{ n: 1 }])
      p.unsubscribe('room:1', box.fn)
      assert.equal(p.subscriberCount('room:1'), 0)
      p.broadcast('room:1', { n: 2 })
      assert.deepEqual(box.messages, [{ n: 1 }])
    })

    it('unsubscribe of a subscriber that is not subscribed is a no-op', async () => {
      const { ps } = await nodes(1)
      const [p] = ps as [PubSub]
      const box = inbox()
      p.unsubscribe('room:1', box.fn)
      p.subscribe('room:1', box.fn)
      p.unsubscribe('room:2', box.fn)
      p.broadcast('room:1', 'still here')
      assert.deepEqual(box.messages, ['still here'])
    })

    it('subscribing twice delivers twice, with each metadata; unsubscribe drops both', async () => {
      const { ps } = await nodes(1)
      const [p] = ps as [PubSub]
      const a = inbox()
      const b = inbox()
      p.subscribe('t', a.fn, { metadata: 'custom' })
      p.subscribe('t', a.fn, { metadata: 'other' })
      p.subscribe('t', b.fn)
      const subs = p.subscribers('t')
      assert.equal(subs.length, 3)
      assert.deepEqual(
        subs.filter((s) => s.subscriber === a.fn).map((s) => s.metadata),
        ['custom', 'other'],
      )
      assert.deepEqual(subs.find((s) => s.subscriber === b.fn)?.metadata, undefined)
      p.broadcast('t', 'x')
      assert.deepEqual(a.messages, ['x', 'x'])
      p.unsubscribe('t', a.fn)
      assert.deepEqual(
        p.subscribers('t').map((s) => s.subscriber),
        [b.fn],
      )
    })

    it('broadcast reaches every subscriber of the topic and none of another topic', async () => {
      const { ps } = await nodes(1)
      const [p] = ps as [PubSub]
      const boxes = Array.from({ length: 10 }, inbox)
      for (const box of boxes) p.subscribe('many', box.fn)
      const other = inbox()
      p.subscribe('other', other.fn)
      p.broadcast('many', 'hi')
      for (const box of boxes) assert.deepEqual(box.messages, ['hi'])
      assert.deepEqual(other.messages, [])
    })

    it('broadcastFrom skips the sender and reaches the others', async () => {
      const { ps } = await nodes(1)
      const [p] = ps as [PubSub]
      const sender = inbox()
      const other = inbox()
      p.subscribe('t', sender.fn)
      p.subscribe('t', other.fn)
      p.broadcastFrom(sender.fn, 't', 'ping')
      assert.deepEqual(sender.messages, [])
      assert.deepEqual(other.messages, ['ping'])
      p.localBroadcastFrom(sender.fn, 't', 'local ping')
      assert.deepEqual(sender.messages, [])
      assert.deepEqual(other.messages, ['ping', 'local ping'])
    })

    it('localBroadcast and directBroadcast to this node reach local subscribers', async () => {
      const { ps } = await nodes(1)
      const [p] = ps as [PubSub]
      const box = inbox()
      p.subscribe('t', box.fn)
      p.localBroadcast('t', 1)
      p.directBroadcast(p.node, 't', 2)
      p.directBroadcast('no-such-node', 't', 3)
      assert.deepEqual(box.messages, [1, 2])
    })

    it('a subscriber added during a broadcast does not get that broadcast', async () => {
      const { ps } = await nodes(1)
      const [p] = ps as [PubSub]
      let calls = 0
      const again = (): void => {
        calls++
        p.unsubscribe('t', again)
        p.subscribe('t', again)
      }
      p.subscribe('t', again)
      p.broadcast('t', 'x')
      assert.equal(calls, 1)
      p.broadcast('t', 'y')
      assert.equal(calls, 2)
    })

    it('a throwing function subscriber is logged once and the others still get the message', async () => {
      const { ps, log } = await nodes(1)
      const [p] = ps as [PubSub]
      const box = inbox()
      p.subscribe('t', () => {
        throw new Error('boom')
      })
      p.subscribe('t', box.fn)
      p.broadcast('t', 'x')
      assert.deepEqual(box.messages, ['x'])
      assert.equal(log.matching(/threw: boom/).length, 1)
    })

    it('custom dispatchers get the entries with metadata, the sender and the message', async () => {
      const { ps } = await nodes(1)
      const [p] = ps as [PubSub]
      const seen: unknown[] = []
      const custom: Dispatcher = (entries, from, message) => {
        for (const { subscriber, metadata } of entries) {
          deliver(subscriber, { metadata, from: from === undefined ? 'none' : 'self', message })
        }
      }
      p.registerDispatcher('custom', custom)
      p.subscribe('t', (m) => seen.push(m))
      const special = (m: unknown): number => seen.push(m)
      p.subscribe('t', special, { metadata: 'special' })
      p.broadcast('t', 'b', 'custom')
      p.broadcastFrom(special, 't', 'bf', 'custom')
      p.localBroadcast('t', 'l', 'custom')
      p.localBroadcastFrom(special, 't', 'lf', 'custom')
      p.directBroadcast(p.node, 't', 'd', 'custom')
      const expect = (message: string, from: string) => [
        { metadata: undefined, from, message },
        { metadata: 'special', from, message },
      ]
      assert.deepEqual(seen, [
        ...expect('b', 'none'),
        ...expect('bf', 'self'),
        ...expect('l', 'none'),
        ...expect('lf', 'self'),
        ...expect('d', 'none'),
      ])
    })

    it('an unknown dispatcher name is refused before anything is delivered', async () => {
      const { ps } = await nodes(1)
      const [p] = ps as [PubSub]
      const box = inbox()
      p.subscribe('t', box.fn)
      assert.throws(
        () => p.broadcast('t', 'x', 'nope'),
        (err: unknown) =>
          err instanceof CinderError && err.code === 'CINDER_ERR_PUBSUB_NO_DISPATCHER',
      )
      assert.deepEqual(box.messages, [])
      p.registerDispatcher('d', () => {})
      assert.throws(
        () => p.registerDispatcher('d', () => {}),
        (err: unknown) => err instanceof CinderError && err.code === 'CINDER_ERR_PUBSUB_BAD_ARG',
      )
    })

    it('a stopped PubSub refuses to broadcast and subscribe', async () => {
      const { ps } = await nodes(1)
      const [p] = ps as [PubSub]
      await p.stop()
      const notRunning = (err: unknown) =>
        err instanceof CinderError && err.code === 'CINDER_ERR_PUBSUB_NOT_RUNNING'
      assert.throws(() => p.broadcast('t', 'x'), notRunning)
      assert.throws(() => p.subscribe('t', () => {}), notRunning)
      await p.stop() // idempotent
    })

    it('a subscriber that is neither a Pid nor a function is refused', async () => {
      const { ps } = await nodes(1)
      const [p] = ps as [PubSub]
      assert.throws(
        () => p.subscribe('t', { not: 'a pid' } as unknown as Subscriber),
        (err: unknown) => err instanceof CinderError && err.code === 'CINDER_ERR_PUBSUB_BAD_ARG',
      )
    })

    it('a process subscriber gets each message in handleInfo', async () => {
      const { ps } = await nodes(1)
      const [p] = ps as [PubSub]
      const proc = await listener()
      p.subscribe('t', proc.pid, { metadata: 'm' })
      assert.deepEqual(p.subscribers('t'), [{ subscriber: proc.pid, metadata: 'm' }])
      p.broadcast('t', 'one')
      p.broadcastFrom(proc.pid, 't', 'not to the sender')
      p.localBroadcast('t', 'two')
      await until(() => proc.messages.length >= 2, 2000, 'two messages in handleInfo')
      await stopProcess(proc.pid)
      assert.deepEqual(proc.messages, ['one', 'two'])
    })

    it('a process that stops is forgotten by every topic it subscribed to', async () => {
      const { ps } = await nodes(1)
      const [p] = ps as [PubSub]
      const stays = await listener()
      const goes = await listener()
      const crashes = await listener()
      for (const topic of ['a', 'b']) {
        p.subscribe(topic, stays.pid)
        p.subscribe(topic, goes.pid)
        p.subscribe(topic, crashes.pid)
      }
      await stopProcess(goes.pid)
      exit(crashes.pid, 'kill')
      await until(
        () => p.subscriberCount('a') === 1 && p.subscriberCount('b') === 1,
        2000,
        'cleanup',
      )
      assert.deepEqual(
        p.subscribers('a').map((e) => e.subscriber),
        [stays.pid],
      )
      // A stopped process subscribing is a no-op, not a leak.
      p.subscribe('c', goes.pid)
      assert.equal(p.subscriberCount('c'), 0)
      await stopProcess(stays.pid)
    })

    it('unsubscribing a process from its last topic leaves nothing behind when it stops later', async () => {
      const { ps } = await nodes(1)
      const [p] = ps as [PubSub]
      const proc = await listener()
      p.subscribe('a', proc.pid)
      p.unsubscribe('a', proc.pid)
      p.subscribe('b', proc.pid)
      await stopProcess(proc.pid)
      await until(() => p.subscriberCount('b') === 0, 2000, 'cleanup of b')
      assert.equal(p.subscriberCount('a'), 0)
    })

    // ---- across nodes ----

    it(
      'broadcast reaches the subscribers of every node, each exactly once',
      async () => {
        const { ps } = await nodes(3)
        const [a, b, c] = ps as [PubSub, PubSub, PubSub]
        const boxes = ps.map((p) => {
          const box = inbox()
          p.subscribe('t', box.fn)
          return box
        })
        a.broadcast('t', { from: 'a' })
        await until(
          () => boxes.every((box) => box.messages.length >= 1),
          5000,
          'delivery on all nodes',
        )
        await settle(a, b)
        await settle(a, c)
        for (const box of boxes) assert.deepEqual(box.messages, [{ from: 'a' }])
      },
      { multiNode: true },
    )

    it(
      'broadcastFrom skips the sender on its node and reaches the other nodes',
      async () => {
        const { ps } = await nodes(2)
        const [a, b] = ps as [PubSub, PubSub]
        const sender = inbox()
        const local = inbox()
        const remote = inbox()
        a.subscribe('t', sender.fn)
        a.subscribe('t', local.fn)
        b.subscribe('t', remote.fn)
        a.broadcastFrom(sender.fn, 't', 'shout')
        await until(() => remote.messages.length === 1, 5000, 'remote delivery')
        assert.deepEqual(sender.messages, [])
        assert.deepEqual(local.messages, ['shout'])
        assert.deepEqual(remote.messages, ['shout'])
      },
      { multiNode: true },
    )

    it(
      'a process subscriber on another node gets the broadcast',
      async () => {
        const { ps } = await nodes(2)
        const [a, b] = ps as [PubSub, PubSub]
        const proc = await listener()
        b.subscribe('t', proc.pid)
        a.broadcast('t', { to: 'process' })
        await until(() => proc.messages.length === 1, 5000, 'remote process delivery')
        assert.deepEqual(proc.messages, [{ to: 'process' }])
        await stopProcess(proc.pid)
      },
      { multiNode: true },
    )

    it(
      'localBroadcast stays on its node',
      async () => {
        const { ps } = await nodes(2)
        const [a, b] = ps as [PubSub, PubSub]
        const local = inbox()
        const remote = inbox()
        a.subscribe('t', local.fn)
        b.subscribe('t', remote.fn)
        a.localBroadcast('t', 'only here')
        await settle(a, b)
        assert.deepEqual(local.messages, ['only here'])
        assert.deepEqual(remote.messages, [])
      },
      { multiNode: true },
    )

    it(
      'directBroadcast reaches only the named node',
      async () => {
        const { ps } = await nodes(3)
        const [a, b, c] = ps as [PubSub, PubSub, PubSub]
        const boxes = ps.map((p) => {
          const box = inbox()
          p.subscribe('t', box.fn)
          return box
        })
        a.directBroadcast(b.node, 't', 'for b')
        await until(() => (boxes[1]?.messages.length ?? 0) === 1, 5000, 'delivery on b')
        await settle(a, c)
        assert.deepEqual(
          boxes.map((box) => box.messages),
          [[], ['for b'], []],
        )
      },
      { multiNode: true },
    )

    it(
      'a broadcast names its dispatcher and the remote node applies its own copy',
      async () => {
        const { ps } = await nodes(2)
        const [a, b] = ps as [PubSub, PubSub]
        for (const p of ps) {
          const node = p.node
          p.registerDispatcher('tagged', (entries, _from, message) => {
            for (const { subscriber, metadata } of entries)
              deliver(subscriber, { node, metadata, message })
          })
        }
        const remote = inbox()
        b.subscribe('t', remote.fn, { metadata: 42 })
        a.broadcast('t', 'hello', 'tagged')
        a.directBroadcast(b.node, 't', 'direct', 'tagged')
        await until(() => remote.messages.length === 2, 5000, 'two remote deliveries')
        assert.deepEqual(remote.messages, [
          { node: b.node, metadata: 42, message: 'hello' },
          { node: b.node, metadata: 42, message: 'direct' },
        ])
      },
      { multiNode: true },
    )

    it(
      'binary data and tag-like objects cross nodes intact',
      async () => {
        const { ps } = await nodes(2)
        const [a, b] = ps as [PubSub, PubSub]
        const remote = inbox()
        b.subscribe('t', remote.fn)
        const bytes = Buffer.from([0, 1, 2, 250, 255])
        const ab = new Uint8Array([9, 8, 7]).buffer
        const message = {
          bytes,
          ab,
          view: new Uint8Array(bytes.buffer, bytes.byteOffset + 1, 2),
          list: [bytes, { '~b': 'not a tag' }, { '~o': 1 }],
          text: 'é ✓',
        }
        a.broadcast('t', message)
        await until(() => remote.messages.length === 1, 5000, 'remote delivery')
        const got = remote.messages[0] as Record<string, unknown>
        assert.ok(Buffer.isBuffer(got.bytes))
        assert.deepEqual([...(got.bytes as Buffer)], [0, 1, 2, 250, 255])
        assert.ok(got.ab instanceof ArrayBuffer)
        assert.deepEqual([...new Uint8Array(got.ab as ArrayBuffer)], [9, 8, 7])
        assert.deepEqual([...(got.view as Buffer)], [1, 2])
        assert.deepEqual((got.list as unknown[]).slice(1), [{ '~b': 'not a tag' }, { '~o': 1 }])
        assert.equal(got.text, 'é ✓')
      },
      { multiNode: true },
    )

    it(
      'a message that cannot cross nodes is refused at the sender and reaches no one',
      async () => {
        const { ps } = await nodes(2)
        const [a] = ps as [PubSub]
        const box = inbox()
        a.subscribe('t', box.fn)
        assert.throws(
          () => a.broadcast('t', { n: 1n }),
          (err: unknown) => err instanceof CinderError && err.code === 'CINDER_ERR_PUBSUB_ENCODE',
        )
        assert.deepEqual(box.messages, [])
      },
      { multiNode: true },
    )

    it(
      'a corrupt or foreign message on the wire is dropped with one log line, and delivery goes on',
      async () => {
        if (cluster?.inject === undefined) throw new Error('the cluster cannot inject')
        const { ps, log, name } = await nodes(2)
        const [a, b] = ps as [PubSub, PubSub]
        const remote = inbox()
        b.subscribe('t', remote.fn)
        await cluster.inject(name, '{"not": "ours"')
        a.broadcast('t', 'after')
        await until(() => remote.messages.length === 1, 5000, 'delivery after the corrupt message')
        assert.deepEqual(remote.messages, ['after'])
        // Both nodes saw the corrupt message; each logged one line.
        assert.equal(log.matching(/not a cinder\.pubsub frame/).length, 2)
      },
      { multiNode: true },
    )

    it(
      'a node speaking another protocol version is refused with one clear line per peer',
      async () => {
        if (cluster?.inject === undefined) throw new Error('the cluster cannot inject')
        const { ps, log, name } = await nodes(2)
        const [a, b] = ps as [PubSub, PubSub]
        const remote = inbox()
        b.subscribe('t', remote.fn)
        const future = JSON.stringify([FRAME_MARK, 2, 'future-node', 't', null, 0, 'from v2'])
        await cluster.inject(name, future)
        await cluster.inject(name, future)
        a.broadcast('t', 'v1')
        await until(() => remote.messages.length === 1, 5000, 'delivery after the refused frames')
        assert.deepEqual(remote.messages, ['v1'])
        const refused = log.matching(/refused messages from node "future-node".*version 2/)
        assert.equal(refused.length, 2, 'one line on each of the two nodes, not one per frame')
      },
      { multiNode: true },
    )

    it(
      'a broadcast for a dispatcher the remote node lacks is dropped there with one log line',
      async () => {
        const { ps, log } = await nodes(2)
        const [a, b] = ps as [PubSub, PubSub]
        a.registerDispatcher('only-on-a', (entries, _f, m) => {
          for (const e of entries) deliver(e.subscriber, m)
        })
        const remote = inbox()
        b.subscribe('t', remote.fn)
        a.broadcast('t', 'x', 'only-on-a')
        a.broadcast('t', 'y', 'only-on-a')
        await settle(a, b)
        assert.deepEqual(remote.messages, [])
        assert.equal(log.matching(/dispatcher "only-on-a", which is not registered/).length, 1)
      },
      { multiNode: true },
    )
  })
}
