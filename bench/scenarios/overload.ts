/**
 * Overload: what a few stalled clients cost everyone else. 1,000 subscribers
 * of one topic read normally while a publisher broadcasts a storm to it; in
 * half the runs 10 more subscribers join and stop reading (their TCP sockets
 * paused). Reported side by side: the normal subscribers' p99 delivery (per
 * broadcast, the time until the last normal subscriber had it) and the
 * server's peak RSS, with and without the stalled ones, in rotating order.
 * Goal (issue 11): both within 1.2× of the run without stalled clients.
 *
 * The server is the conformance server with its default limits (a stalled
 * socket is dropped past 1 MiB queued). BENCH_QUICK=1 runs one round each.
 */
import { loadavg } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { WebSocket } from 'ws'
import { openClient } from '../load/clients.ts'
import { LoadGenerator } from '../load/generator.ts'
import { type FanoutPayload, nowUs } from '../load/protocol.ts'
import { ServerProcess } from '../load/server-process.ts'
import { median, quantile } from '../load/stats.ts'

const quick = process.env.BENCH_QUICK === '1'
const SUBSCRIBERS = 1000
const STALLED = 10
// 400 KB/s to every subscriber: past the kernel's buffers of a paused socket
// (a few MB) and the 1 MiB queue within the run, within what 2 cores deliver.
const BROADCASTS = quick ? 1200 : 2000
const INTERVAL_MS = 10
const BODY = 'b'.repeat(4096)
const ROUNDS = quick ? 1 : 3
const TOPIC = 'room:storm'

interface Run {
  readonly stalled: boolean
  readonly p99Ms: number
  readonly medianMs: number
  readonly lost: number
  readonly peakRss: number
  /** Stalled sockets the server dropped (closed their connection). */
  readonly dropped: number
}

function log(message: string): void {
  console.log(`  overload: ${message}`)
}

/** A subscriber that joins and then stops reading: its socket is paused. */
async function stalledSubscriber(port: number): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket/websocket?vsn=2.0.0`)
  ws.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  const joined = new Promise<void>((resolve) => ws.once('message', () => resolve()))
  ws.send(JSON.stringify(['1', '1', TOPIC, 'phx_join', {}]))
  await joined
  ;(ws as unknown as { _socket: { pause(): void } })._socket.pause()
  return ws
}

async function measure(load: LoadGenerator, stalled: boolean): Promise<Run> {
  const server = await ServerProcess.start('cinder')
  const laggards: WebSocket[] = []
  try {
    const result = await load.connect(server.target, { count: SUBSCRIBERS, topicPrefix: TOPIC })
    if (result.failed > 0) throw new Error(`${result.failed} subscribers failed to join`)
    if (stalled) {
      for (let i = 0; i < STALLED; i++) laggards.push(await stalledSubscriber(server.port))
    }
    const publisher = await openClient(server.target, '127.0.0.1')
    await publisher.join(TOPIC)
    await load.resetDeliveries()
    const start = performance.now()
    for (let seq = 0; seq < BROADCASTS; seq++) {
      const wait = start + seq * INTERVAL_MS - performance.now()
      if (wait > 0) await sleep(wait)
      publisher.broadcast({ seq, t: nowUs(), body: BODY } satisfies FanoutPayload)
    }
    const expected = SUBSCRIBERS * BROADCASTS
    const deadline = performance.now() + 15_000
    let report = await load.deliveries()
    const delivered = () => report.count.reduce((sum, n) => sum + (n ?? 0), 0)
    while (delivered() < expected && performance.now() < deadline) {
      await sleep(100)
      report = await load.deliveries()
    }
    publisher.close()
    const last: number[] = []
    let lost = 0
    for (let seq = 0; seq < BROADCASTS; seq++) {
      const count = report.count[seq] ?? 0
      lost += SUBSCRIBERS - count
      if (count > 0) last.push((report.maxUs[seq] ?? Number.NaN) / 1000)
    }
    last.sort((a, b) => a - b)
    const peakRss = server.peakRss()
    // A dropped socket shows as closed once what the kernel held for it is read.
    for (const ws of laggards) (ws as unknown as { _socket: { resume(): void } })._socket.resume()
    const until = performance.now() + 5000
    while (laggards.some((ws) => ws.readyState !== WebSocket.CLOSED) && performance.now() < until) {
      await sleep(50)
    }
    const dropped = laggards.filter((ws) => ws.readyState === WebSocket.CLOSED).length
    const run = {
      stalled,
      p99Ms: quantile(last, 0.99),
      medianMs: quantile(last, 0.5),
      lost,
      peakRss,
      dropped,
    }
    log(
      `${stalled ? 'with' : 'without'} stalled: p99 ${run.p99Ms.toFixed(1)} ms, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB, dropped ${dropped}/${laggards.length}, lost ${lost}`,
    )
    return run
  } finally {
    for (const ws of laggards) ws.terminate()
    await load.closeClients()
    await server.stop()
  }
}

function row(label: string, runs: Run[]): string {
  const p99 = median(runs.map((r) => r.p99Ms))
  const p50 = median(runs.map((r) => r.medianMs))
  const rss = median(runs.map((r) => r.peakRss)) / 2 ** 20
  const lost = runs.reduce((n, r) => n + r.lost, 0)
  const dropped = runs.reduce((n, r) => n + r.dropped, 0)
  return `| ${label} | ${p50.toFixed(1)} | ${p99.toFixed(1)} | ${rss.toFixed(0)} | ${lost} | ${dropped} |`
}

export async function run(): Promise<string> {
  const startLoad = loadavg()[0] ?? 0
  const started = performance.now()
  const load = new LoadGenerator(1)
  const runs: Run[] = []
  try {
    await load.ready()
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order so neither variant always runs on a warmer machine.
      for (const stalled of round % 2 === 0 ? [false, true] : [true, false]) {
        runs.push(await measure(load, stalled))
      }
    }
  } finally {
    await load.stop()
  }
  const calm = runs.filter((r) => !r.stalled)
  const storm = runs.filter((r) => r.stalled)
  const ratio = (f: (r: Run) => number) => median(storm.map(f)) / median(calm.map(f))
  const p99Ratio = ratio((r) => r.p99Ms)
  const rssRatio = ratio((r) => r.peakRss)
  const verdict = (x: number) =>
    `${x.toFixed(2)}× ${x <= 1.2 ? '(goal ≤ 1.2×: met)' : '(goal ≤ 1.2×: missed)'}`
  return [
    '## Overload: stalled subscribers under a broadcast storm',
    '',
    `${SUBSCRIBERS} subscribers read normally; ${BROADCASTS} broadcasts of ${BODY.length} bytes, one every ${INTERVAL_MS} ms, ` +
      `go to their topic; in the "stalled" runs ${STALLED} more subscribers join and pause their sockets. ` +
      `Default limits (maxQueuedBytes 1 MiB). Median of ${ROUNDS} round(s), order rotating; load average ${startLoad.toFixed(1)} at the start, ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s in all${quick ? ' (BENCH_QUICK: reduced counts, not the figures to quote)' : ''}.`,
    '',
    '| run | median delivery, ms | p99 delivery, ms | server peak RSS, MB | lost | stalled dropped |',
    '| --- | --- | --- | --- | --- | --- |',
    row('without stalled subscribers', calm),
    row(`with ${STALLED} stalled subscribers`, storm),
    '',
    `Normal subscribers' p99 delivery with stalled ones: ${verdict(p99Ratio)}; server peak RSS: ${verdict(rssRatio)}.`,
    '',
  ].join('\n')
}
