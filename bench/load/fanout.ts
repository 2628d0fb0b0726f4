/** Collecting a fan-out's deliveries from a load generator (the channels and outside scenarios). */
import { setTimeout as sleep } from 'node:timers/promises'
import type { LoadClient } from './clients.ts'
import type { LoadGenerator } from './generator.ts'
import { type FanoutPayload, type FanoutReport, nowUs } from './protocol.ts'

export interface FanoutDeliveries {
  /** Per broadcast that reached anyone: time until its last subscriber had it, ms. */
  readonly lastMs: number[]
  /** Per broadcast that reached anyone: its mean delivery time, ms. */
  readonly meanMs: number[]
  /** Deliveries missing over all broadcasts. */
  readonly lost: number
}

/** Waits (up to `timeoutMs`) until `broadcasts` broadcasts reached `subscribers` each, then sums up. */
export async function collectFanout(
  load: LoadGenerator,
  subscribers: number,
  broadcasts: number,
  timeoutMs: number,
): Promise<FanoutDeliveries> {
  const expected = subscribers * broadcasts
  const deadline = performance.now() + timeoutMs
  let report: FanoutReport = await load.deliveries()
  const delivered = () => report.count.reduce((sum, n) => sum + (n ?? 0), 0)
  while (delivered() < expected && performance.now() < deadline) {
    await sleep(100)
    report = await load.deliveries()
  }
  const lastMs: number[] = []
  const meanMs: number[] = []
  let lost = 0
  for (let seq = 0; seq < broadcasts; seq++) {
    const count = report.count[seq] ?? 0
    lost += Math.max(0, subscribers - count)
    if (count === 0) continue
    lastMs.push((report.maxUs[seq] ?? Number.NaN) / 1000)
    meanMs.push((report.sumUs[seq] ?? Number.NaN) / count / 1000)
  }
  return { lastMs, meanMs, lost }
}

/** A worker's record of the fan-out broadcasts it received, per `seq` (what `fanout-report` sends). */
export class DeliveryLog {
  #report: FanoutReport = { count: [], maxUs: [], sumUs: [] }

  /** One arrival of the broadcast `payload` (a FanoutPayload), stamped `arrivedUs` (nowUs()). */
  record(payload: unknown, arrivedUs: number): void {
    const { seq, t } = payload as FanoutPayload
    const latency = arrivedUs - t
    const { count, maxUs, sumUs } = this.#report
    count[seq] = (count[seq] ?? 0) + 1
    sumUs[seq] = (sumUs[seq] ?? 0) + latency
    if (latency > (maxUs[seq] ?? Number.NEGATIVE_INFINITY)) maxUs[seq] = latency
  }

  reset(): null {
    this.#report = { count: [], maxUs: [], sumUs: [] }
    return null
  }

  report(): FanoutReport {
    return this.#report
  }
}

/** Sends fan-out broadcasts `0..count - 1` through `publisher`, one every `intervalMs`, on a fixed schedule. */
export async function publishFanout(
  publisher: LoadClient,
  count: number,
  intervalMs: number,
): Promise<void> {
  const start = performance.now()
  for (let seq = 0; seq < count; seq++) {
    const wait = start + seq * intervalMs - performance.now()
    if (wait > 0) await sleep(wait)
    const payload: FanoutPayload = { seq, t: nowUs(), body: 'fan-out from the publisher' }
    publisher.broadcast(payload)
  }
}
