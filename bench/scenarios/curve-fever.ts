/**
 * Curve Fever rooms on one node: how many concurrent games of 4 bots keep their 60 Hz tick
 * with a p99 lateness under 5 ms, and what a player receives per second.
 *
 * Each level starts N rooms (each a process under the rooms' DynamicSupervisor, 4 bots, frames
 * at 20 Hz through a real PubSub broadcast), lets them settle, then measures every tick's
 * lateness (how long after its due time it ran) for a few seconds. The floor is the same
 * drift-corrected 60 Hz timer with nothing to do, measured in the same run. Scale with
 * BENCH_QUICK=1 or BENCH_CURVE_FEVER_ROOMS=100,200,400.
 */
import { availableParallelism, cpus, loadavg } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import type { TrafficMeter } from '../../examples/curve_fever/rooms/room.ts'
import { Rooms } from '../../examples/curve_fever/rooms/rooms.ts'
import { TickStats, type TickSummary } from '../../examples/curve_fever/rooms/tick-stats.ts'
import { type PubSub, setLogger, startPubSub } from '../../src/index.ts'

const TICK_MS = 1000 / 60
const P99_LIMIT_MS = 5
/** The channel layer's V2 binary broadcast header for `game:<8 chars>` / `f`, plus a WebSocket header. */
const WIRE_OVERHEAD = 3 + 'game:abcdefgh'.length + 'f'.length + 4

interface Level {
  readonly rooms: number
  readonly ticksPerSecond: number
  readonly tick: TickSummary
  readonly cpu: number
  readonly frameBytesPerSecond: number
  readonly meanFrame: number
}

function levels(): number[] {
  const raw = process.env.BENCH_CURVE_FEVER_ROOMS
  if (raw !== undefined && raw.trim() !== '') {
    const values = raw.split(',').map((v) => Number(v.trim()))
    if (values.some((v) => !Number.isInteger(v) || v <= 0))
      throw new Error(`BENCH_CURVE_FEVER_ROOMS must be positive integers, got "${raw}"`)
    return values
  }
  return process.env.BENCH_QUICK === '1' ? [20, 50] : [50, 100, 200, 300, 400]
}

/** The floor: one drift-corrected 60 Hz timer doing nothing. */
async function floor(seconds: number): Promise<TickSummary> {
  const stats = new TickStats()
  const epoch = performance.now()
  let done = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  const tick = (): void => {
    const now = performance.now()
    const due = Math.floor((now - epoch) / TICK_MS)
    if (due > done) stats.record(now - (epoch + (done + 1) * TICK_MS))
    done = Math.max(done, due)
    timer = setTimeout(tick, Math.max(0, Math.ceil(epoch + (done + 1) * TICK_MS - now)))
  }
  timer = setTimeout(tick, TICK_MS)
  await sleep(seconds * 1000)
  clearTimeout(timer)
  return stats.summary()
}

class Meter implements TrafficMeter {
  bytes = 0
  frames = 0
  frame(bytes: number): void {
    this.bytes += bytes
    this.frames += 1
  }
}

async function measure(
  pubsub: PubSub,
  count: number,
  warm: number,
  seconds: number,
): Promise<Level> {
  const stats = new TickStats()
  const meter = new Meter()
  const rooms = await Rooms.start({
    pubsub,
    stats,
    meter,
    // A real broadcast to the topic (no subscriber: sockets are measured by the channels bench).
    broadcast: (topic, event, payload) => pubsub.broadcast(topic, { event, payload }),
    settings: { emptyCloseMs: null, botsOnlyCloseMs: null, startDelayMs: 0 },
    maxRooms: count,
  })
  const viewer = { id: 'bench', name: 'Bench', colour: '#888888' }
  for (let i = 0; i < count; i++) {
    const id = await rooms.create({ name: `bench ${i}` })
    const conn = `bench-${i}`
    await rooms.request(id, {
      t: 'join',
      conn: { id: conn, pid: null },
      user: viewer,
      spectate: true,
    })
    for (let b = 0; b < 4; b++) await rooms.request(id, { t: 'add_bot', conn })
  }
  await sleep(warm * 1000)
  stats.reset()
  meter.bytes = 0
  meter.frames = 0
  const cpu = process.cpuUsage()
  const started = performance.now()
  await sleep(seconds * 1000)
  const wall = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  const tick = stats.summary()
  await rooms.stop()
  return {
    rooms: count,
    ticksPerSecond: Math.round(tick.ticks / wall),
    tick,
    cpu: (used.user + used.system) / 1e6 / wall,
    frameBytesPerSecond: meter.bytes / wall / count,
    meanFrame: meter.frames === 0 ? 0 : meter.bytes / meter.frames,
  }
}

export async function run(): Promise<string> {
  const restore = setLogger({ error: (m) => console.error(m), warn: () => {}, info: () => {} })
  const quick = process.env.BENCH_QUICK === '1'
  const warm = quick ? 1 : 1.5
  const seconds = quick ? 2 : 5
  const pubsub = await startPubSub({ name: 'bench-curve-fever', node: 'bench' })
  try {
    const base = await floor(seconds)
    const results: Level[] = []
    for (const count of levels()) {
      const level = await measure(pubsub, count, warm, seconds)
      results.push(level)
      // Far past the limit twice in a row: climbing further only burns the time budget.
      const last = results.slice(-2)
      if (last.length === 2 && last.every((r) => r.tick.p99Ms >= P99_LIMIT_MS * 4)) break
    }
    return report(base, results, seconds)
  } finally {
    await pubsub.stop()
    restore()
  }
}

function report(base: TickSummary, results: readonly Level[], seconds: number): string {
  // On a busy machine the bare timer itself misses 5 ms: then a level passes when it adds
  // nothing to the floor's own lateness (and skips no tick), and the table says which rule held.
  const contended = base.p99Ms >= P99_LIMIT_MS
  const verdict = (r: Level): string => {
    if (r.tick.skipped > 0) return 'no'
    if (r.tick.p99Ms < P99_LIMIT_MS) return 'yes'
    return contended && r.tick.p99Ms <= base.p99Ms ? '≤ floor' : 'no'
  }
  const sustained = results.filter((r) => verdict(r) !== 'no')
  const best = sustained.at(-1)
  const ratio = (ms: number): string => (base.p99Ms > 0 ? `${(ms / base.p99Ms).toFixed(1)}×` : '–')
  const rows = results.map(
    (r) =>
      `| ${r.rooms} | ${r.rooms * 4} | ${r.ticksPerSecond.toLocaleString('en')} (${((r.ticksPerSecond / (r.rooms * 60)) * 100).toFixed(0)}%) | ${r.tick.p50Ms} | ${r.tick.p99Ms} (${ratio(r.tick.p99Ms)}) | ${r.tick.maxMs} | ${r.tick.skipped} | ${(r.cpu * 100).toFixed(0)}% | ${verdict(r)} |`,
  )
  const traffic = best ?? results[0]
  const perPlayer = traffic === undefined ? 0 : traffic.frameBytesPerSecond
  const frames = traffic === undefined ? 0 : perPlayer / Math.max(1, traffic.meanFrame)
  const load = loadavg()[0]?.toFixed(1) ?? '?'
  return [
    '## Curve Fever: game rooms on one node',
    '',
    `Rooms of 4 bots, each a process stepping its simulation at 60 Hz (drift-corrected timer) and broadcasting binary frames at 20 Hz through PubSub; ${seconds} s measured per level after a warm-up, one Node process, ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), load average ${load} at the end. Tick lateness = how long after its due time a tick ran. The floor is the same 60 Hz timer alone, measured in the same run: p50 ${base.p50Ms} ms, p99 ${base.p99Ms} ms, max ${base.maxMs} ms.${contended ? ` The floor itself missed ${P99_LIMIT_MS} ms at p99: other processes held the cores, so a level also passes ("≤ floor") when its p99 is no worse than the floor's.` : ''}`,
    '',
    '| rooms | bots | ticks/s (of due) | lateness p50 (ms) | p99 (ms, × floor) | max (ms) | skipped ticks | CPU (one core = 100%) | sustained |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
    ...rows,
    '',
    best === undefined
      ? `No level kept the p99 under ${P99_LIMIT_MS} ms.`
      : `**${best.rooms} concurrent 4-bot games** held 60 Hz (${verdict(best) === 'yes' ? `p99 lateness under ${P99_LIMIT_MS} ms` : "p99 lateness no worse than the idle timer's"}, no tick skipped; target: 200).`,
    '',
    `Per player: frames average ${traffic?.meanFrame.toFixed(0) ?? 0} bytes; ${frames.toFixed(1)} frames/s make ${perPlayer.toFixed(0)} B/s of payload, about ${(perPlayer + frames * WIRE_OVERHEAD).toFixed(0)} B/s on the wire with the V2 binary broadcast and WebSocket headers (a snapshot on join is a few kB once).`,
    '',
  ].join('\n')
}
