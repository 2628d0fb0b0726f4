import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { Subscriptions } from '../../src/pubsub/subscriptions.ts'

type Op = { add: boolean; topic: string; subscriber: string; metadata: number }

const op = fc.record({
  add: fc.boolean(),
  topic: fc.constantFrom('a', 'b', 'c'),
  subscriber: fc.constantFrom('s1', 's2', 's3', 's4'),
  metadata: fc.integer(),
})

test('the table matches a list model under any sequence of subscribe and unsubscribe', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 80 }), (ops: Op[]) => {
      const table = new Subscriptions<string>()
      const model = new Map<string, { subscriber: string; metadata: number }[]>()
      for (const { add, topic, subscriber, metadata } of ops) {
        const list = model.get(topic) ?? []
        if (add) {
          const first = !list.some((e) => e.subscriber === subscriber)
          assert.equal(table.add(topic, subscriber, metadata), first)
          model.set(topic, [...list, { subscriber, metadata }])
        } else {
          const had = list.some((e) => e.subscriber === subscriber)
          assert.equal(table.remove(topic, subscriber), had)
          const rest = list.filter((e) => e.subscriber !== subscriber)
          if (rest.length > 0) model.set(topic, rest)
          else model.delete(topic)
        }
      }
      assert.equal(table.topicCount, model.size)
      for (const topic of ['a', 'b', 'c']) {
        const expected = model.get(topic) ?? []
        const entries = table.get(topic)
        const got = entries === undefined ? [] : [...entries.values()]
        // Every subscription of a subscriber is delivered, in subscription order per subscriber.
        const bySubscriber = (list: { subscriber: string; metadata: unknown }[]) =>
          Object.fromEntries(
            ['s1', 's2', 's3', 's4'].map((s) => [
              s,
              list.filter((e) => e.subscriber === s).map((e) => e.metadata),
            ]),
          )
        assert.deepEqual(bySubscriber(got), bySubscriber(expected))
        assert.equal(table.count(topic), expected.length)
      }
    }),
  )
})

test('an emptied topic is forgotten, so topic churn does not leak', () => {
  const table = new Subscriptions<() => void>()
  const fn = (): void => {}
  for (let i = 0; i < 1000; i++) {
    table.add(`t${i}`, fn, undefined)
    table.remove(`t${i}`, fn)
  }
  assert.equal(table.topicCount, 0)
})
