/**
 * 100,000 joined channel sockets on one machine: the conformance server as a
 * cluster (`--workers N`: N processes sharing the port, joined by the
 * `cluster` PubSub adapter), because a process here may hold only 20,000
 * file descriptors, one per socket. It measures:
 *
 * - opening and joining every socket (all on `room:fan`): count, failures,
 *   time and rate;
 * - the server's resident memory summed over the primary and every worker
 *   (/proc, from outside), in all and per socket;
 * - broadcasts to all of them from one more client (1 warm-up, then each
 *   sent once the previous has reached everyone): deliveries, time until the
 *   last subscriber has it and the average delivery time.
 *
 * The load comes from bench/load/ (raw `ws` clients, several processes,
 * source addresses 127.0.0.2–127.0.0.9). BENCH_QUICK=1 runs 10,000 sockets on
 * 2 workers; the BENCH_100K_* variables in docs/benchmarks.md override.
 */
import { cpus, loadavg, totalmem } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { recordFigures } from '../figures.ts'
import { type LoadClient, openClient } from '../load/clients.ts'
import { ClusterServer, type ProcessFigures } from '../load/cluster-server.ts'
import { LoadGenerator, SOURCE_ADDRESSES } from '../load/generator.ts'
import { type FanoutPayload, nowUs } from '../load/protocol.ts'
import { runMode } from '../load/spawn.ts'
import { median } from '../load/stats.ts'

const TOPIC = 'room:fan'
/** A process may hold 20,000 file descriptors; keep each one well under. */
const SERVER_CAP = 18_000
const CLIENT_CAP = 15_000
/** Ephemeral ports 32768–60999 per source address toward one port, with room to spare. */
const ADDRESS_CAP = 27_000
const BATCH = 10_000
const DELIVERY_TIMEOUT_MS = 30_000
const SCENARIO_TIMEOUT_MS = 20 * 60_000
export const RSS_GOAL = 1.5 * 2 ** 30
/**
 * A young generation of 1 MiB semi-spaces instead of V8's 16 MiB: a memory-dense
 * server trades a few more scavenges for less resident garbage (per process, and
 * there are several). The report says which flags ran.
 */
const DEFAULT_NODE_FLAGS = '--max-semi-space-size=1'

function integer(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got "${raw}"`)
  return value
}

function config() {
  const quick = process.env.BENCH_QUICK === '1'
  const sockets = integer('BENCH_100K_SOCKETS', quick ? 10_000 : 100_000)
  const workers = integer('BENCH_100K_WORKERS', quick ? 2 : 6)
  const cfg = {
    quick,
    sockets,
    workers,
    clientProcesses: Math.max(2, Math.ceil(sockets / CLIENT_CAP)),
    broadcasts: integer('BENCH_100K_BROADCASTS', 5),
    port: integer('BENCH_100K_PORT', 4200),
    /**
     * Handshakes in flight per client process. Few: on a loaded machine a
     * queue of handshakes waits past the server's 5 s headers timeout (408).
     */
    concurrency: integer('BENCH_100K_CONCURRENCY', 16),
    /** `0`: each client process sends its heartbeats in one burst every 30 s (as channels.ts). */
    spreadHeartbeats: process.env.BENCH_100K_SPREAD_HEARTBEATS !== '0',
    /** The server's Node flags (BENCH_100K_NODE_FLAGS, space-separated; empty for none). */
    nodeFlags: (process.env.BENCH_100K_NODE_FLAGS ?? DEFAULT_NODE_FLAGS)
      .split(/\s+/)
      .filter((flag) => flag !== ''),
  }
  if (sockets / workers > SERVER_CAP)
    throw new Error(
      `${sockets} sockets on ${workers} workers: over ${SERVER_CAP} per process (a process may hold 20,000 file descriptors); use more workers`,
    )
  if (sockets / SOURCE_ADDRESSES.length > ADDRESS_CAP)
    throw new Error(`${sockets} sockets exceed the ephemeral ports of the source addresses`)
  return cfg
}

export type Config = ReturnType<typeof config>

/** One measured broadcast. */
export interface BroadcastFigures {
  readonly delivered: number
  /** ms from the send until the last subscriber had it (NaN if none did). */
  readonly lastMs: number
  /** Mean delivery time over the subscribers that had it, ms. */
  readonly meanMs: number
}

/** Everything measured, in one object (for the report, and for charts later). */
export interface Sockets100kFigures {
  readonly sockets: number
  readonly joined: number
  readonly failed: number
  readonly firstError: string | null
  readonly serverWorkers: number
  readonly clientProcesses: number
  readonly joinSeconds: number
  /** Sockets opened and joined per second. */
  readonly joinRate: number
  /** Server RSS summed over the tree: idle, after the joins, after the broadcasts; peak sum. */
  readonly idleRss: number
  readonly rssAfterJoin: number
  readonly rssAfterBroadcasts: number
  readonly peakRss: number
  /** The server's processes after the joins (primary first). */
  readonly processes: readonly ProcessFigures[]
  readonly broadcasts: readonly BroadcastFigures[]
  readonly medianLastMs: number
  readonly maxLastMs: number
  readonly medianMeanMs: number
  readonly loadStart: number
  readonly loadEnd: number
  readonly seconds: number
}

function log(message: string): void {
  console.log(`  sockets-100k: ${message}`)
}

const sum = (figures: readonly ProcessFigures[], key: 'rss' | 'peakRss') =>
  figures.reduce((total, p) => total + p[key], 0)

/** Opens and joins `cfg.sockets` clients in batches (progress, and no command runs for long). */
async function joinAll(load: LoadGenerator, server: ClusterServer, cfg: Config) {
  let joined = 0
  let failed = 0
  let firstError: string | null = null
  const started = performance.now()
  for (let open = 0; open < cfg.sockets; open += BATCH) {
    const count = Math.min(BATCH, cfg.sockets - open)
    const result = await load.connect(server.target, {
      count,
      firstIndex: open,
      topicPrefix: TOPIC,
      concurrency: cfg.concurrency,
    })
    joined += result.connected
    failed += result.failed
    firstError ??= result.firstError
    const seconds = (performance.now() - started) / 1000
    log(`${joined} joined, ${failed} failed, ${seconds.toFixed(1)} s`)
  }
  const joinSeconds = (performance.now() - started) / 1000
  return { joined, failed, firstError, joinSeconds, joinRate: joined / joinSeconds }
}

/** Sends broadcast `seq` and waits until `expected` subscribers have it (or a timeout). */
async function broadcastOnce(
  publisher: LoadClient,
  load: LoadGenerator,
  seq: number,
  expected: number,
): Promise<BroadcastFigures> {
  const payload: FanoutPayload = { seq, t: nowUs(), body: 'fan-out to every socket' }
  publisher.broadcast(payload)
  const deadline = performance.now() + DELIVERY_TIMEOUT_MS
  let report = await load.deliveries()
  while ((report.count[seq] ?? 0) < expected && performance.now() < deadline) {
    await sleep(100)
    report = await load.deliveries()
  }
  const delivered = report.count[seq] ?? 0
  return {
    delivered,
    lastMs: delivered === 0 ? Number.NaN : (report.maxUs[seq] ?? Number.NaN) / 1000,
    meanMs: delivered === 0 ? Number.NaN : (report.sumUs[seq] ?? Number.NaN) / delivered / 1000,
  }
}

async function broadcastAll(load: LoadGenerator, server: ClusterServer, cfg: Config, n: number) {
  const publisher = await openClient(server.target, '127.0.0.1')
  try {
    await publisher.join(TOPIC)
    const warmup = await broadcastOnce(publisher, load, 0, n)
    log(`warm-up: ${warmup.delivered} delivered, last ${warmup.lastMs.toFixed(0)} ms`)
    const measured: BroadcastFigures[] = []
    for (let seq = 1; seq <= cfg.broadcasts; seq++) {
      await sleep(1_000)
      const figures = await broadcastOnce(publisher, load, seq, n)
      log(`broadcast ${seq}: ${figures.delivered} delivered, last ${figures.lastMs.toFixed(0)} ms`)
      measured.push(figures)
    }
    return measured
  } finally {
    publisher.close()
  }
}

async function measure(load: LoadGenerator, cfg: Config, started: number, loadStart: number) {
  let server: ClusterServer | undefined
  try {
    await load.ready()
    server = await ClusterServer.start(cfg.port, cfg.workers, cfg.nodeFlags)
    await sleep(1_000)
    const idleRss = sum(server.processes(), 'rss')
    log(`cluster of ${cfg.workers} workers up, ${(idleRss / 2 ** 20).toFixed(0)} MiB`)
    const join = await joinAll(load, server, cfg)
    await sleep(2_000) // let the last joins' garbage and buffers settle
    const processes = server.processes()
    const broadcasts = await broadcastAll(load, server, cfg, join.joined)
    const after = server.processes()
    const last = broadcasts.map((b) => b.lastMs).filter(Number.isFinite)
    return {
      sockets: cfg.sockets,
      ...join,
      serverWorkers: cfg.workers,
      clientProcesses: cfg.clientProcesses,
      idleRss,
      rssAfterJoin: sum(processes, 'rss'),
      rssAfterBroadcasts: sum(after, 'rss'),
      peakRss: sum(after, 'peakRss'),
      processes,
      broadcasts,
      medianLastMs: median(last),
      maxLastMs: Math.max(...last),
      medianMeanMs: median(broadcasts.map((b) => b.meanMs).filter(Number.isFinite)),
      loadStart,
      loadEnd: loadavg()[0] ?? 0,
      seconds: (performance.now() - started) / 1000,
    } satisfies Sockets100kFigures
  } finally {
    await load.closeClients().catch(() => {})
    await server?.stop()
  }
}

// Report -------------------------------------------------------------------

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`
const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : '–')
const thousands = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '–')
const verdict = (pass: boolean) => (pass ? 'pass' : '**fail**')

function targets(f: Sockets100kFigures): string[] {
  const rss = Math.max(f.rssAfterJoin, f.rssAfterBroadcasts)
  const lost = f.broadcasts.reduce((n, b) => n + (f.joined - b.delivered), 0)
  return [
    '| target | measured | goal | result |',
    '|---|---:|---:|---|',
    `| sockets opened and joined | ${thousands(f.joined)} (${thousands(f.failed)} failed) | ${thousands(f.sockets)} | ${verdict(f.joined === f.sockets)} |`,
    `| server RSS, all processes (the larger of after joins / after broadcasts) | ${gib(rss)} | < 1.50 GiB | ${verdict(rss < RSS_GOAL)} |`,
    `| broadcast deliveries lost | ${thousands(lost)} of ${thousands(f.joined * f.broadcasts.length)} | 0 | ${verdict(lost === 0 && f.broadcasts.length > 0)} |`,
    `| broadcast, median time to the last delivery | ${ms(f.medianLastMs)} | stated | |`,
    '',
  ]
}

function details(f: Sockets100kFigures): string[] {
  const workers = f.processes.slice(1)
  const fds = workers.map((p) => p.fds)
  const perSocket = (f.rssAfterJoin - f.idleRss) / Math.max(1, f.joined)
  return [
    '| figure | value |',
    '|---|---:|',
    `| open + join, all sockets | ${f.joinSeconds.toFixed(1)} s (${thousands(f.joinRate)} sockets/s) |`,
    `| server RSS idle (primary + ${f.serverWorkers} workers) | ${mib(f.idleRss)} |`,
    `| server RSS after the joins | ${mib(f.rssAfterJoin)} (primary ${mib(f.processes[0]?.rss ?? Number.NaN)}, workers ${workers.map((p) => mib(p.rss)).join(', ')}) |`,
    `| server RSS after the broadcasts; sum of the processes' peaks | ${mib(f.rssAfterBroadcasts)}; ${mib(f.peakRss)} |`,
    `| per joined socket: all / beyond the idle cluster | ${(f.rssAfterJoin / Math.max(1, f.joined) / 1024).toFixed(2)} KiB / ${(perSocket / 1024).toFixed(2)} KiB |`,
    `| file descriptors per worker (min–max) | ${thousands(Math.min(...fds))}–${thousands(Math.max(...fds))} |`,
    `| broadcasts: time to the last delivery, median / max | ${ms(f.medianLastMs)} / ${ms(f.maxLastMs)} |`,
    `| broadcasts: average delivery, median | ${ms(f.medianMeanMs)} |`,
    `| broadcasts: delivered each | ${f.broadcasts.map((b) => thousands(b.delivered)).join(', ')} |`,
    '',
  ]
}

function formatReport(cfg: Config, f: Sockets100kFigures, machine: string): string {
  const perClient = Math.ceil(f.sockets / f.clientProcesses)
  const flags =
    cfg.nodeFlags.length === 0 ? 'none' : cfg.nodeFlags.map((flag) => `\`${flag}\``).join(' ')
  return [
    `## ${thousands(f.sockets)} joined channel sockets on one machine (Cinder cluster)`,
    '',
    `Conditions: ${machine}; 1-minute load average ${f.loadStart.toFixed(1)} at the start and ${f.loadEnd.toFixed(1)} at the end ` +
      '(server and clients share these cores with whatever else runs). ' +
      `Server: the conformance server with \`--workers ${f.serverWorkers}\` (a primary and ${f.serverWorkers} worker processes sharing 127.0.0.1:${cfg.port}, ` +
      `round-robin, joined by the \`cluster\` PubSub adapter; Node flags: ${flags}): ` +
      'a process may hold 20,000 file descriptors here, one per socket, ' +
      `so ${thousands(f.sockets)} sockets need several. ` +
      `Clients: ${f.clientProcesses} processes of raw \`ws\` clients speaking V2 JSON frames, about ${thousands(perClient)} sockets each, ` +
      `from ${SOURCE_ADDRESSES[0]}–${SOURCE_ADDRESSES.at(-1)} (${thousands(f.sockets / SOURCE_ADDRESSES.length)} per address), ${cfg.concurrency} handshakes in flight per process; ` +
      `every socket joins \`${TOPIC}\` and sends a heartbeat every 30 s (${cfg.spreadHeartbeats ? "a process's clients spread over the period" : "all of a process's clients in one burst"}). RSS is VmRSS from /proc, summed over the primary and the workers. ` +
      `Broadcasts: one more client of the topic sends \`broadcast\`; 1 warm-up, then ${cfg.broadcasts}, each once the previous reached every socket, 1 s apart; ` +
      'delivery times on the monotonic clock every process of the host shares. ' +
      `Total ${f.seconds.toFixed(0)} s${cfg.quick ? ' (BENCH_QUICK: reduced counts, not the figures to quote)' : ''}.`,
    '',
    ...targets(f),
    ...details(f),
    f.firstError === null ? '' : `First join failure: ${f.firstError}\n`,
  ].join('\n')
}

function environment(): string {
  const cpu = cpus()
  return `${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${runMode === 'tsx' ? 'through tsx' : 'compiled'}`
}

/** Runs the whole scenario and returns its Markdown section. */
export async function run(): Promise<string> {
  const cfg = config()
  const started = performance.now()
  const loadStart = loadavg()[0] ?? 0
  const load = new LoadGenerator(cfg.clientProcesses, {
    commandTimeoutMs: 300_000,
    maxSocketsPerWorker: CLIENT_CAP,
    spreadHeartbeats: cfg.spreadHeartbeats,
  })
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`sockets-100k took over ${SCENARIO_TIMEOUT_MS / 60_000} min`)),
      SCENARIO_TIMEOUT_MS,
    )
  })
  try {
    const figures = await Promise.race([measure(load, cfg, started, loadStart), expired])
    recordFigures('sockets-100k', { ...figures, quick: cfg.quick })
    return formatReport(cfg, figures, environment())
  } finally {
    clearTimeout(timer)
    await load.stop()
  }
}
