/**
 * Process runtime: messages per second through one process, call round trips
 * per second, and memory per idle process, each beside its floor measured in
 * the same run (a plain function-call loop, an array queue, a bare promise
 * round trip).
 */
import { execFile } from 'node:child_process'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import {
  type Behaviour,
  call,
  noreply,
  type Pid,
  reply,
  send,
  spawn,
  stopProcess,
} from '../../src/process/index.ts'

const MESSAGES = 2_000_000
const CALLS = 200_000
const ROUNDS = 3
const IDLE_TARGET = 1_000_000
const IDLE_BUDGET_MS = 40_000

interface Counter {
  n: number
}

const sink: Behaviour<Counter, null> = {
  init: () => ({ n: 0 }),
  handleInfo(_m, s) {
    s.n++
    return noreply(s)
  },
  handleCall: (_r, _f, s) => reply(s.n, s),
}

const asyncSink: Behaviour<Counter, null> = {
  init: () => ({ n: 0 }),
  async handleInfo(_m, s) {
    s.n++
    return noreply(s)
  },
  handleCall: (_r, _f, s) => reply(s.n, s),
}

async function throughput(behaviour: Behaviour<Counter, null>, count: number): Promise<number> {
  const pid = await spawn(behaviour, null)
  const start = performance.now()
  for (let i = 0; i < count; i++) send(pid, i)
  const handled = await call<number>(pid, 'count', Number.POSITIVE_INFINITY)
  const ms = performance.now() - start
  if (handled !== count) throw new Error(`handled ${handled} of ${count}`)
  await stopProcess(pid)
  return (count * 1000) / ms
}

// Floor 1: the same handler called directly in a loop (no mailbox at all).
function functionLoop(count: number): number {
  const handle = (_m: unknown, s: Counter) => {
    s.n++
    return noreply(s)
  }
  let state: Counter = { n: 0 }
  const start = performance.now()
  for (let i = 0; i < count; i++) state = handle(i, state).state
  const ms = performance.now() - start
  if (state.n !== count) throw new Error('floor miscounted')
  return (count * 1000) / ms
}

// Floor 2: an array queue drained in a microtask (what a minimal mailbox must do).
async function arrayQueue(count: number): Promise<number> {
  const queue: unknown[] = []
  let head = 0
  let state: Counter = { n: 0 }
  const handle = (_m: unknown, s: Counter) => {
    s.n++
    return noreply(s)
  }
  let scheduled = false
  const drain = () => {
    scheduled = false
    while (head < queue.length) {
      const m = queue[head]
      queue[head++] = undefined
      state = handle(m, state).state
    }
    queue.length = 0
    head = 0
  }
  const start = performance.now()
  for (let i = 0; i < count; i++) {
    queue.push(i)
    if (!scheduled) {
      scheduled = true
      queueMicrotask(drain)
    }
  }
  await Promise.resolve()
  await new Promise((resolve) => setImmediate(resolve))
  const ms = performance.now() - start
  if (state.n !== count) throw new Error('floor miscounted')
  return (count * 1000) / ms
}

async function callRate(pid: Pid, count: number): Promise<number> {
  const start = performance.now()
  for (let i = 0; i < count; i++) await call(pid, i)
  return (count * 1000) / (performance.now() - start)
}

// Floor: an awaited promise resolved from another microtask (a request/response hop, no process).
async function promiseRoundTrip(count: number): Promise<number> {
  const start = performance.now()
  let n = 0
  for (let i = 0; i < count; i++) {
    n += await new Promise<number>((resolve) => queueMicrotask(() => resolve(1)))
  }
  if (n !== count) throw new Error('floor miscounted')
  return (count * 1000) / (performance.now() - start)
}

function best(values: number[]): number {
  return Math.max(...values)
}

// Idle processes are measured in a child Node with --expose-gc, so the heap figure is exact.
const IDLE_SCRIPT = `
const mod = await import(process.argv[1])
const target = Number(process.argv[2]), budget = Number(process.argv[3])
const idle = { init: () => null }
const pids = new Array(target)
globalThis.gc(); globalThis.gc()
const heap0 = process.memoryUsage().heapUsed, rss0 = process.memoryUsage().rss
const start = performance.now()
let n = 0
while (n < target && performance.now() - start < budget) {
  const batch = []
  for (let i = 0; i < 10000 && n < target; i++) batch.push(mod.spawn(idle, null))
  for (const pid of await Promise.all(batch)) pids[n++] = pid
}
const spawnMs = performance.now() - start
globalThis.gc(); globalThis.gc()
const m = process.memoryUsage()
console.log(JSON.stringify({ n, spawnMs, heap: (m.heapUsed - heap0) / n, rss: (m.rss - rss0) / n, kept: pids.filter(Boolean).length, alive: mod.processCount() }))
`

interface IdleResult {
  n: number
  spawnMs: number
  heap: number
  rss: number
  alive: number
}

function idleProcesses(): Promise<IdleResult> {
  const here = import.meta.url
  const fromSource = here.endsWith('.ts')
  const module = new URL(`../../src/process/index.${fromSource ? 'ts' : 'js'}`, here).href
  const args = [
    '--expose-gc',
    '--max-old-space-size=4096',
    ...(fromSource ? ['--import', 'tsx'] : []),
    '--input-type=module',
    '-e',
    IDLE_SCRIPT,
    module,
    String(IDLE_TARGET),
    String(IDLE_BUDGET_MS),
  ]
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { maxBuffer: 1 << 20, cwd: fileURLToPath(new URL('.', here)) },
      (err, stdout) => {
        if (err) reject(err)
        else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as IdleResult)
      },
    )
  })
}

const fmt = (n: number) => Math.round(n).toLocaleString('en')
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`

export async function run(): Promise<string> {
  const sync: number[] = []
  const asyncRates: number[] = []
  const loop: number[] = []
  const queue: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    loop.push(functionLoop(MESSAGES))
    queue.push(await arrayQueue(MESSAGES))
    sync.push(await throughput(sink, MESSAGES))
    asyncRates.push(await throughput(asyncSink, MESSAGES / 4))
  }
  const callee = await spawn(sink, null)
  const calls: number[] = []
  const hops: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    hops.push(await promiseRoundTrip(CALLS))
    calls.push(await callRate(callee, CALLS))
  }
  await stopProcess(callee)
  const idle = await idleProcesses()

  const s = best(sync)
  const lines = [
    '## Process runtime',
    '',
    `One Node process, ${cpus().length} cores (the runtime uses one), best of ${ROUNDS} rounds. ` +
      `Throughput: ${fmt(MESSAGES)} \`send\`s to one process whose \`handleInfo\` counts and returns ` +
      '`noreply(state)`, timed until a final `call` confirms all were handled. Calls: sequential `await call(pid, i)`.',
    '',
    '| measure | Cinder | floor | floor figure | Cinder / floor |',
    '| --- | ---: | --- | ---: | ---: |',
    `| messages/s, sync handler (target ≥ 2,000,000) | ${fmt(s)} | same handler in a plain loop | ${fmt(best(loop))} | ${ratio(s, best(loop))} |`,
    `| messages/s, sync handler | ${fmt(s)} | array queue drained in a microtask | ${fmt(best(queue))} | ${ratio(s, best(queue))} |`,
    `| messages/s, async handler (a promise per message) | ${fmt(best(asyncRates))} | array queue, sync | ${fmt(best(queue))} | ${ratio(best(asyncRates), best(queue))} |`,
    `| call round trips/s | ${fmt(best(calls))} | awaited promise resolved from a microtask | ${fmt(best(hops))} | ${ratio(best(calls), best(hops))} |`,
    '',
    "`self()` after an await is carried by V8's promise hooks (src/process/context.ts), which a " +
      'Cinder program installs once, as it loads: every floor above ran with them too.',
    '',
    `Idle processes (target ≤ 1 KB each): spawned ${fmt(idle.n)} processes (\`init: () => null\`) in ` +
      `${(idle.spawnMs / 1000).toFixed(1)} s (${fmt((idle.n * 1000) / idle.spawnMs)}/s); after GC the heap grew by ` +
      `**${fmt(idle.heap)} bytes per process** (RSS ${fmt(idle.rss)} bytes), including the 8-byte slot of the array holding the pids.`,
    '',
  ]
  return lines.join('\n')
}
