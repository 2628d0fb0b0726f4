/**
 * Fan-out measured by an outside load generator: the official `phoenix`
 * client on Node's own WebSocket (bench/load/outside-worker.ts), none of our
 * client code, against Cinder and the floor (raw `ws`). The channels
 * scenario's generator scans the first bytes of each frame; this one parses
 * every frame and runs the channel's bindings, as an application's client
 * does, so the clients cost more CPU on the same two cores and the ratio is
 * measured under that competition too. Same payloads, topic and schedule as
 * the channels scenario's (b).
 */
import { loadavg } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { figure, recordFigures } from '../figures.ts'
import { openClient } from '../load/clients.ts'
import { collectFanout, publishFanout } from '../load/fanout.ts'
import { LoadGenerator } from '../load/generator.ts'
import { type ServerKind, ServerProcess, serverLabels } from '../load/server-process.ts'
import { median } from '../load/stats.ts'

const SERVERS: readonly ServerKind[] = ['cinder', 'raw-ws']
const TOPIC = 'room:fan'
const LIMIT = 1.1

function config() {
  const quick = process.env.BENCH_QUICK === '1'
  const env = (name: string, fallback: number) => {
    const value = Number(process.env[name] ?? fallback)
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`${name} must be a positive integer`)
    return value
  }
  return {
    subscribers: env('BENCH_OUTSIDE_SOCKETS', quick ? 1_000 : 10_000),
    broadcasts: env('BENCH_OUTSIDE_BROADCASTS', quick ? 5 : 20),
    rounds: env('BENCH_OUTSIDE_ROUNDS', quick ? 1 : 2),
    workers: 4,
    intervalMs: 500,
  }
}
type Config = ReturnType<typeof config>

interface Run {
  readonly kind: ServerKind
  readonly lastMs: number[]
  readonly meanMs: number[]
  readonly lost: number
  readonly cpuMs: number
  readonly failedJoins: number
}

const log = (line: string) => console.error(`[fanout-outside] ${line}`)

async function publish(server: ServerProcess, cfg: Config, count: number): Promise<void> {
  const publisher = await openClient(server.target, '127.0.0.1')
  try {
    await publisher.join(TOPIC)
    await publishFanout(publisher, count, cfg.intervalMs)
  } finally {
    publisher.close()
  }
}

async function measure(kind: ServerKind, cfg: Config): Promise<Run> {
  const server = await ServerProcess.start(kind)
  const load = new LoadGenerator(cfg.workers, { kind: 'outside' })
  try {
    await load.ready()
    const joined = await load.connect(server.target, {
      count: cfg.subscribers,
      topicPrefix: TOPIC,
      concurrency: 25,
    })
    if (joined.connected < cfg.subscribers * 0.99) {
      throw new Error(`${kind}: only ${joined.connected} joined (${joined.firstError})`)
    }
    await publish(server, cfg, 2) // warm-up
    await sleep(cfg.intervalMs * 2)
    await load.resetDeliveries()
    const cpuBefore = await server.cpuUs()
    await publish(server, cfg, cfg.broadcasts)
    const { lastMs, meanMs, lost } = await collectFanout(
      load,
      joined.connected,
      cfg.broadcasts,
      15_000,
    )
    const cpuMs = ((await server.cpuUs()) - cpuBefore) / 1000 / cfg.broadcasts
    log(`${kind}: median last delivery ${median(lastMs).toFixed(1)} ms, lost ${lost}`)
    return { kind, lastMs, meanMs, lost, cpuMs, failedJoins: joined.failed }
  } finally {
    await load.stop()
    await server.stop()
  }
}

export async function run(): Promise<string> {
  const cfg = config()
  const started = performance.now()
  const loadStart = loadavg()[0] ?? 0
  const runs: Run[] = []
  for (let round = 0; round < cfg.rounds; round++) {
    const order = round % 2 === 0 ? SERVERS : [...SERVERS].reverse()
    for (const kind of order) runs.push(await measure(kind, cfg))
  }
  const of = (kind: ServerKind) => runs.filter((r) => r.kind === kind)
  const summary = (kind: ServerKind) => ({
    last: median(of(kind).flatMap((r) => r.lastMs)),
    max: Math.max(...of(kind).flatMap((r) => r.lastMs)),
    mean: median(of(kind).flatMap((r) => r.meanMs)),
    lost: of(kind).reduce((n, r) => n + r.lost, 0),
    cpuMs: of(kind).reduce((n, r) => n + r.cpuMs, 0) / of(kind).length,
    perRound: of(kind).map((r) => median(r.lastMs)),
  })
  const floor = summary('raw-ws')
  const cinder = summary('cinder')
  const ratio = cinder.last / floor.last
  recordFigures('fanout-outside', {
    subscribers: cfg.subscribers,
    broadcasts: cfg.broadcasts,
    rounds: cfg.rounds,
    servers: SERVERS.map((kind) => {
      const s = summary(kind)
      return {
        server: serverLabels[kind],
        lastMs: figure(s.last),
        maxMs: figure(s.max),
        lost: s.lost,
      }
    }),
    ratio: figure(ratio),
  })
  const row = (kind: ServerKind) => {
    const s = summary(kind)
    const rounds = s.perRound.map((v) => v.toFixed(1)).join(' / ')
    return `| ${serverLabels[kind]} | ${s.last.toFixed(1)} | ${rounds} | ${s.max.toFixed(1)} | ${s.mean.toFixed(1)} | ${s.lost} | ${s.cpuMs.toFixed(1)} | ${(s.last / floor.last).toFixed(2)}× |`
  }
  return [
    '## Fan-out measured by an outside load generator',
    '',
    `Conditions: ${cfg.subscribers.toLocaleString('en-US')} subscribers of one topic, each the official \`phoenix\` client (1.8) on Node's own WebSocket (undici, \`--experimental-websocket\`), ${cfg.workers} worker processes, from 127.0.0.1; ${cfg.broadcasts} broadcasts ${cfg.intervalMs} ms apart after 2 for warm-up, ${cfg.rounds} round(s) with the server order alternating; one fresh server process per round. Load average ${loadStart.toFixed(1)} at the start, ${(loadavg()[0] ?? 0).toFixed(1)} at the end; ${((performance.now() - started) / 1000).toFixed(0)} s in all.`,
    '',
    '| server | last delivery, median (ms) | per round | max (ms) | average delivery, median (ms) | lost | server CPU per broadcast (ms) | / raw ws |',
    '|---|---:|---|---:|---:|---:|---:|---:|',
    row('cinder'),
    row('raw-ws'),
    '',
    `- fan-out, median last delivery ≤ ${LIMIT}× raw ws (outside generator): ${ratio.toFixed(2)}×, ${ratio <= LIMIT ? 'pass' : 'miss'}`,
    `- lost deliveries (Cinder): ${cinder.lost}, ${cinder.lost === 0 ? 'pass' : 'fail'}`,
    '',
  ].join('\n')
}
