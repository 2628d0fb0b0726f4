/**
 * Channels under load: Cinder's conformance server against the floor (a bare
 * `ws` server speaking the same V2 frames) and socket.io with rooms, each in
 * its own child process, measured in the same run, the servers taking turns
 * in an order that rotates from one measurement to the next:
 *
 * (a) memory per joined socket (RSS delta after full GCs) at each population
 *     (10,000 and 19,000 sockets);
 * (b) fan-out to the first population (all on one topic), with the whole
 *     population open: broadcasts 500 ms apart, time until the last
 *     subscriber has each one, lost deliveries;
 * (c) request/reply: p50/p99 latency at rising rates, the highest rate whose
 *     p99 stays under 50 ms.
 *
 * (a) and (b) share one population per server: opening 19,000 sockets is the
 * slow part on a 2-core machine, so they are opened once per round. RSS moves
 * by most of a KiB per socket from one fresh server to the next (the
 * allocator's and V8's pools, not the sockets), so (a) runs in several rounds,
 * each on a fresh server, and reports the median. The load comes from
 * bench/load/. Scale with BENCH_QUICK=1 (a smoke run) or the BENCH_CHANNELS_*
 * variables described in docs/benchmarks.md.
 */
import { cpus, loadavg, totalmem } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ChannelsFigures } from '../charts/shapes.ts'
import { figure, recordFigures } from '../figures.ts'
import { type LoadClient, openClient } from '../load/clients.ts'
import { collectFanout, publishFanout } from '../load/fanout.ts'
import { LoadGenerator, SOURCE_ADDRESSES } from '../load/generator.ts'
import { type ServerKind, ServerProcess, serverLabels } from '../load/server-process.ts'
import { runMode } from '../load/spawn.ts'
import { mean, median, quantile } from '../load/stats.ts'

const SERVERS: readonly ServerKind[] = ['cinder', 'raw-ws', 'socket.io']
const P99_LIMIT_MS = 50

function numbers(name: string, fallback: readonly number[]): readonly number[] {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const values = raw.split(',').map((v) => Number(v.trim()))
  if (values.some((v) => !Number.isFinite(v) || v <= 0))
    throw new Error(`${name} must be positive numbers separated by commas, got "${raw}"`)
  return values
}

function integer(name: string, fallback: number): number {
  const [value] = numbers(name, [fallback])
  return Math.round(value ?? fallback)
}

function config() {
  const quick = process.env.BENCH_QUICK === '1'
  const populations = numbers('BENCH_CHANNELS_SOCKETS', quick ? [1_000, 2_000] : [10_000, 19_000])
  return {
    quick,
    workers: integer('BENCH_CHANNELS_WORKERS', 4),
    /** Memory is measured at each population; the fan-out runs on the first. */
    populations: [...populations].sort((a, b) => a - b),
    /** Fresh servers per kind for (a) and (b): memory is their median. */
    populationRounds: integer('BENCH_CHANNELS_POPULATION_ROUNDS', quick ? 1 : 3),
    broadcasts: integer('BENCH_CHANNELS_BROADCASTS', quick ? 5 : 20),
    broadcastIntervalMs: 500,
    rrClients: integer('BENCH_CHANNELS_RR_CLIENTS', quick ? 200 : 1_000),
    rates: numbers(
      'BENCH_CHANNELS_RATES',
      quick ? [1_000, 2_000, 5_000] : [2_000, 5_000, 10_000, 20_000, 40_000],
    ),
    rrRounds: integer('BENCH_CHANNELS_RR_ROUNDS', quick ? 1 : 3),
    warmupMs: quick ? 300 : 500,
    stepMs: integer('BENCH_CHANNELS_STEP_MS', quick ? 1_000 : 1_500),
  }
}

type Config = ReturnType<typeof config>

// A process here may hold 20,000 file descriptors: the server holds one per socket, a worker too.
const FD_HEADROOM = 500

function checkLimits(cfg: Config): void {
  const largest = cfg.populations.at(-1) ?? 0
  const perWorker = Math.ceil(largest / cfg.workers)
  if (largest > 20_000 - FD_HEADROOM || perWorker > 20_000 - FD_HEADROOM)
    throw new Error(
      `${largest} sockets over ${cfg.workers} workers exceed the 20,000 file descriptors of a process`,
    )
}

/** The servers' order for measurement `index`: rotated, so none always runs first or last. */
function order(index: number): ServerKind[] {
  return SERVERS.map((_, i) => SERVERS[(i + index) % SERVERS.length] as ServerKind)
}

function log(message: string): void {
  console.log(`  channels: ${message}`)
}

/** Starts a server, runs `body` against it, then closes the clients and stops it. */
async function withServer<T>(
  kind: ServerKind,
  load: LoadGenerator,
  body: (server: ServerProcess) => Promise<T>,
): Promise<T> {
  const server = await ServerProcess.start(kind)
  try {
    return await body(server)
  } finally {
    await load.closeClients()
    await server.stop()
  }
}

/** Opens and joins clients; throws if any failed (a benchmark with holes measures nothing). */
async function connectAll(
  load: LoadGenerator,
  server: ServerProcess,
  options: Parameters<LoadGenerator['connect']>[1],
): Promise<void> {
  const result = await load.connect(server.target, options)
  if (result.failed > 0)
    throw new Error(
      `${serverLabels[server.kind]}: ${result.failed} of ${options.count} clients failed to join (${result.firstError})`,
    )
}

// (a) Memory and (b) fan-out, on one population per server ----------------

interface MemoryPoint {
  readonly sockets: number
  readonly rssPerSocket: number
  readonly heapPerSocket: number
}

interface FanoutRun {
  /** Per broadcast: ms until the last subscriber had it. */
  readonly lastMs: number[]
  /** Per broadcast: mean delivery time, ms. */
  readonly meanMs: number[]
  readonly lost: number
  /** Server CPU time per broadcast, ms. */
  readonly cpuMs: number
}

interface PopulationRun {
  readonly memory: MemoryPoint[]
  /** Sockets opened and joined per second (first population). */
  readonly joinRate: number
  /** Server CPU time per socket opened and joined, µs (first population). */
  readonly joinCpuUs: number
  readonly fanout: FanoutRun
}

const FAN_TOPIC = 'room:fan'
const IDLE_TOPIC = 'room:idle'

/**
 * Grows a population of joined sockets, measuring the server's memory at
 * each size, then runs the fan-out to the first population's topic with the
 * whole population open. The first population joins `room:fan`, later ones
 * `room:idle`; memory is measured before any broadcast, so the buffers a
 * fan-out leaves behind are not counted as per-socket state.
 */
async function measurePopulation(
  kind: ServerKind,
  load: LoadGenerator,
  cfg: Config,
): Promise<PopulationRun> {
  return withServer(kind, load, async (server) => {
    const base = await server.memory()
    const heap = (m: typeof base) => m.heapUsed + m.external
    const memory: MemoryPoint[] = []
    let joinRate = 0
    let joinCpuUs = 0
    let open = 0
    for (const size of cfg.populations) {
      const count = size - open
      const cpuBefore = await server.cpuUs()
      const started = performance.now()
      const topicPrefix = open === 0 ? FAN_TOPIC : IDLE_TOPIC
      await connectAll(load, server, { count, firstIndex: open, topicPrefix })
      if (open === 0) {
        joinRate = (count * 1000) / (performance.now() - started)
        joinCpuUs = ((await server.cpuUs()) - cpuBefore) / count
      }
      open = size
      const now = await server.memory()
      memory.push({
        sockets: open,
        rssPerSocket: (now.rss - base.rss) / open,
        heapPerSocket: (heap(now) - heap(base)) / open,
      })
      log(`${kind} at ${open} sockets: ${((now.rss - base.rss) / open / 1024).toFixed(2)} KiB each`)
    }
    const subscribers = cfg.populations[0] ?? 0
    const fanout = await measureFanout(server, load, cfg, subscribers)
    return { memory, joinRate, joinCpuUs, fanout }
  })
}

async function openPublisher(server: ServerProcess): Promise<LoadClient> {
  const publisher = await openClient(server.target, '127.0.0.1')
  await publisher.join(FAN_TOPIC)
  return publisher
}

async function measureFanout(
  server: ServerProcess,
  load: LoadGenerator,
  cfg: Config,
  subscribers: number,
): Promise<FanoutRun> {
  const publisher = await openPublisher(server)
  try {
    // Two broadcasts to warm up both ends, then a clean slate.
    await publishFanout(publisher, 2, cfg.broadcastIntervalMs)
    await sleep(cfg.broadcastIntervalMs * 2)
    await load.resetDeliveries()
    const cpuBefore = await server.cpuUs()
    await publishFanout(publisher, cfg.broadcasts, cfg.broadcastIntervalMs)
    const { lastMs, meanMs, lost } = await collectFanout(load, subscribers, cfg.broadcasts, 10_000)
    const cpuMs = ((await server.cpuUs()) - cpuBefore) / 1000 / cfg.broadcasts
    log(
      `${server.kind} fan-out: median last delivery ${median(lastMs).toFixed(1)} ms, lost ${lost}`,
    )
    return { lastMs, meanMs, lost, cpuMs }
  } finally {
    publisher.close()
  }
}

// (c) Request/reply -------------------------------------------------------

interface RateStep {
  readonly rate: number
  readonly p50: number
  readonly p99: number
  readonly lost: number
  readonly sentRate: number
  /** Server CPU time per request, µs (warm-up requests included). */
  readonly cpuUs: number
}

async function measureRequestReply(
  kind: ServerKind,
  load: LoadGenerator,
  cfg: Config,
): Promise<RateStep[]> {
  return withServer(kind, load, async (server) => {
    await connectAll(load, server, {
      count: cfg.rrClients,
      topicPrefix: 'room:rr',
      rooms: cfg.rrClients,
    })
    const steps: RateStep[] = []
    for (const rate of cfg.rates) {
      const cpuBefore = await server.cpuUs()
      const result = await load.requestReply(rate, cfg.warmupMs, cfg.stepMs, 2_000)
      const requests = (rate * (cfg.warmupMs + cfg.stepMs)) / 1000
      const cpuUs = ((await server.cpuUs()) - cpuBefore) / requests
      const lost = result.measured - result.replied
      const p50 = quantile(result.latenciesMs, 0.5, lost)
      const p99 = quantile(result.latenciesMs, 0.99, lost)
      steps.push({ rate, p50, p99, lost, sentRate: result.sentRate, cpuUs })
      log(`${kind} ${rate} req/s: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, lost ${lost}`)
      // Far past saturation (the median request queues): higher rates would only queue more.
      // The p50 decides, not the p99, which a stall of the shared machine alone can push up.
      if (p50 > 4 * P99_LIMIT_MS || lost > result.measured * 0.05) break
      await sleep(200)
    }
    return steps
  })
}

// Report -------------------------------------------------------------------

const kib = (bytes: number) => (bytes / 1024).toFixed(2)
const ms = (value: number) =>
  Number.isFinite(value) ? (value < 10 ? value.toFixed(2) : value.toFixed(1)) : 'lost'
const ratio = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–'
const thousands = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '–')

interface Results {
  population: Record<ServerKind, PopulationRun[]>
  reqrep: Record<ServerKind, RateStep[][]>
}

function perServer<T>(): Record<ServerKind, T[]> {
  return { cinder: [], 'raw-ws': [], 'socket.io': [] }
}

/** The median over rounds: one fresh server's RSS can be off by most of a KiB per socket. */
function memoryAt(runs: PopulationRun[], sockets: number, field: keyof MemoryPoint): number {
  return median(
    runs.flatMap((r) => r.memory.filter((p) => p.sockets === sockets).map((p) => p[field])),
  )
}

interface RateSummary {
  /** The round with the lowest p99. */
  readonly best: RateStep
  /** The p99 of every round that ran this rate, in round order. */
  readonly p99s: number[]
  readonly cpuUs: number
}

/**
 * The rounds at one rate, summarized by the best one (lowest p99): whatever
 * else runs on the machine can only add latency, never remove it, so the best
 * round is the closest to what the server can do. Every server gets the same
 * treatment, and the table lists each round's p99 as well.
 */
function summarize(runs: RateStep[][], rate: number): RateSummary | undefined {
  const steps = runs.flatMap((run) => run.filter((s) => s.rate === rate))
  const [first, ...others] = steps
  if (first === undefined) return undefined
  const best = others.reduce((a, b) => (b.p99 < a.p99 ? b : a), first)
  return { best, p99s: steps.map((s) => s.p99), cpuUs: mean(steps.map((s) => s.cpuUs)) }
}

function highestRate(runs: RateStep[][], rates: readonly number[]): number {
  let best = 0
  for (const rate of rates) {
    const summary = summarize(runs, rate)
    if (summary !== undefined && summary.best.p99 < P99_LIMIT_MS) best = rate
  }
  return best
}

function fanoutSummary(runs: PopulationRun[]) {
  const last = runs.flatMap((r) => r.fanout.lastMs)
  return {
    median: median(last),
    max: Math.max(...last),
    meanDelivery: median(runs.flatMap((r) => r.fanout.meanMs)),
    lost: runs.reduce((n, r) => n + r.fanout.lost, 0),
    cpuMs: mean(runs.map((r) => r.fanout.cpuMs)),
  }
}

function targetRow(name: string, cinder: number, floor: number, limit: number, atLeast = false) {
  const r = cinder / floor
  const pass = Number.isFinite(r) && (atLeast ? r >= limit : r <= limit)
  return `| ${name} | ${ratio(cinder, floor)} | ${atLeast ? '≥' : '≤'} ${limit}× | ${pass ? 'pass' : '**fail**'} |`
}

function conditions(cfg: Config, seconds: number, startLoad: number): string {
  const cpu = cpus()
  return (
    `Conditions: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ` +
    `1-minute load average ${startLoad.toFixed(1)} at the start and ${(loadavg()[0] ?? 0).toFixed(1)} at the end ` +
    '(the servers and the load generator share these cores with whatever else runs). ' +
    `Each server runs in its own process with \`--expose-gc\` and its young generation pinned at V8's default largest (\`--min-semi-space-size=16 --max-semi-space-size=16\`), ${runMode === 'tsx' ? 'from its TypeScript source through tsx' : 'compiled by tsc'} ` +
    '(Cinder: `test/support/conformance-server.ts`; raw ws and socket.io 4.8.4: `bench/peers/`). ' +
    `Load: ${cfg.workers} worker processes of raw \`ws\` clients speaking V2 JSON frames (socket.io-client for socket.io, ` +
    `WebSocket transport only), from ${SOURCE_ADDRESSES[0]}–${SOURCE_ADDRESSES.at(-1)} to 127.0.0.1. ` +
    'The servers take turns, in an order that rotates from one measurement to the next. ' +
    `Server CPU figures are the server process's own user + system time, the steadiest figure on a shared machine. ` +
    `Total ${seconds.toFixed(0)} s${cfg.quick ? ' (BENCH_QUICK: reduced counts, not the figures to quote)' : ''}.`
  )
}

function memorySection(cfg: Config, results: Results): string[] {
  const s = SERVERS
  const runs = (k: ServerKind) => results.population[k]
  const lines = [
    '### (a) Memory per joined socket',
    '',
    "Server RSS after filling the young generation and full GCs, minus the idle server's measured the same way, divided by the sockets, measured before the fan-out; " +
      `the first ${thousands(cfg.populations[0] ?? 0)} sockets joined \`${FAN_TOPIC}\`, the others \`${IDLE_TOPIC}\`. ` +
      `Median of ${cfg.populationRounds} round(s), each on a fresh server (every round's RSS in brackets: ` +
      'it still moves from one fresh server to the next). ' +
      'KiB per socket; in parentheses, JS heap + external.',
    '',
    `| sockets | ${s.map((k) => serverLabels[k]).join(' | ')} | Cinder / raw ws | socket.io / raw ws |`,
    `|---:|${s.map(() => '---:').join('|')}|---:|---:|`,
  ]
  for (const n of cfg.populations) {
    const rss = s.map((k) => memoryAt(runs(k), n, 'rssPerSocket'))
    const heap = s.map((k) => memoryAt(runs(k), n, 'heapPerSocket'))
    const [c = Number.NaN, w = Number.NaN, io = Number.NaN] = rss
    const cells = rss.map((v, i) => {
      const rounds = runs(s[i] as ServerKind).flatMap((r) =>
        r.memory.filter((p) => p.sockets === n).map((p) => kib(p.rssPerSocket)),
      )
      const each = rounds.length > 1 ? ` [${rounds.join(', ')}]` : ''
      return `${kib(v)} (${kib(heap[i] ?? Number.NaN)})${each}`
    })
    lines.push(`| ${thousands(n)} | ${cells.join(' | ')} | ${ratio(c, w)} | ${ratio(io, w)} |`)
  }
  const first = thousands(cfg.populations[0] ?? 0)
  lines.push(
    `| open + join, sockets/s (first ${first}) | ${s.map((k) => thousands(mean(runs(k).map((r) => r.joinRate)))).join(' | ')} | | |`,
    `| open + join, server CPU µs/socket | ${s.map((k) => mean(runs(k).map((r) => r.joinCpuUs)).toFixed(0)).join(' | ')} | | |`,
    '',
  )
  return lines
}

function fanoutSection(cfg: Config, results: Results): string[] {
  const floor = fanoutSummary(results.population['raw-ws'])
  const lines = [
    `### (b) Fan-out to ${thousands(cfg.populations[0] ?? 0)} subscribers of one topic`,
    '',
    `${cfg.broadcasts} broadcasts ${cfg.broadcastIntervalMs} ms apart (after 2 for warm-up), sent by one more client of the topic, ` +
      `with all ${thousands(cfg.populations.at(-1) ?? 0)} sockets of (a) still open. ` +
      'Delivery time: from the send until a subscriber has the message (the monotonic clock every process of the host shares); ' +
      '"last" is the slowest subscriber of a broadcast, "average" the mean over its subscribers.',
    '',
    '| server | last delivery, median (ms) | last delivery, max (ms) | average delivery, median (ms) | lost | server CPU per broadcast (ms) | median last / raw ws |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ]
  for (const k of SERVERS) {
    const f = fanoutSummary(results.population[k])
    lines.push(
      `| ${serverLabels[k]} | ${ms(f.median)} | ${ms(f.max)} | ${ms(f.meanDelivery)} | ${f.lost} | ${ms(f.cpuMs)} | ${ratio(f.median, floor.median)} |`,
    )
  }
  lines.push('')
  return lines
}

function requestReplySection(cfg: Config, results: Results, highest: Record<ServerKind, number>) {
  const s = SERVERS
  const lines = [
    `### (c) Request/reply, ${thousands(cfg.rrClients)} clients`,
    '',
    `\`ping\` round-robin over the clients, open loop on a fixed schedule: a latency counts from the scheduled send, ` +
      'so queueing anywhere (server or generator) shows. ' +
      `${cfg.stepMs} ms per rate after ${cfg.warmupMs} ms of warm-up, ${cfg.rrRounds} round(s), each in a different server order. ` +
      'Cells: p50 / p99 ms of the round with the lowest p99 (other programs on the machine only ever add latency), ' +
      'server CPU µs per request (mean of the rounds), then the p99 of every round in brackets. ' +
      'A reply missing after 2 s counts as slower than any. A server stops climbing once its median request queues (p50 > 200 ms).',
    '',
    `| rate (req/s) | ${s.map((k) => serverLabels[k]).join(' | ')} |`,
    `|---:|${s.map(() => '---:').join('|')}|`,
  ]
  for (const rate of cfg.rates) {
    const cells = s.map((k) => {
      const summary = summarize(results.reqrep[k], rate)
      if (summary === undefined) return 'not run'
      const { best } = summary
      const lost = best.lost > 0 ? `, ${thousands(best.lost)} lost` : ''
      const lag = best.sentRate < rate * 0.95 ? `, sent ${thousands(best.sentRate)}/s` : ''
      const rounds = summary.p99s.length > 1 ? ` [${summary.p99s.map(ms).join(', ')}]` : ''
      return `${ms(best.p50)} / ${ms(best.p99)} · ${summary.cpuUs.toFixed(0)} µs${lost}${lag}${rounds}`
    })
    lines.push(`| ${thousands(rate)} | ${cells.join(' | ')} |`)
  }
  lines.push(
    `| **highest with p99 < ${P99_LIMIT_MS} ms** | ${s.map((k) => `**${thousands(highest[k])}**`).join(' | ')} |`,
    '',
  )
  return lines
}

function targetsSection(cfg: Config, results: Results, highest: Record<ServerKind, number>) {
  const rss = (k: ServerKind, n: number) => memoryAt(results.population[k], n, 'rssPerSocket')
  const fan = (k: ServerKind) => fanoutSummary(results.population[k])
  const lost = fan('cinder').lost
  return [
    '### Targets (Cinder against raw ws, same run)',
    '',
    '| target | Cinder / raw ws | limit | result |',
    '|---|---:|---:|---|',
    ...cfg.populations.map((n) =>
      targetRow(
        `memory per joined socket at ${thousands(n)}`,
        rss('cinder', n),
        rss('raw-ws', n),
        1.5,
      ),
    ),
    targetRow('fan-out, median last delivery', fan('cinder').median, fan('raw-ws').median, 1.3),
    targetRow(
      `highest req/reply rate with p99 < ${P99_LIMIT_MS} ms`,
      highest.cinder,
      highest['raw-ws'],
      0.85,
      true,
    ),
    `| fan-out lost deliveries (Cinder) | ${lost} | 0 | ${lost === 0 ? 'pass' : '**fail**'} |`,
    '',
    cpuLine(cfg, results),
    '',
    'Cinder against socket.io: memory ' +
      cfg.populations
        .map((n) => `${ratio(rss('cinder', n), rss('socket.io', n))} at ${thousands(n)}`)
        .join(', ') +
      `; fan-out median last delivery ${ratio(fan('cinder').median, fan('socket.io').median)}; ` +
      `highest req/reply rate ${ratio(highest.cinder, highest['socket.io'])}.`,
    '',
  ]
}

/** Server CPU ratios: steadier than latencies on a shared machine, so worth a line of their own. */
function cpuLine(cfg: Config, results: Results): string {
  const joinCpu = (k: ServerKind) => mean(results.population[k].map((r) => r.joinCpuUs))
  const fanCpu = (k: ServerKind) => fanoutSummary(results.population[k]).cpuMs
  const common = cfg.rates.filter(
    (rate) =>
      summarize(results.reqrep.cinder, rate) !== undefined &&
      summarize(results.reqrep['raw-ws'], rate) !== undefined,
  )
  const rate = common.at(-1)
  const perRequest =
    rate === undefined
      ? ''
      : `; per request at ${thousands(rate)} req/s ${ratio(
          summarize(results.reqrep.cinder, rate)?.cpuUs ?? Number.NaN,
          summarize(results.reqrep['raw-ws'], rate)?.cpuUs ?? Number.NaN,
        )}`
  return (
    `Server CPU time, Cinder / raw ws: per socket opened and joined ${ratio(joinCpu('cinder'), joinCpu('raw-ws'))}; ` +
    `per broadcast ${ratio(fanCpu('cinder'), fanCpu('raw-ws'))}${perRequest}.`
  )
}

/** The figures behind the tables, for bench/results.json and its charts. */
function figures(cfg: Config, results: Results, highest: Record<ServerKind, number>) {
  const label = (k: ServerKind) => serverLabels[k]
  return {
    quick: cfg.quick,
    broadcasts: cfg.broadcasts,
    rrClients: cfg.rrClients,
    rrRounds: cfg.rrRounds,
    p99LimitMs: P99_LIMIT_MS,
    memory: SERVERS.flatMap((k) =>
      cfg.populations.map((sockets) => ({
        server: label(k),
        sockets,
        rssKiBPerSocket: figure(memoryAt(results.population[k], sockets, 'rssPerSocket') / 1024),
        heapKiBPerSocket: figure(memoryAt(results.population[k], sockets, 'heapPerSocket') / 1024),
      })),
    ),
    fanout: SERVERS.map((k) => {
      const f = fanoutSummary(results.population[k])
      return {
        server: label(k),
        subscribers: cfg.populations[0] ?? 0,
        lastMedianMs: figure(f.median),
        lastMaxMs: figure(f.max),
        meanDeliveryMs: figure(f.meanDelivery),
        lost: f.lost,
        cpuMsPerBroadcast: figure(f.cpuMs),
      }
    }),
    requestReply: SERVERS.flatMap((k) =>
      cfg.rates.flatMap((rate) => {
        const s = summarize(results.reqrep[k], rate)
        if (s === undefined) return []
        const { p50, p99, lost } = s.best
        return [
          {
            server: label(k),
            rate,
            p50Ms: figure(p50),
            p99Ms: figure(p99),
            lost,
            roundsP99Ms: s.p99s.map(figure),
            cpuUsPerRequest: figure(s.cpuUs),
          },
        ]
      }),
    ),
    highestRate: Object.fromEntries(SERVERS.map((k) => [label(k), highest[k]])),
  } satisfies ChannelsFigures
}

function report(cfg: Config, results: Results, seconds: number, startLoad: number): string {
  const highest = {} as Record<ServerKind, number>
  for (const k of SERVERS) highest[k] = highestRate(results.reqrep[k], cfg.rates)
  recordFigures('channels', figures(cfg, results, highest))
  return [
    '## Channels: memory, fan-out, request/reply (Cinder, raw ws, socket.io)',
    '',
    conditions(cfg, seconds, startLoad),
    '',
    ...memorySection(cfg, results),
    ...fanoutSection(cfg, results),
    ...requestReplySection(cfg, results, highest),
    ...targetsSection(cfg, results, highest),
  ].join('\n')
}

/** Runs the whole scenario and returns its Markdown section. */
export async function run(): Promise<string> {
  const cfg = config()
  checkLimits(cfg)
  const started = performance.now()
  const startLoad = loadavg()[0] ?? 0
  const load = new LoadGenerator(cfg.workers)
  const results: Results = { population: perServer(), reqrep: perServer() }
  try {
    await load.ready()
    let measurement = 0
    for (let round = 0; round < cfg.populationRounds; round++)
      for (const kind of order(measurement++))
        results.population[kind].push(await measurePopulation(kind, load, cfg))
    for (let round = 0; round < cfg.rrRounds; round++)
      for (const kind of order(measurement++))
        results.reqrep[kind].push(await measureRequestReply(kind, load, cfg))
  } finally {
    await load.stop()
  }
  return report(cfg, results, (performance.now() - started) / 1000, startLoad)
}
