/**
 * The lobby chat resumes after a lost link: chat lines travel on a durable
 * topic, and a keeper whose live feed was cut reads the lines it missed from
 * the history (Redis Streams, a real server) once the feed is back.
 */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { Lobby } from '../../../examples/curve_fever/lobby/lobby.ts'
import {
  createMemoryBus,
  type HistoryContext,
  type HistoryEngine,
  type Presence,
  type PubSub,
  redisHistory,
  startPubSub,
  startSupervisor,
  stopProcess,
} from '../../../src/extend.ts'
import { uniqueName, until } from '../../contracts/pubsub.ts'
import { requireService } from '../../pubsub/service.ts'

const quiet = { info() {}, warn() {}, error() {} }
const ada = { id: 'ada', name: 'Ada', colour: '#ff0000' }

/** The Redis engine, with a switch that drops its live feed as a lost connection would. */
function cuttable(): HistoryEngine & { cut: boolean; heal(): void } {
  const inner = redisHistory()
  let context: HistoryContext | undefined
  const engine = {
    kind: inner.kind,
    shared: inner.shared,
    cut: false,
    start(ctx: HistoryContext) {
      context = ctx
      return inner.start({ ...ctx, deliver: (entry) => engine.cut || ctx.deliver(entry) })
    },
    append: inner.append.bind(inner),
    read: inner.read.bind(inner),
    stop: () => inner.stop(),
    heal() {
      engine.cut = false
      context?.reconnected()
    },
  }
  return engine
}

const stops: Array<() => Promise<void>> = []
after(async () => {
  for (const stop of stops) await stop()
})

async function node(
  name: string,
  id: string,
  history: HistoryEngine,
  bus: ReturnType<typeof createMemoryBus>,
): Promise<{ pubsub: PubSub; lobby: Lobby }> {
  const pubsub = await startPubSub({
    name,
    node: id,
    logger: quiet,
    adapter: bus.adapter(),
    history,
  })
  const lobby = new Lobby({ pubsub, presence: {} as Presence })
  const supervisor = await startSupervisor([lobby.childSpec()])
  stops.push(async () => {
    await stopProcess(supervisor, 'shutdown')
    await pubsub.stop()
  })
  return { pubsub, lobby }
}

test('a keeper that lost its live feed gets the chat lines it missed once the feed is back', async (t) => {
  const missing = await requireService('Redis', 6379)
  if (missing) return t.skip(missing.skip)
  const name = uniqueName('lobby-resume')
  const bus = createMemoryBus()
  const a = await node(name, 'a', redisHistory(), bus)
  const feed = cuttable()
  const b = await node(name, 'b', feed, bus)
  const bodies = (lobby: Lobby) => lobby.messages().map((m) => m.body)

  a.lobby.say(ada, 'one')
  await until(() => bodies(b.lobby).length === 1, 5000, 'the first line on b')
  feed.cut = true
  a.lobby.say(ada, 'two')
  a.lobby.say(ada, 'three')
  await until(() => bodies(a.lobby).length === 3, 5000, 'the lines on a')
  await new Promise((resolve) => setTimeout(resolve, 100))
  assert.deepEqual(bodies(b.lobby), ['one']) // b missed them live
  feed.heal()
  await until(() => bodies(b.lobby).length === 3, 5000, 'b to resume')
  assert.deepEqual(bodies(b.lobby), ['one', 'two', 'three'])
})
