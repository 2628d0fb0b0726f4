/**
 * A tour of Cinder's process runtime: a supervisor with three workers.
 *
 * - `clock` ticks every second and keeps a count;
 * - `flaky` does some work and crashes every few seconds; its supervisor
 *   restarts it with a fresh state, the others never notice;
 * - `reporter` calls the other two every 2 s and prints what it hears.
 *
 * Ctrl-C (SIGINT) or SIGTERM stops the tree gracefully: each worker's
 * `terminate` runs, in reverse start order, then Node exits by itself.
 *
 * Run: node --import tsx --conditions=cinder:source examples/runtime_demo/main.ts
 */
import {
  type Behaviour,
  call,
  childSpec,
  noreply,
  reply,
  runApplication,
  self,
  sendAfter,
  setLogger,
  startSupervisor,
} from 'cinder'

const started = Date.now()
function say(who: string, text: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5)
  console.log(`${t}s  ${who.padEnd(10)} ${text}`)
}

// Route the runtime's own reports (crashes, restarts, shutdown) through `say`.
setLogger({
  error: (message) => say('runtime', `ERROR ${message.split('\n')[0]}`),
  warn: (message) => say('runtime', `warn ${message}`),
  info: (message) => say('runtime', message),
})

const clock: Behaviour<number, number> = {
  init(intervalMs) {
    sendAfter(self(), 'tick', intervalMs)
    say('clock', `started as ${self()}`)
    return 0
  },
  handleInfo(_tick, ticks) {
    sendAfter(self(), 'tick', 1000)
    return noreply(ticks + 1)
  },
  handleCall: (_request, _from, ticks) => reply(ticks, ticks),
  terminate: (reason, ticks) => say('clock', `stopping (${String(reason)}) after ${ticks} ticks`),
}

interface FlakyState {
  done: number
  crashAfter: number
}

const flaky: Behaviour<FlakyState, null> = {
  init() {
    const crashAfter = 3 + Math.floor(Math.random() * 4)
    say('flaky', `started as ${self()}; will crash after ${crashAfter} jobs`)
    sendAfter(self(), 'job', 700)
    return { done: 0, crashAfter }
  },
  async handleInfo(_job, state) {
    await new Promise((resolve) => setTimeout(resolve, 50)) // pretend to work
    if (state.done + 1 >= state.crashAfter) throw new Error(`job ${state.done + 1} went wrong`)
    sendAfter(self(), 'job', 700)
    return noreply({ ...state, done: state.done + 1 })
  },
  handleCall: (_request, _from, state) => reply(state.done, state),
  terminate: (reason, state) =>
    say('flaky', `terminate (${String(reason)}) after ${state.done} jobs`),
}

const reporter: Behaviour<null, null> = {
  init() {
    sendAfter(self(), 'report', 2000)
    return null
  },
  async handleInfo(_report, state) {
    const [ticks, jobs] = await Promise.all([
      call<number>('clock', 'ticks'),
      call<number>('flaky', 'jobs'),
    ])
    say('reporter', `clock has ticked ${ticks} times; the current flaky has done ${jobs} jobs`)
    sendAfter(self(), 'report', 2000)
    return noreply(state)
  },
  terminate: () => say('reporter', 'stopping'),
}

say('demo', 'starting the tree; press Ctrl-C to stop it')
const app = await runApplication(() =>
  startSupervisor(
    [
      childSpec('clock', clock, 1000, { name: 'clock' }),
      childSpec('flaky', flaky, null, { name: 'flaky' }),
      childSpec('reporter', reporter, null, { name: 'reporter' }),
    ],
    { strategy: 'one_for_one', maxRestarts: 5, maxSeconds: 10 },
  ),
)
say('demo', `supervisor ${app.pid} is up`)
const reason = await app.stopped
say('demo', `tree stopped (${JSON.stringify(reason)}); Node exits now that nothing is left`)
