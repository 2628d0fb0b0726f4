// The PubSub page's table of topics stays bounded however many topics come.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { TopicTraffic } from '../../src/metrics/topic-traffic.ts'

test('past its maximum, the quietest half of the topics is forgotten', () => {
  const traffic = new TopicTraffic(10)
  for (let i = 0; i < 10; i++) {
    for (let n = 0; n <= i; n++) traffic.broadcast(`busy:${i}`, n)
  }
  traffic.broadcast('one-off', 1)
  const kept = traffic.top(100).map((t) => t.topic)
  assert.equal(kept.length, 6, 'five busiest, then the newcomer')
  assert.deepEqual(kept.slice(0, 5), ['busy:9', 'busy:8', 'busy:7', 'busy:6', 'busy:5'])
  assert.ok(kept.includes('one-off'))
  for (let i = 0; i < 1000; i++) traffic.broadcast(`flood:${i}`, 0)
  assert.ok(traffic.top(10_000).length <= 10)
})
