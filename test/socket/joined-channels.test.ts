import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import type { ChannelServer } from '../../src/channel/channel-server.ts'
import { JoinedChannels } from '../../src/socket/joined-channels.ts'

// The holder reads nothing of a channel but its topic.
const channelOn = (topic: string, n: number) => ({ topic, n }) as unknown as ChannelServer

test('joined channels behave as a Map by topic through any sequence of joins and leaves', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5 })), { maxLength: 200 }),
      (ops) => {
        const joined = new JoinedChannels()
        const model = new Map<string, ChannelServer>()
        ops.forEach(([join, n], step) => {
          const topic = `room:${n}`
          if (join) {
            const channel = channelOn(topic, step)
            joined.set(channel)
            model.set(topic, channel)
          } else {
            joined.delete(topic)
            model.delete(topic)
          }
          assert.equal(joined.size, model.size)
          for (let t = 0; t <= 5; t++) assert.equal(joined.get(`room:${t}`), model.get(`room:${t}`))
        })
        assert.deepEqual(new Set(joined.takeAll()), new Set(model.values()))
        assert.equal(joined.size, 0)
        assert.deepEqual(joined.takeAll(), [])
      },
    ),
  )
})

test('a rejoin of the one topic held replaces its channel', () => {
  const joined = new JoinedChannels()
  const first = channelOn('room:1', 1)
  const second = channelOn('room:1', 2)
  joined.set(first)
  joined.set(second)
  assert.equal(joined.size, 1)
  assert.equal(joined.get('room:1'), second)
  joined.delete('room:2')
  assert.equal(joined.get('room:1'), second)
})
